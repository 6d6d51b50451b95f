// Key validation shared by every Storage implementation, so all of them
// accept and refuse the same keys.
#ifndef RS_STORAGE_KEY_INTERNAL_H_
#define RS_STORAGE_KEY_INTERNAL_H_

#include <string_view>

#include "common/status.h"

namespace rs::storage::internal {

// OK for a relative key: non-empty, no leading '/', no empty, "." or ".."
// segment, no NUL byte. `operation` names the caller in the message.
[[nodiscard]] Status ValidateKey(std::string_view operation, std::string_view key);

// True when `name` (one path segment) is a temporary file of the local store.
bool IsTempFileName(std::string_view name);

inline constexpr std::string_view kTempMarker = ".rs-tmp-";

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_KEY_INTERNAL_H_
