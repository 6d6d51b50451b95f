// The lake: a storage root and the default locations of the job's tables
// under it (the Python predecessor's paths, so existing lakes keep working).
// Each table path may be overridden: a relative path is under the lake root;
// an absolute path or URI (file://, abfss://, az://, mem://) opens its own store.
// An input may also be one Parquet file, relative or absolute.
#ifndef RS_JOB_LAKE_H_
#define RS_JOB_LAKE_H_

#include <functional>
#include <memory>
#include <optional>
#include <set>
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
  // Data files of the input, and those read (the rest were pruned by the
  // date range: partition values or file statistics).
  // Reads of several ranges add to files_read: a file may be read twice.
  int64_t files_total = 0;
  int64_t files_read = 0;
  // Of the files not read, those whose `symbol` dictionaries or statistics
  // showed none of the symbols asked for (ReadInput's `symbols`).
  int64_t files_skipped_by_symbol = 0;
  // Rows of the whole input from the Delta log's statistics; -1 when unknown.
  int64_t rows_total = -1;
};

// Progress of one input read: the data files and bytes it will read (after
// pruning), reported once before the first file and again after every file.
using ReadProgress = std::function<void(const delta::ScanProgress&)>;

// Dates of an input read, days since 1970-01-01, inclusive; nullopt = open.
// Rows outside are dropped (a null date is outside any bounded range).
struct DateRange {
  std::optional<int32_t> first_day;
  std::optional<int32_t> last_day;
  bool bounded() const { return first_day.has_value() || last_day.has_value(); }
};

// The [min, max] of one data file's `date` column, from its statistics.
struct FileDates {
  int32_t min_day = 0;
  int32_t max_day = 0;
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

  // The lake root's store, for the job's own bookkeeping under _ranking_jobs/
  // (shard claims). Valid as long as this Lake.
  storage::Storage& job_store() const { return *root_; }

  // Reads an input table: a Delta table, or a folder of Parquet files (or one
  // file). Only `columns` are decoded; they must all exist, with the same
  // types in every file of a folder. NotFound means only that there is no
  // table there; a Delta table whose data file is missing is Corruption.
  // `info` (may be null) receives what was skipped.
  // With a bounded `dates`, only rows dated inside it are returned; a Delta
  // input skips the files whose partition values or statistics exclude it.
  // With `symbols` (not null; `columns` must name "symbol"), only rows whose
  // symbol is one of them are returned, and a Delta input skips the files
  // whose row groups' `symbol` statistics or dictionary pages (read without
  // decoding the file) show none of them; a file that cannot be told is read.
  // `progress` (may be empty) follows the files read (see ReadProgress).
  Result<RecordBatch> ReadInput(const std::string& path, const std::vector<std::string>& columns,
                                InputReadInfo* info = nullptr, const DateRange& dates = {},
                                const std::set<std::string>* symbols = nullptr,
                                const ReadProgress& progress = {}) const;

  // The `date` range of every non-empty data file of a Delta input, from the
  // log's statistics, without reading a data file. nullopt when the input is
  // not a Delta table or a file lacks usable `date` statistics (a reader then
  // cannot plan by dates and reads everything).
  Result<std::optional<std::vector<FileDates>>> InputFileDates(const std::string& path) const;

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
