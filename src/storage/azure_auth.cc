#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "storage/azure_auth_internal.h"

namespace rs::storage::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string HeaderValue(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (Lower(n) == name) return v;
  }
  return "";
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("base64 length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("malformed base64");
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

std::optional<int64_t> ParseHttpDateUnixMs(std::string_view text) {
  std::string copy(text);
  std::tm tm{};
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string SharedKeyStringToSign(std::string_view method, std::string_view account,
                                  std::string_view url_path, const Headers& query,
                                  const Headers& headers, uint64_t content_length) {
  std::string out(method);
  out += '\n';
  for (const char* name : {"content-encoding", "content-language"}) {
    out += HeaderValue(headers, name) + "\n";
  }
  out += (content_length == 0 ? std::string() : std::to_string(content_length)) + "\n";
  for (const char* name : {"content-md5", "content-type", "date", "if-modified-since", "if-match",
                           "if-none-match", "if-unmodified-since", "range"}) {
    out += HeaderValue(headers, name) + "\n";
  }
  std::vector<std::pair<std::string, std::string>> ms_headers;
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (lower.starts_with("x-ms-")) ms_headers.emplace_back(lower, value);
  }
  std::sort(ms_headers.begin(), ms_headers.end());
  for (const auto& [name, value] : ms_headers) out += name + ":" + value + "\n";
  out += "/" + std::string(account) + std::string(url_path);
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [name, value] : query) params.emplace_back(Lower(name), value);
  std::sort(params.begin(), params.end());
  for (const auto& [name, value] : params) out += "\n" + name + ":" + value;
  return out;
}

Result<std::string> CachingTokenSource::Token() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::system_clock::now();
  if (!token_.empty() && now < refresh_at_) return token_;
  RS_ASSIGN_OR_RETURN(Fetched fetched, Fetch());
  auto lifetime = fetched.expires_at - now;
  auto early = std::min<std::chrono::system_clock::duration>(std::chrono::minutes(5), lifetime / 2);
  token_ = std::move(fetched.token);
  refresh_at_ = fetched.expires_at - early;
  return token_;
}

namespace {

class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  Result<std::string> Token() override { return token_; }
  std::string Kind() const override { return "static bearer token"; }

 private:
  std::string token_;
};

}  // namespace

std::shared_ptr<TokenSource> NewStaticTokenSource(std::string token) {
  return std::make_shared<StaticTokenSource>(std::move(token));
}

std::string AzureCredential::Describe() const {
  switch (kind) {
    case Kind::kSharedKey:
      return "shared key";
    case Kind::kSas:
      return "SAS token";
    case Kind::kBearer:
      return "bearer token (" + (token ? token->Kind() : std::string("none")) + ")";
    case Kind::kAnonymous:
      return "anonymous";
  }
  return "unknown";
}

}  // namespace rs::storage::internal
