// A small HTTP client over libcurl for the object stores: pooled easy handles
// (connections and TLS sessions are reused), connect and total timeouts, and
// retries with exponential backoff and jitter on transient failures.
//
// Thread-safety: HttpClient is safe for concurrent use.
#ifndef RS_STORAGE_HTTP_INTERNAL_H_
#define RS_STORAGE_HTTP_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/retry.h"
#include "common/status.h"

namespace rs::storage::internal {

struct HttpRequest {
  std::string method;  // "GET", "PUT", "HEAD", "DELETE", "POST"
  std::string url;     // full URL; the query string may hold a SAS and is never logged
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // borrowed; must outlive the call
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int attempts = 1;  // how many times the request was sent

  // The header's value, or "" when absent. `name` is lower-case.
  std::string Header(const std::string& name) const;
};

struct HttpOptions {
  int64_t connect_timeout_ms = 10'000;
  int64_t request_timeout_ms = 600'000;  // whole request, including the body
  int max_retries = 5;                   // retries after the first attempt
  int64_t retry_base_delay_ms = 200;     // first backoff; doubles per retry
  int64_t retry_max_delay_ms = 15'000;   // cap of one backoff (and of Retry-After)
};

// 429, 500, 502, 503, 504: the request may succeed when sent again.
bool IsRetryableHttpStatus(long status);

// `url` without its query string (which may hold a SAS token) and fragment.
std::string RedactUrl(std::string_view url);

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request once. Transport failures (connect, timeout, reset) are
  // Unavailable; any HTTP status is a response.
  Result<HttpResponse> Perform(const HttpRequest& request);

  // Builds and sends a request, again on a transport failure or a retryable
  // status, up to options.max_retries times, sleeping with exponential backoff
  // and jitter (or the server's Retry-After). `build` runs before every
  // attempt so signatures and dates are fresh. Returns the last response,
  // whatever its status; the caller maps it to a Status.
  Result<HttpResponse> Send(const std::function<Result<HttpRequest>()>& build);

  const HttpOptions& options() const { return options_; }

 private:
  struct Pool;
  RetryPolicy retry_policy() const;

  HttpOptions options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_HTTP_INTERNAL_H_
