#include "common/settings.h"

#include <cassert>
#include <cctype>
#include <charconv>
#include <string>

namespace rs {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kBlanks = " \t\r\n";
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Quoted(std::string_view name, std::string_view value) {
  return std::string(name) + "='" + std::string(value) + "'";
}

}  // namespace

Result<bool> ParseBool(std::string_view name, std::string_view value) {
  const std::string v = Lower(Trim(value));
  if (v == "true" || v == "1" || v == "yes" || v == "y" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "n" || v == "off") return false;
  return Status::InvalidArgument(Quoted(name, value) +
                                 " is not a boolean: use true/false, 1/0, yes/no, y/n or on/off");
}

Result<int64_t> ParseInt(std::string_view name, std::string_view value, int64_t min, int64_t max) {
  assert(min <= max);
  const std::string_view t = Trim(value);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!t.empty() && ec == std::errc() && end == t.data() + t.size() && v >= min && v <= max) {
    return v;
  }
  // The real range, always: "from 1 to 1000000000", not ">= 1".
  return Status::InvalidArgument(Quoted(name, value) + " is not a whole number from " +
                                 std::to_string(min) + " to " + std::to_string(max));
}

}  // namespace rs
