// Column helpers (see batch_internal.h).
#include <fmt/format.h>

#include <cstring>

#include "delta/batch_internal.h"
#include "delta/log_internal.h"

namespace rs::delta {
namespace {

template <typename T>
void Fill(ColumnVector* col, const T& v, size_t n) {
  col->As<T>().assign(n, v);
}

}  // namespace

ColumnVector MakeNullColumn(const Field& field, size_t n) {
  ColumnVector col = ColumnVector::Make(field);
  std::visit([n](auto& values) { values.resize(n); }, col.values);
  col.validity.assign(n, 0);
  return col;
}

Result<ColumnVector> MakeConstantColumn(const Field& field, const Value& value, size_t n) {
  if (value.is_null()) return MakeNullColumn(field, n);
  ColumnVector col = ColumnVector::Make(field);
  bool ok = std::visit(
      [&](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, Value>) {
          values.assign(n, value);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (value.kind != Value::Kind::kBytes) return false;
          values.assign(n, value.bytes);
        } else if constexpr (std::is_same_v<T, float>) {
          if (value.kind != Value::Kind::kFloat) return false;
          values.assign(n, value.f);
        } else if constexpr (std::is_same_v<T, double>) {
          if (value.kind != Value::Kind::kDouble) return false;
          values.assign(n, value.d);
        } else if constexpr (std::is_same_v<T, uint8_t>) {
          if (value.kind != Value::Kind::kBool) return false;
          values.assign(n, value.b ? 1 : 0);
        } else {
          if (value.kind != Value::Kind::kInt) return false;
          values.assign(n, static_cast<T>(value.i));
        }
        return true;
      },
      col.values);
  if (!ok) return Status::Internal("constant value does not match column " + field.name);
  return col;
}

Status AppendColumn(ColumnVector* dst, ColumnVector&& src) {
  if (dst->values.index() != src.values.index()) {
    return Status::Internal("append of mismatched column " + src.field.name);
  }
  size_t old_size = dst->size();
  if (!dst->validity.empty() || !src.validity.empty()) {
    if (dst->validity.empty()) dst->validity.assign(old_size, 1);
    if (src.validity.empty()) {
      dst->validity.insert(dst->validity.end(), src.size(), 1);
    } else {
      dst->validity.insert(dst->validity.end(), src.validity.begin(), src.validity.end());
    }
  }
  std::visit(
      [&](auto& values) {
        using V = std::decay_t<decltype(values)>;
        V& add = std::get<V>(src.values);
        if (values.empty() && values.capacity() < add.size()) {
          values = std::move(add);
        } else {
          values.insert(values.end(), std::make_move_iterator(add.begin()),
                        std::make_move_iterator(add.end()));
        }
      },
      dst->values);
  return Status::OK();
}

void FilterColumn(ColumnVector* col, const std::vector<uint8_t>& keep) {
  std::visit(
      [&](auto& values) {
        size_t out = 0;
        for (size_t i = 0; i < values.size(); ++i) {
          if (!keep[i]) continue;
          if (out != i) values[out] = std::move(values[i]);
          if (!col->validity.empty()) col->validity[out] = col->validity[i];
          ++out;
        }
        values.resize(out);
        if (!col->validity.empty()) col->validity.resize(out);
      },
      col->values);
}

Result<ColumnVector> ConformColumn(ColumnVector col, const Field& target) {
  ColumnVector want = ColumnVector::Make(target);
  if (want.values.index() == col.values.index()) {
    col.field = target;
    return col;
  }
  if (std::holds_alternative<std::vector<int32_t>>(col.values) &&
      std::holds_alternative<std::vector<int64_t>>(want.values)) {
    const auto& src = col.As<int32_t>();
    want.As<int64_t>().assign(src.begin(), src.end());
  } else if (std::holds_alternative<std::vector<float>>(col.values) &&
             std::holds_alternative<std::vector<double>>(want.values)) {
    const auto& src = col.As<float>();
    want.As<double>().assign(src.begin(), src.end());
  } else {
    return Status::Corruption(fmt::format("column {} has type {} in the file, table type is {}",
                                          target.name, PrimitiveTypeName(col.field.type),
                                          PrimitiveTypeName(target.type)));
  }
  want.validity = std::move(col.validity);
  return want;
}

Value ValueAt(const ColumnVector& col, size_t row) {
  if (!col.IsValid(row)) return Value::Null();
  return std::visit(
      [&](const auto& values) -> Value {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, Value>) {
          return values[row];
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Value::Bytes(values[row]);
        } else if constexpr (std::is_same_v<T, float>) {
          return Value::Float(values[row]);
        } else if constexpr (std::is_same_v<T, double>) {
          return Value::Double(values[row]);
        } else if constexpr (std::is_same_v<T, uint8_t>) {
          return Value::Bool(values[row] != 0);
        } else {
          return Value::Int(values[row]);
        }
      },
      col.values);
}

std::optional<int> CompareValues(const DataType& type, const Value& a, const Value& b) {
  if (a.kind != b.kind) return std::nullopt;
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.kind) {
    case Value::Kind::kInt: return cmp(a.i, b.i);
    case Value::Kind::kBool: return cmp(a.b, b.b);
    case Value::Kind::kFloat:
      if (a.f != a.f || b.f != b.f) return std::nullopt;
      return cmp(a.f, b.f);
    case Value::Kind::kDouble:
      if (a.d != a.d || b.d != b.d) return std::nullopt;
      return cmp(a.d, b.d);
    case Value::Kind::kBytes: {
      if (type.id == TypeId::kDecimal) return std::nullopt;
      int c = a.bytes.compare(b.bytes);  // char_traits<char> compares as unsigned char
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: return std::nullopt;
  }
}

bool InRange(const DataType& type, const Value& v, const Value& min, const Value& max) {
  if (v.is_null()) return false;
  if (!min.is_null()) {
    auto c = CompareValues(type, v, min);
    if (!c || *c < 0) return false;
  }
  if (!max.is_null()) {
    auto c = CompareValues(type, v, max);
    if (!c || *c > 0) return false;
  }
  return true;
}

}  // namespace rs::delta
