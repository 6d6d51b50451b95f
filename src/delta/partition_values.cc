// Partition value strings (PROTOCOL.md "Partition Value Serialization"),
// URI path escaping and calendar arithmetic.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <random>

#include "common/calendar.h"
#include "delta/log_internal.h"

namespace rs::delta {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Status BadValue(std::string_view text, const DataType& type) {
  return Status::Corruption(fmt::format("partition value '{}' is not a valid {}", text,
                                        PrimitiveTypeName(type)));
}

// Unscaled integer of a decimal string at `scale`, e.g. ("-1.5", 3) -> -1500.
bool ParseDecimal(std::string_view text, int scale, Int128* out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  Int128 v = 0;
  // Appends one digit; false on a non-digit or beyond 128 bits (a decimal
  // holds at most 38 digits, so such a value is invalid anyway).
  constexpr Int128 kLimit = static_cast<Int128>(~static_cast<UInt128>(0) >> 1) / 10 - 1;
  auto push = [&v, kLimit](char c) {
    if (c < '0' || c > '9' || v > kLimit) return false;
    v = v * 10 + (c - '0');
    return true;
  };
  for (char c : whole) {
    if (!push(c)) return false;
  }
  for (int i = 0; i < scale; ++i) {
    if (!push(i < static_cast<int>(frac.size()) ? frac[i] : '0')) return false;
  }
  for (size_t i = scale; i < frac.size(); ++i) {
    if (frac[i] != '0') return false;  // more precision than the type holds
  }
  *out = negative ? -v : v;
  return true;
}

Value DecimalValue(Int128 unscaled, int precision) {
  if (precision <= 18) return Value::Int(static_cast<int64_t>(unscaled));
  std::string bytes(16, '\0');
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<char>(static_cast<uint8_t>(unscaled & 0xff));
    unscaled >>= 8;
  }
  return Value::Bytes(std::move(bytes));
}

Result<Value> ParseInteger(std::string_view text, const DataType& type) {
  int64_t v = 0;
  if (!ParseNumber(text, &v)) return BadValue(text, type);
  int64_t lo = type.id == TypeId::kByte    ? INT8_MIN
               : type.id == TypeId::kShort ? INT16_MIN
               : type.id == TypeId::kInteger ? INT32_MIN
                                             : INT64_MIN;
  int64_t hi = type.id == TypeId::kByte    ? INT8_MAX
               : type.id == TypeId::kShort ? INT16_MAX
               : type.id == TypeId::kInteger ? INT32_MAX
                                             : INT64_MAX;
  if (v < lo || v > hi) return BadValue(text, type);
  return Value::Int(v);
}

Result<double> ParseFloating(std::string_view text, const DataType& type) {
  if (text == "NaN") return std::nan("");
  if (text == "Infinity" || text == "+Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  double d = 0;
  if (!ParseNumber(text, &d)) return BadValue(text, type);
  return d;
}

}  // namespace

std::string DecimalToString(const Value& v, int scale) {
  Int128 u = 0;
  if (v.kind == Value::Kind::kBytes) {
    bool sign = !v.bytes.empty() && (static_cast<unsigned char>(v.bytes[0]) & 0x80);
    UInt128 bits = sign ? ~static_cast<UInt128>(0) : 0;
    for (unsigned char c : v.bytes) bits = (bits << 8) | c;
    u = static_cast<Int128>(bits);
  } else {
    u = v.i;
  }
  bool negative = u < 0;
  UInt128 mag = negative ? -static_cast<UInt128>(u) : u;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, scale + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, ".");
  }
  return (negative ? "-" : "") + digits;
}

// Years whose timestamps fit in int64 microseconds (about +-292,000 years).
constexpr int64_t kMaxAbsYear = 290000;

Result<int32_t> ParseDateDays(std::string_view text) {
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  size_t first = text.find('-', 1);
  size_t second = first == std::string_view::npos ? first : text.find('-', first + 1);
  if (second == std::string_view::npos || !ParseNumber(text.substr(0, first), &y) ||
      !ParseNumber(text.substr(first + 1, second - first - 1), &m) ||
      !ParseNumber(text.substr(second + 1), &d) || m < 1 || m > 12 || d < 1 || d > 31 ||
      y < -kMaxAbsYear || y > kMaxAbsYear) {
    return Status::InvalidArgument(fmt::format("'{}' is not a date (YYYY-MM-DD)", text));
  }
  return static_cast<int32_t>(DaysFromCivil(y, m, d));
}

Result<int64_t> ParseTimestampMicros(std::string_view text) {
  std::string_view t = text;
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  size_t sep = t.find_first_of(" T");
  RS_ASSIGN_OR_RETURN(int32_t days, ParseDateDays(t.substr(0, sep)));
  int64_t micros = static_cast<int64_t>(days) * 86400 * 1000000;
  if (sep == std::string_view::npos) return micros;
  std::string_view clock = t.substr(sep + 1);
  unsigned hh = 0, mm = 0, ss = 0;
  if (clock.size() < 8 || clock[2] != ':' || clock[5] != ':' ||
      !ParseNumber(clock.substr(0, 2), &hh) || !ParseNumber(clock.substr(3, 2), &mm) ||
      !ParseNumber(clock.substr(6, 2), &ss) || hh > 23 || mm > 59 || ss > 60) {
    return Status::InvalidArgument(fmt::format("'{}' is not a timestamp", text));
  }
  int64_t frac = 0;
  if (clock.size() > 8) {
    std::string_view f = clock.substr(9);
    if (clock[8] != '.' || f.empty() || f.size() > 9 || !ParseNumber(f, &frac)) {
      return Status::InvalidArgument(fmt::format("'{}' is not a timestamp", text));
    }
    for (size_t i = f.size(); i < 6; ++i) frac *= 10;
    for (size_t i = 6; i < f.size(); ++i) frac /= 10;
  }
  return micros + (hh * 3600 + mm * 60 + ss) * int64_t{1000000} + frac;
}

Result<Value> ParsePartitionValue(const std::optional<std::string>& text, const DataType& type) {
  if (!text || text->empty()) return Value::Null();
  const std::string& s = *text;
  switch (type.id) {
    case TypeId::kString:
    case TypeId::kBinary:
      return Value::Bytes(s);
    case TypeId::kBoolean:
      if (s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
      if (s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
      return BadValue(s, type);
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong:
      return ParseInteger(s, type);
    case TypeId::kFloat: {
      RS_ASSIGN_OR_RETURN(double d, ParseFloating(s, type));
      return Value::Float(static_cast<float>(d));
    }
    case TypeId::kDouble: {
      RS_ASSIGN_OR_RETURN(double d, ParseFloating(s, type));
      return Value::Double(d);
    }
    case TypeId::kDate: {
      auto days = ParseDateDays(s);
      if (!days.ok()) return BadValue(s, type);
      return Value::Int(*days);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: {
      auto micros = ParseTimestampMicros(s);
      if (!micros.ok()) return BadValue(s, type);
      return Value::Int(*micros);
    }
    case TypeId::kDecimal: {
      Int128 unscaled = 0;
      if (!ParseDecimal(s, type.scale, &unscaled)) return BadValue(s, type);
      return DecimalValue(unscaled, type.precision);
    }
    default:
      return Status::Corruption(fmt::format("partition column of nested type {}",
                                            static_cast<int>(type.id)));
  }
}

Result<std::optional<std::string>> FormatPartitionValue(const Value& v, const DataType& type) {
  if (v.is_null()) return std::optional<std::string>{};
  switch (type.id) {
    case TypeId::kString:
    case TypeId::kBinary:
      return std::optional<std::string>(v.bytes);
    case TypeId::kBoolean:
      return std::optional<std::string>(v.b ? "true" : "false");
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong:
      return std::optional<std::string>(std::to_string(v.i));
    case TypeId::kFloat:
      return std::optional<std::string>(fmt::format("{}", v.f));
    case TypeId::kDouble:
      return std::optional<std::string>(fmt::format("{}", v.d));
    case TypeId::kDate: {
      int64_t y = 0;
      unsigned m = 0, d = 0;
      CivilFromDays(v.i, &y, &m, &d);
      return std::optional<std::string>(fmt::format("{:04d}-{:02d}-{:02d}", y, m, d));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: {
      int64_t days = v.i >= 0 ? v.i / 86400000000 : -((-v.i + 86399999999) / 86400000000);
      int64_t rem = v.i - days * 86400000000;
      int64_t y = 0;
      unsigned m = 0, d = 0;
      CivilFromDays(days, &y, &m, &d);
      int64_t secs = rem / 1000000;
      return std::optional<std::string>(
          fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}.{:06d}", y, m, d, secs / 3600,
                      secs / 60 % 60, secs % 60, rem % 1000000));
    }
    case TypeId::kDecimal:
      return std::optional<std::string>(DecimalToString(v, type.scale));
    default:
      return Status::InvalidArgument("partition column of nested type");
  }
}

Result<ColumnRange> ParseEqualityFilter(const Schema& schema, const std::string& expr) {
  size_t eq = expr.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format("filter '{}' is not COL=VALUE", expr));
  }
  std::string column = expr.substr(0, eq);
  for (const Field& f : schema) {
    if (f.name != column) continue;
    if (f.type.is_nested()) {
      return Status::InvalidArgument("filter on nested column " + column + " is not supported");
    }
    auto value = ParsePartitionValue(expr.substr(eq + 1), f.type);
    if (!value.ok() || value->is_null()) {
      return Status::InvalidArgument(fmt::format("filter '{}': '{}' is not a valid {}", expr,
                                                 expr.substr(eq + 1), PrimitiveTypeName(f.type)));
    }
    return ColumnRange{column, *value, *value};
  }
  return Status::InvalidArgument(fmt::format("filter '{}': unknown column {}", expr, column));
}

Result<std::string> UnescapePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out.push_back(path[i]);
      continue;
    }
    unsigned code = 0;
    if (i + 2 >= path.size()) {
      return Status::Corruption(fmt::format("bad percent-escape in path '{}'", path));
    }
    auto [ptr, ec] = std::from_chars(path.data() + i + 1, path.data() + i + 3, code, 16);
    if (ec != std::errc() || ptr != path.data() + i + 3) {
      return Status::Corruption(fmt::format("bad percent-escape in path '{}'", path));
    }
    out.push_back(static_cast<char>(code));
    i += 2;
  }
  return out;
}

std::string EscapePath(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '=') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string EscapePartitionDirValue(std::string_view value) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\\x7f{}[]^";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || kSpecial.find(static_cast<char>(c)) != std::string_view::npos) {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          (static_cast<uint64_t>(std::random_device{}()) << 32)};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;              // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                     hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

}  // namespace rs::delta
