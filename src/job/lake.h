// The lake: a storage root and the default locations of the job's tables
// under it (the Python predecessor's paths, so existing lakes keep working).
// Each table path may be overridden: a relative path is under the lake root;
// an absolute path or URI (file://, abfss://, az://, mem://) opens its own store.
// An input may also be one Parquet file, relative or absolute.
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
  // The operator named finance_daily (--finance-table): when it cannot be
  // read, even because nothing is there, the run fails instead of ranking
  // without Value_PE.
  bool finance_required = false;
};

// What reading an input passed over, for the caller to log.
struct InputReadInfo {
  // Parquet files of a folder input under a path component starting with '_'
  // or '.' (_temporary/, _SUCCESS, .part-0.parquet.crc, ...): leftovers of
  // Spark, Hive and Arrow writers, skipped as those engines skip them.
  std::vector<std::string> skipped_files;
  // Damaged checkpoints of a Delta input that log replay went around.
  std::vector<std::string> skipped_checkpoints;
};

class Lake {
 public:
  static Result<Lake> Open(const LakeLayout& layout, const storage::StorageOptions& options);

  const LakeLayout& layout() const { return layout_; }
  // A human-readable location of a table, without credentials.
  std::string Describe(const std::string& path) const;

  // The Delta table at `path` (see file comment). It may not exist yet.
  Result<std::unique_ptr<delta::Table>> OpenTable(const std::string& path) const;
  // True when `path` holds a Delta log (any _delta_log/ entry).
  Result<bool> HasDeltaLog(const std::string& path) const;

  // The lake root's store, for the job's own bookkeeping under _ranking_jobs/
  // (shard claims). Valid as long as this Lake.
  storage::Storage& job_store() const { return *root_; }

  // Reads an input table: a Delta table, or a folder of Parquet files (or one
  // file). Only `columns` are decoded; they must all exist, with the same
  // types in every file of a folder. NotFound means only that there is no
  // table there; a Delta table whose data file is missing is Corruption.
  // `info` (may be null) receives what was skipped.
  Result<RecordBatch> ReadInput(const std::string& path, const std::vector<std::string>& columns,
                                InputReadInfo* info = nullptr) const;

  // The tables a run reads and writes are distinct locations, none inside
  // another: two outputs at one place would half-commit, an output inside an
  // input would be read back. Paths are compared after normalizing (relative
  // or absolute, "./", "..", repeated and trailing slashes, file://).
  // `rank`: run (market and finance in, rankings out) rather than
  // materialize (rankings in). InvalidArgument names both options.
  Status CheckTablesDistinct(bool rank) const;

 private:
  struct Location {
    std::shared_ptr<storage::Storage> store;
    std::string key;  // prefix inside store
  };
  Result<Location> Locate(const std::string& path) const;
  // A normalized absolute location of `path`, for comparing tables.
  std::string Normalized(const std::string& path) const;

  LakeLayout layout_;
  storage::StorageOptions options_;
  std::shared_ptr<storage::Storage> root_;
};

}  // namespace rs::job

#endif  // RS_JOB_LAKE_H_
