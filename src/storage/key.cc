#include <string>

#include "storage/key_internal.h"

namespace rs::storage::internal {

namespace {

Status BadKey(std::string_view operation, std::string_view key, std::string_view why) {
  return Status::InvalidArgument(std::string(operation) + " '" + std::string(key) +
                                 "': invalid key: " + std::string(why));
}

}  // namespace

Status ValidateKey(std::string_view operation, std::string_view key) {
  if (key.empty()) return BadKey(operation, key, "empty");
  if (key.front() == '/') return BadKey(operation, key, "must not start with '/'");
  if (key.find('\0') != std::string_view::npos) return BadKey(operation, key, "contains NUL");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) return BadKey(operation, key, "empty path segment");
    if (segment == "." || segment == "..") return BadKey(operation, key, "'.' or '..' segment");
    if (IsTempFileName(segment)) return BadKey(operation, key, "reserved temporary-file name");
    start = end + 1;
  }
  return Status::OK();
}

bool IsTempFileName(std::string_view name) {
  return !name.empty() && name.front() == '.' && name.find(kTempMarker) != std::string_view::npos;
}

}  // namespace rs::storage::internal
