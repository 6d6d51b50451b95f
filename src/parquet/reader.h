// Parquet file reader: footer, schema, column projection, row-group skipping
// from statistics, and decoding into rs::RecordBatch (common/columnar.h).
//
// Supported: data pages v1 and v2, dictionary pages; encodings PLAIN,
// PLAIN_DICTIONARY, RLE_DICTIONARY, RLE (booleans, levels), DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; codecs
// UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW; nested structs, lists (standard
// and legacy forms) and maps. docs/parquet_subset.md ("Reader") lists the type
// mapping and limits.
//
// Output: flat columns are typed vectors; nested ones are Value trees (struct:
// children in schema order; list: elements; map: [k0, v0, k1, v1, ...]).
// Timestamps are microseconds whatever the file's unit; INT96 is read as
// kTimestamp; decimals use the representation columnar.h gives their precision.
//
// Errors: rs::Status naming the file (and column, row group, page offset where
// known): Corruption for malformed input, Unimplemented for valid features we
// do not read (encryption, LZO/BROTLI/framed LZ4), InvalidArgument for a bad
// request (unknown column, predicate of the wrong type), FailedPrecondition
// when a column's type differs from the caller's expectation.
//
// Thread-safety: a FileReader is not safe for concurrent calls; open one per
// thread.
//
// Ownership: a FileReader opened on a Storage shares it (shared_ptr), as a
// delta::Table does: it may outlive every other owner. The one rule for
// Storage across the modules: whatever keeps a Storage past one call holds a
// shared_ptr; a `storage::Storage&` parameter is borrowed for that call only
// (parquet::WriteFile, the Delta log functions).
#ifndef RS_PARQUET_READER_H_
#define RS_PARQUET_READER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "storage/storage.h"

namespace rs::parquet {

// Inclusive range on a top-level primitive column. A row group whose
// statistics prove that no value lies in [min, max] is skipped; rows of the
// row groups read are NOT filtered. Values use the column's representation:
// Int for integers, dates (days), timestamps (micros) and decimals <= 18
// digits (unscaled); Double/Float for floating point; Bytes for strings.
struct RangePredicate {
  std::string column;
  std::optional<Value> min;
  std::optional<Value> max;
};

struct ReadOptions {
  std::vector<std::string> columns;          // top-level names; empty = all, file order
  std::vector<RangePredicate> predicates;    // all must hold (AND)
  std::vector<Field> expected;               // each must exist with this type, else FailedPrecondition
  int num_threads = 1;                       // leaf columns decoded in parallel (threads started per Read)
  // Not owned; null = every row. Else it holds num_rows() bytes, one per row
  // of the file by position (counting every row group, skipped ones too), and
  // row i is returned only when (*keep_rows)[i] != 0; the others are dropped
  // while decoding, before their values are built (deletion vectors).
  // InvalidArgument when its size is not num_rows().
  const std::vector<uint8_t>* keep_rows = nullptr;
};

struct ReadStats {
  int row_groups_read = 0;
  int row_groups_skipped = 0;
  int64_t bytes_fetched = 0;  // column chunk bytes read from storage
};

class FileReader {
 public:
  // Reads the footer with ranged reads: Head for the size, the last 64 KiB,
  // then the rest of the footer if it is longer. The reader keeps `storage`
  // for its reads (InvalidArgument when null).
  static Result<std::unique_ptr<FileReader>> Open(std::shared_ptr<storage::Storage> storage,
                                                  const std::string& key);
  // A file held in memory; `name` appears in messages.
  static Result<std::unique_ptr<FileReader>> OpenBuffer(std::string bytes, std::string name);

  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // The file's columns as fields (nested ones with their children); each
  // Field::field_id is the schema element's field_id when the file has one
  // (Delta column mapping, Iceberg), at every level: a list's element and a
  // map's key and value carry their own element's id.
  const Schema& schema() const;
  int64_t num_rows() const;
  int num_row_groups() const;
  int64_t row_group_num_rows(int row_group) const;
  const std::map<std::string, std::string>& key_value_metadata() const;
  const std::string& created_by() const;

  // Reads the projected columns of every row group not skipped by the predicates.
  Result<RecordBatch> Read(const ReadOptions& options = ReadOptions());
  // Reads one row group (predicates are checked: a skipped group yields 0 rows).
  Result<RecordBatch> ReadRowGroup(int row_group, const ReadOptions& options = ReadOptions());
  // Whether the predicates allow row group `row_group` (false = provably no match).
  Result<bool> RowGroupMayMatch(int row_group, const std::vector<RangePredicate>& predicates) const;

  // The distinct values of the string or binary column `column` in row group
  // `row_group`, read from its column chunk's dictionary page alone (no data
  // page is fetched): a value not listed is in no row of the group. Nulls are
  // not listed; a listed value may be in no row. nullopt ("unknown") when the
  // chunk's metadata does not show every data page dictionary-encoded (a
  // writer that fell back to PLAIN, or says too little), or the chunk has no
  // dictionary page before its data pages: only decoding the column tells
  // then. Min/max statistics (RowGroupMayMatch) can rule a value out too.
  // InvalidArgument for a row group out of range or a column that is not a
  // top-level string or binary column of the file.
  Result<std::optional<std::vector<std::string>>> DictionaryValues(int row_group,
                                                                   const std::string& column);

  // Counters accumulated over all Read calls.
  const ReadStats& stats() const;

 private:
  struct Impl;
  explicit FileReader(std::unique_ptr<Impl> impl);
  Result<RecordBatch> ReadGroups(const std::vector<int>& row_groups, const ReadOptions& options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rs::parquet

#endif  // RS_PARQUET_READER_H_
