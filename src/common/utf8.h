// UTF-8 validation for text that must be UTF-8 by contract: Parquet STRING
// columns, Delta's JSON log and stats, PostgreSQL text. Data read from a
// damaged or foreign file may not be.
//
// Thread-safety: pure functions.
#ifndef RS_COMMON_UTF8_H_
#define RS_COMMON_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rs {

// Offset of the first byte of the first invalid sequence in `text` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF, no truncated
// sequence), or std::string_view::npos when all of `text` is valid UTF-8.
size_t FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

// "byte 0xNN at offset K" for the first invalid sequence of `text`, for error
// messages; std::nullopt when all of `text` is valid UTF-8.
std::optional<std::string> DescribeInvalidUtf8(std::string_view text);

}  // namespace rs

#endif  // RS_COMMON_UTF8_H_
