// JSON text of rows, one object per row with the columns in schema order, in
// the value encoding of the shared conformance corpus (conformance/README.md,
// "Value encoding"): floats as the shortest round-trip decimal (binary32 for
// float), decimals as strings with exactly `scale` fraction digits, binary as
// lowercase hex, dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.ffffff[Z],
// maps as [key, value] pairs sorted by the key's JSON text, NaN and infinities
// as strings. Used by `table scan` and the conformance test.
#ifndef RS_DELTA_ROW_JSON_H_
#define RS_DELTA_ROW_JSON_H_

#include <string>

#include "common/columnar.h"

namespace rs::delta {

// Appends the JSON of one value of `type`.
void AppendValueJson(const DataType& type, const Value& value, std::string* out);
// Appends the JSON of row `row` of `column`.
void AppendCellJson(const ColumnVector& column, size_t row, std::string* out);
// {"col": value, ...} for row `row` of `batch`.
std::string RowToJson(const RecordBatch& batch, size_t row);

}  // namespace rs::delta

#endif  // RS_DELTA_ROW_JSON_H_
