// Row-group pruning: compares a RangePredicate with column chunk statistics.
#ifndef RS_PARQUET_READER_STATS_INTERNAL_H_
#define RS_PARQUET_READER_STATS_INTERNAL_H_

#include "common/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/reader.h"
#include "parquet/schema_reader_internal.h"

namespace rs::parquet {

// InvalidArgument when a bound's Value kind does not suit the column.
[[nodiscard]] Status CheckPredicateType(const RangePredicate& predicate, const LeafInfo& leaf);

// False only when the chunk's statistics prove no value lies in the range.
// Statistics that are absent, unreadable or of an unsafe sort order keep the chunk.
Result<bool> ChunkMayMatch(const format::ColumnMetaData& meta, const LeafInfo& leaf,
                           const RangePredicate& predicate);

}  // namespace rs::parquet

#endif  // RS_PARQUET_READER_STATS_INTERNAL_H_
