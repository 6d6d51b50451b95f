#include <cmath>
#include <optional>
#include <string>

#include "parquet/reader_column_internal.h"
#include "parquet/reader_stats_internal.h"

namespace rs::parquet {
namespace {

using format::Type;

Value::Kind KindOf(const DataType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return Value::Kind::kBool;
    case TypeId::kFloat:
      return Value::Kind::kFloat;
    case TypeId::kDouble:
      return Value::Kind::kDouble;
    case TypeId::kString:
    case TypeId::kBinary:
      return Value::Kind::kBytes;
    case TypeId::kDecimal:
      return type.precision > 18 ? Value::Kind::kBytes : Value::Kind::kInt;
    default:
      return Value::Kind::kInt;
  }
}

bool IsFloating(Value::Kind k) { return k == Value::Kind::kFloat || k == Value::Kind::kDouble; }

double AsDouble(const Value& v) {
  if (v.kind == Value::Kind::kFloat) return v.f;
  if (v.kind == Value::Kind::kDouble) return v.d;
  return static_cast<double>(v.i);
}

// -1, 0, 1; nullopt when unordered (NaN).
std::optional<int> Compare(const Value& a, const Value& b) {
  if (IsFloating(a.kind) || IsFloating(b.kind)) {
    const double x = AsDouble(a), y = AsDouble(b);
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  switch (a.kind) {
    case Value::Kind::kBool:
      return static_cast<int>(a.b) - static_cast<int>(b.b);
    case Value::Kind::kInt:
      return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case Value::Kind::kBytes: {
      const int c = a.bytes.compare(b.bytes);  // byte-wise, unsigned (char_traits<char>)
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return std::nullopt;
  }
}

// Statistics usable for range pruning, per the format's sort-order rules:
// min_value/max_value always (they follow the column order); the deprecated
// min/max only where they were computed with a signed order that matches ours.
bool PickStatistics(const format::Statistics& s, const LeafInfo& leaf, std::string_view* min,
                    std::string_view* max) {
  if (leaf.physical == Type::INT96) return false;
  if (leaf.type.id == TypeId::kDecimal && leaf.type.precision > 18) return false;
  if (s.__isset.min_value && s.__isset.max_value) {
    *min = s.min_value;
    *max = s.max_value;
    return true;
  }
  const bool signed_physical = leaf.physical != Type::BYTE_ARRAY &&
                               leaf.physical != Type::FIXED_LEN_BYTE_ARRAY;
  if (s.__isset.min && s.__isset.max && signed_physical && !leaf.unsigned_order) {
    *min = s.min;
    *max = s.max;
    return true;
  }
  return false;
}

}  // namespace

Status CheckPredicateType(const RangePredicate& predicate, const LeafInfo& leaf) {
  const Value::Kind want = KindOf(leaf.type);
  for (const auto* bound : {&predicate.min, &predicate.max}) {
    if (!bound->has_value()) continue;
    const Value::Kind got = (*bound)->kind;
    const bool ok = got == want || (IsFloating(got) && IsFloating(want)) ||
                    (got == Value::Kind::kInt && IsFloating(want));
    if (!ok) {
      return Status::InvalidArgument("predicate on column '" + predicate.column +
                                     "': a " + std::string(KindName(got)) +
                                     " bound does not match the column's " + std::string(KindName(want)) +
                                     " values");
    }
  }
  return Status::OK();
}

Result<bool> ChunkMayMatch(const format::ColumnMetaData& meta, const LeafInfo& leaf,
                           const RangePredicate& predicate) {
  if (!meta.__isset.statistics) return true;
  const format::Statistics& s = meta.statistics;
  if (s.__isset.null_count && meta.num_values > 0 && s.null_count == meta.num_values) {
    return false;  // only nulls, which no range contains
  }
  std::string_view min_bytes, max_bytes;
  if (!PickStatistics(s, leaf, &min_bytes, &max_bytes)) return true;
  auto min = DecodeStatisticValue(min_bytes, leaf);
  auto max = DecodeStatisticValue(max_bytes, leaf);
  if (!min.ok() || !max.ok()) return true;  // unusable statistics never skip data
  if (predicate.min) {
    const auto c = Compare(*max, *predicate.min);
    if (c && *c < 0) return false;
  }
  if (predicate.max) {
    const auto c = Compare(*min, *predicate.max);
    if (c && *c > 0) return false;
  }
  return true;
}

}  // namespace rs::parquet
