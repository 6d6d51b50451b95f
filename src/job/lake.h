// The lake: a storage root and the default locations of the job's tables
// under it (the Python predecessor's paths, so existing lakes keep working).
// Each table path may be overridden: a relative path is under the lake root;
// an absolute path or URI (file://, abfss://, az://, mem://) opens its own store.
#ifndef RS_JOB_LAKE_H_
#define RS_JOB_LAKE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"
#include "storage/storage.h"

namespace rs::job {

struct LakeLayout {
  std::string lake;  // root URI (required)
  std::string market = "gold/market_daily";
  std::string finance = "gold/finance_daily";
  std::string rankings = "platinum/rankings";
  std::string signals = "platinum/signals/ranking_signals";
  std::string composite = "platinum/signals/daily";
};

class Lake {
 public:
  static Result<Lake> Open(const LakeLayout& layout, const storage::StorageOptions& options);

  const LakeLayout& layout() const { return layout_; }
  // A human-readable location of a table, without credentials.
  std::string Describe(const std::string& path) const;

  // The Delta table at `path` (see file comment). It may not exist yet.
  Result<delta::Table> OpenTable(const std::string& path) const;
  // True when `path` holds a Delta log (any _delta_log/ entry).
  Result<bool> HasDeltaLog(const std::string& path) const;

  // Creates `key` under the lake root only if absent (AlreadyExists otherwise).
  Status PutIfAbsent(const std::string& key, const std::string& data) const {
    return root_->PutIfAbsent(key, data);
  }

  // Reads an input table: a Delta table, or a folder of Parquet files (or one
  // file). Only `columns` are decoded; they must all exist. NotFound means
  // only that there is no table there; a Delta table whose data file is
  // missing is Corruption.
  Result<RecordBatch> ReadInput(const std::string& path, const std::vector<std::string>& columns) const;

 private:
  struct Location {
    std::shared_ptr<storage::Storage> store;
    std::string key;  // prefix inside store
  };
  Result<Location> Locate(const std::string& path) const;

  LakeLayout layout_;
  storage::StorageOptions options_;
  std::shared_ptr<storage::Storage> root_;
};

}  // namespace rs::job

#endif  // RS_JOB_LAKE_H_
