#include <chrono>

#include "storage/azure_request_internal.h"
#include "storage/azure_xml_internal.h"
#include "storage/uri_internal.h"

namespace rs::storage::internal {
namespace {

std::string QueryString(const Headers& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    out += out.empty() ? "?" : "&";
    out += PercentEncode(name, false) + "=" + PercentEncode(value, false);
  }
  return out;
}

// First line of the service's <Message>, without its RequestId/Time lines.
std::string ServiceMessage(const HttpResponse& response) {
  std::string message = XmlElementText(response.body, "Message");
  message = message.substr(0, message.find('\n'));
  if (message.size() > 200) message = message.substr(0, 200) + "...";
  return message;
}

}  // namespace

std::string ServiceErrorCode(const HttpResponse& response) {
  std::string code = response.Header("x-ms-error-code");
  return code.empty() ? XmlElementText(response.body, "Code") : code;
}

std::string BlobClient::UrlPath(const BlobCall& call) const {
  std::string path = config_.base_path + "/" + config_.container;
  if (!call.blob.empty()) path += "/" + PercentEncode(call.blob, /*keep_slash=*/true);
  return path;
}

std::string BlobClient::DisplayUrl(const BlobCall& call) const {
  return config_.origin + UrlPath(call);
}

Result<HttpRequest> BlobClient::Build(const BlobCall& call) const {
  HttpRequest request;
  request.method = call.method;
  request.body = call.body;
  request.headers = call.headers;
  request.headers.emplace_back("x-ms-date", HttpDate(std::chrono::system_clock::now()));
  request.headers.emplace_back("x-ms-version", kBlobApiVersion);
  std::string path = UrlPath(call);
  request.url = config_.origin + path + QueryString(call.query);
  const AzureCredential& credential = config_.credential;
  switch (credential.kind) {
    case AzureCredential::Kind::kSharedKey: {
      std::string to_sign = SharedKeyStringToSign(call.method, config_.account, path, call.query,
                                                  request.headers, call.body.size());
      std::string signature = Base64Encode(HmacSha256(credential.account_key, to_sign));
      request.headers.emplace_back("Authorization",
                                   "SharedKey " + config_.account + ":" + signature);
      break;
    }
    case AzureCredential::Kind::kSas:
      request.url += (call.query.empty() ? "?" : "&") + credential.sas;
      break;
    case AzureCredential::Kind::kBearer: {
      RS_ASSIGN_OR_RETURN_CTX(std::string token, credential.token->Token(),
                              call.operation + " " + DisplayUrl(call));
      request.headers.emplace_back("Authorization", "Bearer " + token);
      break;
    }
    case AzureCredential::Kind::kAnonymous:
      break;
  }
  return request;
}

Result<HttpResponse> BlobClient::Execute(const BlobCall& call) const {
  auto build = [&]() { return Build(call); };
  RS_ASSIGN_OR_RETURN_CTX(HttpResponse response, http_->Send(build), call.operation);
  return response;
}

Status BlobClient::ErrorFor(const BlobCall& call, const HttpResponse& response) const {
  std::string code = ServiceErrorCode(response);
  std::string head = call.operation + " " + DisplayUrl(call) + ": HTTP " +
                     std::to_string(response.status) + (code.empty() ? "" : " " + code);
  long status = response.status;
  if (IsRetryableHttpStatus(status)) {
    return Status::Unavailable(head + ": service unavailable or throttling (gave up after " +
                               std::to_string(response.attempts) + " attempts)");
  }
  if (status == 401 || status == 403) {
    return Status::InvalidArgument(
        head + ": authentication failed with " + config_.credential.Describe() +
        ": check AZURE_STORAGE_ACCOUNT_KEY/SAS token/identity and its permissions on account '" +
        config_.account + "'");
  }
  if (code == "ContainerNotFound") {
    return Status::FailedPrecondition(head + ": container '" + config_.container +
                                      "' not found: create it or fix the URI");
  }
  if (status == 404) return Status::NotFound(head + ": object not found");
  if (status == 400) {
    return Status::InvalidArgument(head + ": request rejected: " + ServiceMessage(response));
  }
  if (status == 409 || status == 412) return Status::Aborted(head + ": conflicting request");
  return Status::IOError(head + ": unexpected response");
}

}  // namespace rs::storage::internal
