// Decoding of one column chunk: page headers, CRCs, decompression, levels and
// values, into the output representation of columnar.h.
#ifndef RS_PARQUET_READER_COLUMN_INTERNAL_H_
#define RS_PARQUET_READER_COLUMN_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/schema_reader_internal.h"

namespace rs::parquet {

// Most entries (values and nulls) one column chunk may declare; a page of RLE
// levels can claim billions of nulls in a few bytes, so the count is capped
// before anything is allocated from it.
inline constexpr int64_t kMaxChunkEntries = int64_t{1} << 30;

// The decoded entries of one leaf column, possibly over several row groups.
struct LeafData {
  std::vector<uint8_t> def;  // one per entry; empty when max_def == 0
  std::vector<uint8_t> rep;  // one per entry; empty when max_rep == 0
  ColumnVector values;       // values of the entries with def == max_def, in order
  size_t num_entries = 0;

  explicit LeafData(const LeafInfo& leaf) : values(ColumnVector::Make(Field{leaf.path, leaf.type})) {}
};

// The rows of one row group a read keeps: keep[r] != 0 keeps row r (of
// num_rows); a null `keep` keeps every row.
struct RowSelection {
  const uint8_t* keep = nullptr;
  int64_t num_rows = 0;
};

// Decodes every page of the column chunk held in `chunk` (which starts at file
// offset `chunk_offset`), appending its entries to *out. Errors name the page
// offset; the caller prefixes file, column and row group. The entries of rows
// `selection` drops are dropped page by page as they are decoded: their
// levels are removed and their values never reach out->values (a dictionary
// page's indices are filtered before the gather).
[[nodiscard]] Status ReadColumnChunk(std::string_view chunk, int64_t chunk_offset,
                                     const format::ColumnMetaData& meta, const LeafInfo& leaf,
                                     const RowSelection& selection, LeafData* out);

// Whether the chunk's metadata shows that every data page is dictionary-
// encoded (encoding_stats, else a conservative reading of `encodings`):
// then the dictionary page lists every value of the chunk.
bool AllDataPagesDictionaryEncoded(const format::ColumnMetaData& meta);

// Decodes the dictionary page at the front of `page` (the bytes from the
// chunk's dictionary page offset to its first data page, at file offset
// `page_offset`) into values of `leaf`'s output type; nullopt when the page
// there is not a dictionary page.
Result<std::optional<ColumnVector>> ReadDictionaryPage(std::string_view page, int64_t page_offset,
                                                       const format::ColumnMetaData& meta,
                                                       const LeafInfo& leaf);

// Converts physical statistics bytes (PLAIN encoding, without a length prefix
// for byte arrays) of `leaf` to a Value in the output representation.
Result<Value> DecodeStatisticValue(std::string_view bytes, const LeafInfo& leaf);

// The value at `index` of a column of primitive values, as a Value.
Value ValueAt(const ColumnVector& column, size_t index);

}  // namespace rs::parquet

#endif  // RS_PARQUET_READER_COLUMN_INTERNAL_H_
