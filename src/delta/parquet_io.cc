// ParquetSource over the project's Parquet reader.
#include "parquet/reader.h"

#include "delta/parquet_io_internal.h"

namespace rs::delta {
namespace {

bool PushdownType(TypeId id) {
  switch (id) {
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kString:
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return true;
    default:
      return false;
  }
}

class ReaderSource : public ParquetSource {
 public:
  explicit ReaderSource(std::unique_ptr<parquet::FileReader> reader)
      : reader_(std::move(reader)) {}

  const Schema& schema() const override { return reader_->schema(); }
  int64_t num_rows() const override { return reader_->num_rows(); }

  Result<RecordBatch> Read(const std::vector<std::string>& columns,
                           const std::vector<ColumnRange>& ranges,
                           const std::vector<uint8_t>* keep_rows) override {
    parquet::ReadOptions options;
    options.columns = columns;
    options.keep_rows = keep_rows;
    for (const ColumnRange& r : ranges) {
      const Field* f = Find(r.column);
      if (!f || !PushdownType(f->type.id)) continue;
      parquet::RangePredicate p;
      p.column = r.column;
      if (!r.min.is_null()) p.min = r.min;
      if (!r.max.is_null()) p.max = r.max;
      options.predicates.push_back(std::move(p));
    }
    return reader_->Read(options);
  }

 private:
  const Field* Find(const std::string& name) const {
    for (const Field& f : reader_->schema()) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  std::unique_ptr<parquet::FileReader> reader_;
};

}  // namespace

Result<std::unique_ptr<ParquetSource>> ParquetSource::Open(
    const std::shared_ptr<storage::Storage>& store, const std::string& key) {
  RS_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(store, key));
  return std::unique_ptr<ParquetSource>(new ReaderSource(std::move(reader)));
}

}  // namespace rs::delta
