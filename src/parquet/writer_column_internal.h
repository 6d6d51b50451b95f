// Buffers one leaf column of the current row group and encodes it as a
// column chunk: optional dictionary page, data pages v1, statistics.
//
// Values arrive either as slices of a flat ColumnVector (the fast path) or
// one level entry at a time from the nested shredder. Strings and binary are
// dictionary-encoded while the dictionary stays under its byte limit; past it
// the chunk falls back to PLAIN for all of its pages.
#ifndef RS_PARQUET_WRITER_COLUMN_INTERNAL_H_
#define RS_PARQUET_WRITER_COLUMN_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/compression_internal.h"
#include "parquet/writer.h"
#include "parquet/writer_schema_internal.h"

namespace rs::parquet {

// Statistics over non-null values, as physical Values (see writer.h).
struct LeafStats {
  int64_t null_count = 0;
  std::optional<Value> min;
  std::optional<Value> max;

  // Widens this to cover `other` in the leaf's sort order.
  void Merge(const LeafStats& other, LeafStorage storage);
};

// Three-way comparison in the column's sort order (Parquet's TYPE_ORDER).
int CompareStat(const Value& a, const Value& b, LeafStorage storage);

// PLAIN bytes of a statistic, as the footer stores it.
std::string EncodeStat(const Value& v, LeafStorage storage);

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const LeafColumn& leaf, const WriterOptions& options);
  ~ColumnChunkWriter();
  ColumnChunkWriter(ColumnChunkWriter&&) noexcept;

  // Rows [begin, end) of a top-level primitive column.
  // REQUIRES: the column's vector alternative matches the leaf's storage.
  [[nodiscard]] Status AppendFlat(const ColumnVector& column, size_t begin, size_t end);

  // One present value at max_def (nested path).
  [[nodiscard]] Status AppendValue(int16_t rep, const Value& value);
  // One absent value (null or empty list somewhere above) at `def` < max_def.
  void AppendNull(int16_t def, int16_t rep);

  // Encoded size estimate of what is buffered.
  int64_t EstimatedBytes() const;

  // Appends the buffered data as one column chunk to `file` and describes it
  // in `chunk`; `stats` gets the chunk's statistics. Buffers are then reset.
  [[nodiscard]] Status Flush(Compressor* compressor, std::string* file,
                             format::ColumnChunk* chunk, LeafStats* stats);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace rs::parquet

#endif  // RS_PARQUET_WRITER_COLUMN_INTERNAL_H_
