// libcurl wrapper. Easy handles are pooled: curl_easy_reset keeps a handle's
// live connections, so a reused handle skips TCP and TLS setup. A share
// handle lets all of them use one DNS cache and one TLS session cache.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <optional>

#include "storage/http_internal.h"

namespace rs::storage::internal {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ShareDeleter {
  void operator()(CURLSH* h) const { curl_share_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using ShareHandle = std::unique_ptr<CURLSH, ShareDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// What the header callback fills in.
struct HeaderSink {
  HttpResponse* response;
  bool expect_body;  // false for HEAD, whose Content-Length describes no body
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  HttpResponse* response = sink->response;
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (name == "content-length" && sink->expect_body) {
      uint64_t n = 0;
      std::from_chars(value.data(), value.data() + value.size(), n);
      response->body.reserve(std::min<uint64_t>(n, uint64_t{1} << 33));
    }
    response->headers[name] = std::move(value);
  }
  return size * count;
}

bool IsTransientCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// Status for a failed transfer. libcurl's own text names host and port at
// most, never the query string (checked by RedactUrl anyway).
Status TransferError(const HttpRequest& request, CURLcode code, const char* detail) {
  std::string message =
      request.method + " " + RedactUrl(request.url) + ": " + curl_easy_strerror(code);
  std::string detail_text = RedactUrl(detail);
  if (!detail_text.empty()) message += " (" + detail_text + ")";
  if (IsTransientCurlError(code)) return Status::Unavailable(std::move(message));
  return Status::IOError(std::move(message));
}

}  // namespace

struct HttpClient::Pool {
  std::mutex mu;
  std::vector<EasyHandle> idle;  // guarded by mu
  ShareHandle share;
  std::mutex share_mu[CURL_LOCK_DATA_LAST];

  EasyHandle Take() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        EasyHandle h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }
  void Return(EasyHandle h) {
    std::lock_guard lock(mu);
    if (idle.size() < 64) idle.push_back(std::move(h));
  }
};

namespace {

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<std::mutex*>(user)[data].lock();
}
void UnlockShare(CURL*, curl_lock_data data, void* user) {
  static_cast<std::mutex*>(user)[data].unlock();
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

bool IsRetryableHttpStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string RedactUrl(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

HttpClient::HttpClient(HttpOptions options) : options_(options), pool_(std::make_unique<Pool>()) {
  GlobalInitOnce();
  pool_->share.reset(curl_share_init());
  CURLSH* share = pool_->share.get();
  curl_share_setopt(share, CURLSHOPT_LOCKFUNC, LockShare);
  curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, UnlockShare);
  curl_share_setopt(share, CURLSHOPT_USERDATA, pool_->share_mu);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

HttpClient::~HttpClient() {
  // Easy handles go before the share handle they point to.
  pool_->idle.clear();
}

namespace {

// The request's headers, plus "Expect:" (no 100-continue round trip) and,
// unless the caller set one, an empty Content-Type (libcurl would otherwise
// add a form type to bodies, which signatures do not cover).
HeaderList BuildHeaderList(const HttpRequest& request) {
  HeaderList headers;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) == "content-type") has_content_type = true;
    std::string line = name + ": " + value;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  headers.reset(curl_slist_append(headers.release(), "Expect:"));
  if (!has_content_type) headers.reset(curl_slist_append(headers.release(), "Content-Type:"));
  return headers;
}

void SetMethodAndBody(CURL* h, const HttpRequest& request) {
  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

}  // namespace

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request) {
  EasyHandle easy = pool_->Take();
  if (!easy) return Status::Internal("curl_easy_init failed");
  CURL* h = easy.get();
  curl_easy_reset(h);  // keeps the handle's live connections
  HttpResponse response;
  char error_text[CURL_ERROR_SIZE] = {0};
  HeaderList headers = BuildHeaderList(request);

  curl_easy_setopt(h, CURLOPT_SHARE, pool_->share.get());
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  HeaderSink sink{&response, request.method != "HEAD"};
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  SetMethodAndBody(h, request);

  CURLcode code = curl_easy_perform(h);
  // A failed handle is dropped rather than pooled: its connection may be broken.
  if (code != CURLE_OK) return TransferError(request, code, error_text);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  pool_->Return(std::move(easy));
  return response;
}

namespace {

// The server's Retry-After in whole seconds, when it sent one.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response) {
  std::string retry_after = response.Header("retry-after");
  int64_t seconds = -1;
  auto [ptr, ec] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  if (ec != std::errc() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(std::min<int64_t>(seconds, int64_t{1} << 32));
}

}  // namespace

// Equal jitter: a throttling or failing service gets at least half of each
// backoff, and concurrent clients still spread out.
RetryPolicy HttpClient::retry_policy() const {
  RetryPolicy policy;
  policy.max_attempts = options_.max_retries + 1;
  policy.base_delay = std::chrono::milliseconds(options_.retry_base_delay_ms);
  policy.max_delay = std::chrono::milliseconds(options_.retry_max_delay_ms);
  policy.jitter = Jitter::kEqual;
  return policy;
}

Result<HttpResponse> HttpClient::Send(const std::function<Result<HttpRequest>()>& build) {
  Backoff backoff(retry_policy());
  for (;;) {
    RS_ASSIGN_OR_RETURN(HttpRequest request, build());
    Result<HttpResponse> result = Perform(request);
    if (result.ok()) {
      result->attempts = backoff.attempt();
      if (!IsRetryableHttpStatus(result->status) || !backoff.Next(RetryAfter(*result))) {
        return result;
      }
      continue;
    }
    if (!result.status().IsUnavailable()) return result;
    const int attempts = backoff.attempt();
    if (!backoff.Next()) {
      return Status::Unavailable(result.status().message() + " (gave up after " +
                                 std::to_string(attempts) + " attempts)");
    }
  }
}

}  // namespace rs::storage::internal
