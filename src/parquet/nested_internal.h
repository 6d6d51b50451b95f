// Record assembly: turns the decoded leaves (levels + defined values) of one
// top-level field into its output column. Flat columns become typed vectors
// with validity; nested ones (struct, list, map) become Value trees, following
// the repetition/definition level rules of the Parquet format (Dremel).
#ifndef RS_PARQUET_NESTED_INTERNAL_H_
#define RS_PARQUET_NESTED_INTERNAL_H_

#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "parquet/reader_column_internal.h"
#include "parquet/schema_reader_internal.h"

namespace rs::parquet {

// `leaves[i]` holds the data of leaf node.first_leaf + i; its values are moved
// out. Fails with Corruption when the levels are inconsistent (a row not
// starting at repetition level 0, leaves of different row counts, entries left
// over) or the row count differs from `num_rows`.
Result<ColumnVector> AssembleColumn(const SchemaNode& node, const Field& field,
                                    const std::vector<LeafInfo>& infos,
                                    const std::vector<LeafData*>& leaves, size_t num_rows);

}  // namespace rs::parquet

#endif  // RS_PARQUET_NESTED_INTERNAL_H_
