// Delta Lake tables: snapshot reads (log replay, checkpoints, time travel),
// scans with partition / stats / row-group pruning, partition overwrites with
// optimistic concurrency, checkpoints and vacuum. docs/delta_log.md describes
// what is read and written.
//
// A Table is a copyable value: a handle on `root_key` inside a Storage it
// shares (shared_ptr); it holds no snapshot state, so one Table may be used
// from several threads. Snapshots are values. An OverwriteTransaction is a
// move-only value holding its own copy of the Table; it is finished
// explicitly by Commit() or Abandon(), never by its destructor.
//
// Errors: NotFound (no table, version, data file or deletion-vector file),
// Corruption (malformed or non-contiguous log, a deletion vector whose size or
// checksum does not match), Unimplemented (a reader feature we do not support:
// "table requires unsupported reader feature: v2Checkpoint"), Aborted (a
// concurrent writer won a conflicting race: rerun), InvalidArgument (input).
#ifndef RS_DELTA_TABLE_H_
#define RS_DELTA_TABLE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "parquet/writer.h"
#include "storage/storage.h"

namespace rs::delta {

struct Protocol {
  int min_reader_version = 1;
  int min_writer_version = 2;
  std::optional<std::vector<std::string>> reader_features;  // reader version 3 only
  std::optional<std::vector<std::string>> writer_features;  // writer version 7 only
};

struct Metadata {
  std::string id;
  std::string name;
  std::string description;
  std::string format_provider = "parquet";
  std::string schema_string;  // Delta JSON schema, as in the log
  Schema schema;              // parsed from schema_string
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time_ms;
};

// Where an add action's deletion vector is (PROTOCOL.md "Deletion Vectors"):
// the rows of the data file it marks deleted are not part of the table.
struct DeletionVectorDescriptor {
  char storage_type = 'u';  // 'u' UUID-relative file, 'i' inline, 'p' absolute path
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;  // byte offset in the DV file ('u', 'p')
  int32_t size_bytes = 0;         // serialized bitmap bytes (without size and checksum)
  int64_t cardinality = 0;        // rows marked deleted
  std::optional<int64_t> max_row_index;
};

// An active data file (an add action that survived log replay).
struct AddFile {
  std::string path;  // as written in the log (URI-encoded, relative to the table root)
  std::map<std::string, std::optional<std::string>> partition_values;  // nullopt = null
  int64_t size_bytes = 0;
  int64_t modification_time_ms = 0;
  bool data_change = true;
  std::string stats_json;              // empty when the log has no JSON stats
  std::optional<int64_t> num_records;  // from stats or stats_parsed
  std::string deletion_vector_id;      // empty = none
  std::optional<DeletionVectorDescriptor> deletion_vector;
};

// A remove action still in force (a tombstone), kept for vacuum.
struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp_ms;
  bool data_change = true;
  std::map<std::string, std::optional<std::string>> partition_values;
  std::optional<int64_t> size_bytes;
  std::string deletion_vector_id;
  std::optional<DeletionVectorDescriptor> deletion_vector;
};

struct Snapshot {
  int64_t version = -1;
  Protocol protocol;
  Metadata metadata;
  std::vector<AddFile> files;           // sorted by path
  std::vector<RemoveFile> tombstones;   // sorted by path
  std::map<std::string, int64_t> txns;  // appId -> version
  std::optional<int64_t> checkpoint_version;  // checkpoint the replay started from
  // Damaged checkpoints the replay went around (older checkpoint or JSON
  // commits instead), each "<file>: <what is wrong>": the snapshot is right,
  // but the table needs a new checkpoint; callers with a logger WARN.
  std::vector<std::string> skipped_checkpoints;
  int64_t commit_timestamp_ms = 0;            // of `version` (commitInfo, else file mtime)
};

// Which version to load: latest (both empty), an exact version, or the newest
// version committed at or before a timestamp.
struct SnapshotSpec {
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
};

// Inclusive range on one column; a null bound is open. Equality: min == max.
struct ColumnRange {
  std::string column;
  Value min;
  Value max;
};

// How far a scan is: data files and their bytes (AddFile size) read, of
// those left to read after pruning by partition values and statistics.
struct ScanProgress {
  int64_t files_done = 0;
  int64_t files_total = 0;
  int64_t bytes_done = 0;
  int64_t bytes_total = 0;
};

struct ScanOptions {
  std::vector<std::string> columns;  // empty = all, in schema order
  std::vector<ColumnRange> ranges;   // all must hold; rows outside are dropped
  // Called on the scanning thread once the files to read are known (nothing
  // done yet), then after each file is read; may be empty.
  std::function<void(const ScanProgress&)> on_progress;
};

struct ScanStats {
  int64_t files_total = 0;
  int64_t files_read = 0;
  int64_t rows = 0;
};

struct CommitOptions {
  std::string run_id;  // recorded in commitInfo.runId (and txn appId when txn_app_id set)
  std::string engine_info = "ranking-signals/0.1.0";
  std::optional<std::string> txn_app_id;  // when set, a txn action {appId, version = txn_version}
  int64_t txn_version = 0;
  std::map<std::string, std::string> configuration;  // table configuration when creating
  int max_attempts = 20;  // commit attempts across compatible races
  // How OverwriteTransaction writes its data files (codec, row group size);
  // the file names say the codec, as Spark's do.
  parquet::WriterOptions data_files;
};

struct CommitOutcome {
  int64_t version = -1;
  int64_t num_added = 0;
  int64_t num_removed = 0;
  int64_t bytes_added = 0;
  int attempts = 0;
  bool checkpoint_written = false;
  std::string checkpoint_error;  // a failed checkpoint does not fail the commit
};

struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string operation;
  std::map<std::string, std::string> operation_parameters;  // values as JSON text
  // commitInfo.operationMetrics (numAddedFiles, numRemovedFiles,
  // numOutputRows, numOutputBytes, ...); empty when the writer recorded none.
  std::map<std::string, int64_t> operation_metrics;
  std::string run_id;
  std::string engine_info;
  // What the commit's add and remove actions changed: each partition
  // column's values (nulls left out). A file action with no partition
  // values (an unpartitioned table, or a remove written without them) sets
  // changes_unknown_partitions.
  bool changes_data = false;
  std::map<std::string, std::set<std::string>> partitions_changed;
  bool changes_unknown_partitions = false;
};

struct VacuumOptions {
  // Data files removed longer ago than this are deleted. Default: the table's
  // delta.deletedFileRetentionDuration ("interval 7 days"), else 168 hours.
  std::optional<double> retain_hours;
  bool dry_run = false;
  bool force = false;  // allow a retention below the table's (or 168 hours)
  // Also delete log files (commits, checkpoints, .crc) older than
  // delta.logRetentionDuration (default 30 days), only below a checkpoint
  // from which the table still loads.
  bool clean_log = true;
  std::optional<int64_t> now_ms;  // for tests; default: system clock
};

struct VacuumResult {
  std::vector<std::string> deleted_keys;  // relative to the table root (would-be when dry_run)
  int64_t bytes = 0;
  double retain_hours = 0;                    // the retention applied
  std::vector<std::string> deleted_log_keys;  // relative to the table root
  int64_t log_kept_from_version = -1;         // the oldest version still loadable; -1: none cut
};

// "interval 7 days", "interval 1 week", "interval 36 hours", "30 days" (the
// calendar intervals Delta table properties hold; units second to week) in
// hours. InvalidArgument naming the text otherwise.
Result<double> ParseIntervalHours(std::string_view text);

// "COL=VALUE" as an equality range; VALUE is read like a partition value of
// the column's type (2024-03, 42, 2024-03-01, 2024-03-01 12:00:00, true); VALUE may not be empty.
Result<ColumnRange> ParseEqualityFilter(const Schema& schema, const std::string& expr);

// The key of top-level logical column `column` in AddFile::partition_values
// and in stats: its physical name when the snapshot uses column mapping
// (PROTOCOL.md "Column Mapping"), else `column` itself.
std::string PhysicalColumnName(const Snapshot& snapshot, const std::string& column);

// The fields as Delta JSON schema text, without field metadata:
// [{"name":..,"type":"long"|{nested},"nullable":..}, ...].
std::string SchemaFieldsJson(const Schema& schema);

// A handle on one Delta table: a value holding the Storage (shared) and the
// table's root key. Copies are cheap and independent; every copy may be used
// from several threads (it keeps no snapshot state).
class Table;

// A partition overwrite in progress: replaces every listed partition whole.
// A move-only value that holds its own copy of the Table (and so the
// Storage): it may outlive the Table it was begun from.
// Call order: WritePartition()* then exactly one of Commit() or Abandon().
// REQUIRES: Commit() or Abandon() ran before destruction (or the transaction
// was moved from). The destructor does no I/O: it only checks that rule
// (assert in debug builds; see internal::SetUnfinishedTransactionHook).
// Thread-safety: WritePartition() may be called from several threads at once
// (each file is encoded and uploaded outside the transaction's lock); Commit()
// and Abandon() must not overlap any other call. The commit adds the files in
// the order (partition value, then write order within the partition),
// whatever order concurrent writes finished in.
class OverwriteTransaction {
 public:
  ~OverwriteTransaction();
  OverwriteTransaction(OverwriteTransaction&&) noexcept;
  OverwriteTransaction& operator=(OverwriteTransaction&&) noexcept;
  OverwriteTransaction(const OverwriteTransaction&) = delete;
  OverwriteTransaction& operator=(const OverwriteTransaction&) = delete;

  // Writes `batch` (table schema; the partition column may be absent) as a data
  // file of partition `value` now. Fails before writing anything when `value`
  // is not being replaced or a row holds another partition value. After a
  // failure the files written so far stay until Commit() or Abandon().
  [[nodiscard]] Status WritePartition(const std::string& value, const RecordBatch& batch);
  // Commits removes of the replaced partitions' live files and adds of the new
  // ones in one log entry; retries across compatible concurrent commits.
  // Finishes the transaction either way. On failure the data files are
  // deleted, except after Unavailable: the outcome is unknown (the entry may
  // have landed), so they stay, orphans for `vacuum` if it did not.
  Result<CommitOutcome> Commit();
  // Deletes the data files written so far (none once Commit() has run) and
  // finishes the transaction; the first failed delete is returned, naming
  // the file (the others are still attempted). OK when already finished.
  Status Abandon();

  // Whether Commit() or Abandon() has run.
  bool finished() const;

  struct Impl;

 private:
  friend class Table;
  explicit OverwriteTransaction(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Table {
 public:
  // `root_key` is the table's prefix in `store` ("" = the store root).
  static Result<Table> Open(std::shared_ptr<storage::Storage> store, std::string root_key);

  // Replays the log. Fails with Unimplemented on unsupported reader features.
  Result<Snapshot> LoadSnapshot(const SnapshotSpec& spec = {}) const;

  // Reads the snapshot's rows: columns in schema order (or `options.columns`),
  // partition columns from partition values, columns absent from a file null.
  Result<RecordBatch> Scan(const Snapshot& snapshot, const ScanOptions& options = {},
                           ScanStats* stats = nullptr) const;
  // Same, one batch per data file, so memory stays one file.
  Status ScanEach(const Snapshot& snapshot, const ScanOptions& options,
                  const std::function<Status(const RecordBatch&)>& sink,
                  ScanStats* stats = nullptr) const;
  // Rows of the snapshot: stats numRecords (or Parquet footers when missing)
  // minus each file's deletion-vector cardinality.
  Result<int64_t> CountRows(const Snapshot& snapshot) const;

  // Starts replacing `partitions` (values of the single partition column). The
  // table is created on commit when it does not exist. The transaction keeps
  // a copy of this Table: no lifetime requirement on this one.
  Result<OverwriteTransaction> BeginOverwrite(const Schema& schema,
                                              const std::vector<std::string>& partition_columns,
                                              const std::vector<std::string>& partitions,
                                              CommitOptions options) const;

  // Writes <version>.checkpoint.parquet and _last_checkpoint for `snapshot`.
  Status WriteCheckpoint(const Snapshot& snapshot) const;

  Result<std::vector<HistoryEntry>> History() const;
  Result<VacuumResult> Vacuum(const VacuumOptions& options) const;

  // The storage, borrowed for a call; shared_store() to keep it.
  storage::Storage& store() const { return *store_; }
  const std::shared_ptr<storage::Storage>& shared_store() const { return store_; }
  const std::string& root_key() const { return root_; }
  // Full storage key of a path relative to the table root.
  std::string Key(const std::string& relative) const;
  // Full storage key of a data file of a snapshot (its path unescaped);
  // Corruption for a malformed path.
  Result<std::string> DataFileKey(const AddFile& file) const;

 private:
  Table(std::shared_ptr<storage::Storage> store, std::string root);
  std::shared_ptr<storage::Storage> store_;  // never null
  std::string root_;
};

namespace internal {

// Called by ~OverwriteTransaction, with the table's root key, when neither
// Commit() nor Abandon() ran; without a hook that is an assert failure in
// debug builds (and nothing in release builds: the data files stay, orphans
// for `vacuum`). Returns the previous hook; nullptr restores the assert.
// For tests, which see the check in every build type.
using UnfinishedTransactionHook = void (*)(const std::string& table_root_key);
UnfinishedTransactionHook SetUnfinishedTransactionHook(UnfinishedTransactionHook hook);

}  // namespace internal

}  // namespace rs::delta

#endif  // RS_DELTA_TABLE_H_
