// Parquet file writer: record batches in, one Parquet file (bytes) out.
//
// Writes the subset described in docs/parquet_subset.md: flat and nested
// (struct, 3-level LIST, MAP) columns of Delta's logical types, data pages v1
// with RLE/bit-packed levels, dictionary encoding for every type except
// boolean and wide decimals (falling back to PLAIN when the dictionary
// outgrows its limit), SNAPPY/GZIP/ZSTD compression, and column chunk
// statistics.
// Files are read by DuckDB, Arrow (C++ and Rust) and Spark.
//
// Usage:
//   RS_ASSIGN_OR_RETURN(auto writer, FileWriter::Create(schema, options));
//   RS_RETURN_IF_ERROR(writer->WriteBatch(batch));   // any number of times
//   RS_ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
// REQUIRES: exactly one of Finish() or Abandon() is called before destruction.
//
// Thread-safety: a FileWriter is used by one thread at a time.
#ifndef RS_PARQUET_WRITER_H_
#define RS_PARQUET_WRITER_H_

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

enum class Compression { kNone, kSnappy, kGzip, kZstd };

struct WriterOptions {
  Compression compression = Compression::kSnappy;
  // A row group is closed once its buffered, encoded estimate reaches this.
  int64_t row_group_bytes = int64_t{128} << 20;
  // Target uncompressed size of one data page.
  int64_t page_bytes = int64_t{1} << 20;
  // A column chunk whose dictionary (PLAIN bytes) grows past this is written PLAIN.
  int64_t dictionary_bytes_limit = int64_t{1} << 20;
  // Dictionary-encode columns (all but BOOLEAN and FIXED_LEN_BYTE_ARRAY decimals).
  bool dictionary_enabled = true;
  int zstd_level = 3;
  int gzip_level = 6;
  // Written to the footer's key_value_metadata.
  std::map<std::string, std::string> key_value_metadata;
};

// Statistics of one top-level primitive column over the whole file.
// min/max are in the logical type's order (strings: unsigned bytes; floats
// ignore NaN, a zero min is -0.0 and a zero max +0.0) and use the physical
// representation of rs::Value (Int for integers, dates, timestamps and
// decimals up to 18 digits; Bytes for strings, binary and wider decimals).
// They are absent when the column has no non-null (non-NaN) value.
struct ColumnStatistics {
  std::string column;
  int64_t null_count = 0;
  std::optional<Value> min;
  std::optional<Value> max;
};

struct FileSummary {
  int64_t num_rows = 0;
  uint64_t size_bytes = 0;
  int num_row_groups = 0;
  std::vector<ColumnStatistics> columns;  // top-level primitive columns, schema order
};

class FileWriter {
 public:
  // A Field::field_id that is set (at any level) is written as the schema
  // element's field_id.
  // Fails with InvalidArgument when `schema` has no columns, a duplicate or
  // empty name, a decimal outside precision 1..38, or a malformed nested type.
  static Result<std::unique_ptr<FileWriter>> Create(Schema schema, WriterOptions options);

  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends the rows of `batch`, whose schema must equal the writer's.
  // Fails with InvalidArgument (naming the column) on a schema mismatch, a
  // wrong physical vector, or a null in a non-nullable field; the writer is
  // then unusable except for Abandon().
  [[nodiscard]] Status WriteBatch(const RecordBatch& batch);

  // Flushes the last row group and returns the complete file.
  Result<std::string> Finish();

  // Drops everything buffered; the writer is then finished.
  void Abandon();

  // Complete after a successful Finish().
  const FileSummary& summary() const;

 private:
  struct Impl;
  explicit FileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Encodes `batch` as one file and stores it under `key` with storage.Put,
// which is atomic: the object appears only when complete.
Result<FileSummary> WriteFile(storage::Storage& storage, const std::string& key,
                              const RecordBatch& batch, const WriterOptions& options);

}  // namespace rs::parquet

#endif  // RS_PARQUET_WRITER_H_
