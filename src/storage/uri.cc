// Percent-encoding through libcurl (curl_easy_escape / curl_easy_unescape,
// which need no handle since 7.82). libcurl's decoder passes a malformed
// escape such as "%zz" through unchanged, so decoding checks the escapes
// first: a path that means something else than it says is refused.
#include <curl/curl.h>

#include <cctype>
#include <memory>

#include "storage/uri_internal.h"

namespace rs::storage::internal {
namespace {

using CurlString = std::unique_ptr<char, decltype(&curl_free)>;

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// libcurl escapes every byte but RFC 3986's unreserved characters.
std::string EscapeSegment(std::string_view segment) {
  if (segment.empty()) return std::string();
  CurlString escaped(curl_easy_escape(nullptr, segment.data(), static_cast<int>(segment.size())),
                     &curl_free);
  if (escaped == nullptr) throw std::bad_alloc();  // libcurl's only failure
  return escaped.get();
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  for (size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i + 1)) {
    if (i + 2 >= text.size() || !IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) {
      return Status::InvalidArgument("malformed percent-escape at offset " + std::to_string(i));
    }
  }
  int length = 0;
  CurlString decoded(
      curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length), &curl_free);
  if (decoded == nullptr) return Status::Internal("percent-decode: out of memory");
  return std::string(decoded.get(), static_cast<size_t>(length));
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
  if (!keep_slash) return EscapeSegment(text);
  std::string out;
  out.reserve(text.size());
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    out += EscapeSegment(text.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

}  // namespace rs::storage::internal
