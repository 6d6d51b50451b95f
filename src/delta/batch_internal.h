// Column helpers for scans and writes: constant and null columns, appending,
// filtering, value access and comparison in a column's logical order.
#ifndef RS_DELTA_BATCH_INTERNAL_H_
#define RS_DELTA_BATCH_INTERNAL_H_

#include <optional>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"

namespace rs::delta {

// `n` copies of `value` (null when value is null).
Result<ColumnVector> MakeConstantColumn(const Field& field, const Value& value, size_t n);
ColumnVector MakeNullColumn(const Field& field, size_t n);
// Moves the rows of `src` (same physical alternative) to the end of `dst`.
Status AppendColumn(ColumnVector* dst, ColumnVector&& src);
// Keeps the rows whose `keep` byte is 1.
void FilterColumn(ColumnVector* col, const std::vector<uint8_t>& keep);
// Converts a column read from a file to the table's field (same type or a
// widening: int -> long, float -> double); else Corruption naming the column.
Result<ColumnVector> ConformColumn(ColumnVector col, const Field& target);
// The value at `row` as a Value (null when invalid).
Value ValueAt(const ColumnVector& col, size_t row);
// Orders two non-null values of a primitive type; nullopt when not comparable.
std::optional<int> CompareValues(const DataType& type, const Value& a, const Value& b);
// Whether `v` lies within [min, max] (null bounds are open; a null v never does).
bool InRange(const DataType& type, const Value& v, const Value& min, const Value& max);

}  // namespace rs::delta

#endif  // RS_DELTA_BATCH_INTERNAL_H_
