// Percent-encoding helpers for URIs and blob names.
#ifndef RS_STORAGE_URI_INTERNAL_H_
#define RS_STORAGE_URI_INTERNAL_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace rs::storage::internal {

// Decodes %XX escapes; InvalidArgument on a malformed escape.
Result<std::string> PercentDecode(std::string_view text);

// Encodes every byte except RFC 3986 unreserved characters, and '/' when
// `keep_slash` (for URL paths).
std::string PercentEncode(std::string_view text, bool keep_slash);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_URI_INTERNAL_H_
