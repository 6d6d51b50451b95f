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

// Rows [first_row, first_row + num_rows) of a file, by position in the file.
struct RowSpan {
  int64_t first_row = 0;
  int64_t num_rows = 0;
};

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
  // When `spans` is set it receives the row groups read, in order: the rows
  // of the batch are those spans' rows (deletion vectors count by position).
  virtual Result<RecordBatch> Read(const std::vector<std::string>& columns,
                                   const std::vector<ColumnRange>& ranges,
                                   std::vector<RowSpan>* spans = nullptr) = 0;
};

}  // namespace rs::delta

#endif  // RS_DELTA_PARQUET_IO_INTERNAL_H_
