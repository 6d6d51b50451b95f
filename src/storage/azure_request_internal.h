// One Blob REST call: builds the URL, adds x-ms-date/x-ms-version and the
// authorization (Shared Key signature, SAS query or bearer token), sends it
// with retries, and maps an unsuccessful response to a Status.
#ifndef RS_STORAGE_AZURE_REQUEST_INTERNAL_H_
#define RS_STORAGE_AZURE_REQUEST_INTERNAL_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/azure_auth_internal.h"
#include "storage/azure_config_internal.h"
#include "storage/http_internal.h"

namespace rs::storage::internal {

inline constexpr char kBlobApiVersion[] = "2021-08-06";

struct BlobCall {
  std::string operation;  // for messages: "get", "put block", "list", ...
  std::string method;
  std::string blob;  // full blob name (with the store's root); "" for container calls
  Headers query;     // decoded names and values
  Headers headers;
  std::string_view body;
};

class BlobClient {
 public:
  BlobClient(AzureConfig config, std::shared_ptr<HttpClient> http)
      : config_(std::move(config)), http_(std::move(http)) {}

  // Sends `call` (with retries) and returns the final response, any status.
  Result<HttpResponse> Execute(const BlobCall& call) const;

  // Status for a response that is not the call's success: operation, URL
  // without query, HTTP status, service error code and what it means.
  Status ErrorFor(const BlobCall& call, const HttpResponse& response) const;

  // URL of the call without query string, for messages.
  std::string DisplayUrl(const BlobCall& call) const;

  const AzureConfig& config() const { return config_; }

 private:
  std::string UrlPath(const BlobCall& call) const;
  Result<HttpRequest> Build(const BlobCall& call) const;

  AzureConfig config_;
  std::shared_ptr<HttpClient> http_;
};

// The service's error code: the x-ms-error-code header or <Code> in the body.
std::string ServiceErrorCode(const HttpResponse& response);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_AZURE_REQUEST_INTERNAL_H_
