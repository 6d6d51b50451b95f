// The Delta module's view of Parquet files: open, schema, row count, and a
// read of named columns with row-group pruning by column ranges.
#ifndef RS_DELTA_PARQUET_IO_INTERNAL_H_
#define RS_DELTA_PARQUET_IO_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"
#include "storage/storage.h"

namespace rs::delta {

class ParquetSource {
 public:
  virtual ~ParquetSource() = default;
  // NotFound when the object does not exist.
  static Result<std::unique_ptr<ParquetSource>> Open(const std::shared_ptr<storage::Storage>& store,
                                                     const std::string& key);
  virtual const Schema& schema() const = 0;
  virtual int64_t num_rows() const = 0;
  // Reads `columns` (all present in schema()); row groups whose statistics
  // exclude a range are skipped, so fewer rows than num_rows() may come back.
  // When `keep_rows` is set (num_rows() bytes, by position in the file), only
  // the rows whose byte is non-zero come back: the reader drops the others
  // while decoding (deletion vectors).
  virtual Result<RecordBatch> Read(const std::vector<std::string>& columns,
                                   const std::vector<ColumnRange>& ranges,
                                   const std::vector<uint8_t>* keep_rows = nullptr) = 0;
};

}  // namespace rs::delta

#endif  // RS_DELTA_PARQUET_IO_INTERNAL_H_
