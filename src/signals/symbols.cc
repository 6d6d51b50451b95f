#include <fmt/format.h>

#include "common/utf8.h"
#include "signals/symbols_internal.h"

namespace rs::signals::internal {

std::optional<std::string> BrokenSymbolRule(std::string_view symbol) {
  // The message shows the bytes, so the offset adds nothing.
  if (!IsValidUtf8(symbol)) return "is not UTF-8; the column is damaged or not text";
  for (size_t i = 0; i < symbol.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(symbol[i]);
    if (c < 0x20 || c == 0x7f) {
      return fmt::format(
          "holds control character 0x{:02X} at byte {} (symbols may not hold "
          "control characters; PostgreSQL text cannot store NUL)",
          c, i);
    }
  }
  if (symbol.size() > kMaxSymbolBytes) {
    return fmt::format("has {} bytes (symbols may have at most {} bytes)", symbol.size(),
                       kMaxSymbolBytes);
  }
  return std::nullopt;
}

std::string ShowSymbol(std::string_view symbol) {
  constexpr size_t kShown = 40;
  std::string shown;
  for (unsigned char c : symbol.substr(0, kShown)) {
    shown += c >= 0x20 && c < 0x7f && c != '\\' ? std::string(1, static_cast<char>(c))
                                                : fmt::format("\\x{:02X}", c);
  }
  if (symbol.size() > kShown) shown += fmt::format("... ({} bytes)", symbol.size());
  return shown;
}

}  // namespace rs::signals::internal
