// Row encoding for `table scan` (see row_json.h).
#include "delta/row_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/calendar.h"
#include "delta/log_internal.h"

namespace rs::delta {
namespace {

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          *out += fmt::format("\\u{:04x}", c);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

template <typename F>
void AppendFloating(F v, std::string* out) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip
    out->append(buf, res.ptr);
  }
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : bytes) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
  out->push_back('"');
}

void AppendDate(int64_t days, std::string* out) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  *out += fmt::format("\"{:04d}-{:02d}-{:02d}\"", y, m, d);
}

void AppendTimestamp(int64_t micros, bool utc, std::string* out) {
  constexpr int64_t kDay = 86400000000;
  int64_t days = micros >= 0 ? micros / kDay : -((-micros + kDay - 1) / kDay);
  int64_t rem = micros - days * kDay;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  int64_t secs = rem / 1000000;
  *out += fmt::format("\"{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}{}\"", y, m, d,
                      secs / 3600, secs / 60 % 60, secs % 60, rem % 1000000, utc ? "Z" : "");
}

void AppendMap(const DataType& type, const Value& v, std::string* out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i + 1 < v.children.size(); i += 2) {
    std::string key;
    std::string value;
    AppendValueJson(type.children[0].type, v.children[i], &key);
    AppendValueJson(type.children[1].type, v.children[i + 1], &value);
    pairs.emplace_back(std::move(key), std::move(value));
  }
  std::sort(pairs.begin(), pairs.end());
  out->push_back('[');
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += "[" + pairs[i].first + "," + pairs[i].second + "]";
  }
  out->push_back(']');
}

void AppendStruct(const DataType& type, const Value& v, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < type.children.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendString(type.children[i].name, out);
    out->push_back(':');
    if (i < v.children.size()) {
      AppendValueJson(type.children[i].type, v.children[i], out);
    } else {
      *out += "null";
    }
  }
  out->push_back('}');
}

void AppendList(const DataType& type, const Value& v, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < v.children.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendValueJson(type.children[0].type, v.children[i], out);
  }
  out->push_back(']');
}

}  // namespace

void AppendValueJson(const DataType& type, const Value& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  switch (type.id) {
    case TypeId::kBoolean: *out += v.b ? "true" : "false"; break;
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong: *out += std::to_string(v.i); break;
    case TypeId::kFloat:
      AppendFloating(v.kind == Value::Kind::kDouble ? static_cast<float>(v.d) : v.f, out);
      break;
    case TypeId::kDouble:
      AppendFloating(v.kind == Value::Kind::kFloat ? static_cast<double>(v.f) : v.d, out);
      break;
    case TypeId::kString: AppendString(v.bytes, out); break;
    case TypeId::kBinary: AppendHex(v.bytes, out); break;
    case TypeId::kDate: AppendDate(v.i, out); break;
    case TypeId::kTimestamp: AppendTimestamp(v.i, true, out); break;
    case TypeId::kTimestampNtz: AppendTimestamp(v.i, false, out); break;
    case TypeId::kDecimal: AppendString(DecimalToString(v, type.scale), out); break;
    case TypeId::kStruct: AppendStruct(type, v, out); break;
    case TypeId::kArray: AppendList(type, v, out); break;
    case TypeId::kMap: AppendMap(type, v, out); break;
  }
}

void AppendCellJson(const ColumnVector& col, size_t row, std::string* out) {
  if (!col.IsValid(row)) {
    *out += "null";
    return;
  }
  const DataType& type = col.field.type;
  std::visit(
      [&](const auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, Value>) {
          AppendValueJson(type, values[row], out);
        } else if constexpr (std::is_same_v<T, std::string>) {
          Value v = Value::Bytes(values[row]);
          AppendValueJson(type, v, out);
        } else if constexpr (std::is_same_v<T, float>) {
          AppendValueJson(type, Value::Float(values[row]), out);
        } else if constexpr (std::is_same_v<T, double>) {
          AppendValueJson(type, Value::Double(values[row]), out);
        } else if constexpr (std::is_same_v<T, uint8_t>) {
          AppendValueJson(type, Value::Bool(values[row] != 0), out);
        } else {
          AppendValueJson(type, Value::Int(values[row]), out);
        }
      },
      col.values);
}

std::string RowToJson(const RecordBatch& batch, size_t row) {
  std::string out = "{";
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (c > 0) out.push_back(',');
    AppendString(batch.columns[c].field.name, &out);
    out.push_back(':');
    AppendCellJson(batch.columns[c], row, &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace rs::delta
