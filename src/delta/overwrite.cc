// Partition overwrites: data files first, then one commit that removes every
// live file of the replaced partitions and adds the new ones.
#include <fmt/format.h>

#include <atomic>
#include <cassert>
#include <cmath>
#include <mutex>
#include <set>

#include "common/utf8.h"
#include "delta/batch_internal.h"
#include "delta/commit_internal.h"
#include "delta/replay_internal.h"
#include "delta/row_json.h"
#include "delta/table.h"
#include "parquet/writer.h"

namespace rs::delta {

struct OverwriteTransaction::Impl {
  explicit Impl(Table t) : table(std::move(t)) {}
  Table table;  // a copy: shares the Storage, so the transaction needs no other owner
  Schema schema;
  Field partition_field;
  std::set<std::string> partitions;
  CommitOptions options;
  std::optional<Snapshot> read_snapshot;  // nullopt: the table is created by this commit
  std::string txn_id = NewUuid();
  // Guards what concurrent WritePartition() calls share; the encoding and the
  // upload run outside it.
  std::mutex mu;
  // The files written, keyed by (partition value, number of the file within
  // its partition): the commit adds them in this order, whatever order
  // concurrent writes finished in.
  std::map<std::pair<std::string, int>, AddFile> added;  // guarded by mu
  std::map<std::string, int> files_per_partition;        // guarded by mu
  bool finished = false;  // set by Commit() and Abandon(), which follow every write
};

namespace {

using nlohmann::json;

// The codec part of a data file name, as Spark names its files: "" for
// uncompressed files, else ".snappy", ".zstd" or ".gz".
std::string_view CodecSuffix(parquet::Compression codec) {
  switch (codec) {
    case parquet::Compression::kNone: return "";
    case parquet::Compression::kSnappy: return ".snappy";
    case parquet::Compression::kGzip: return ".gz";
    case parquet::Compression::kZstd: return ".zstd";
  }
  return "";
}

bool SameFields(const Schema& a, const Schema& b) {
  return SchemaToString(a) == SchemaToString(b);
}

std::optional<json> StatJson(const DataType& type, const Value& v) {
  switch (type.id) {
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong: return json(v.i);
    case TypeId::kFloat:
      if (!std::isfinite(v.f)) return std::nullopt;
      return json(static_cast<double>(v.f));
    case TypeId::kDouble:
      if (!std::isfinite(v.d)) return std::nullopt;
      return json(v.d);
    case TypeId::kString: return json(v.bytes);
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: {
      std::string text;
      AppendValueJson(type, v, &text);  // "YYYY-MM-DD" / "...T...Z"
      return json::parse(text, nullptr, false);
    }
    default: return std::nullopt;  // decimals, binary, booleans: no min/max
  }
}

// Delta stats JSON from the writer's summary (flat columns only).
std::string StatsJson(const Schema& data_schema, const parquet::FileSummary& summary) {
  json min = json::object(), max = json::object(), nulls = json::object();
  for (const parquet::ColumnStatistics& c : summary.columns) {
    const Field* field = nullptr;
    for (const Field& f : data_schema) {
      if (f.name == c.column) field = &f;
    }
    if (!field || field->type.is_nested()) continue;
    nulls[c.column] = c.null_count;
    if (c.min) {
      if (auto j = StatJson(field->type, *c.min)) min[c.column] = *j;
    }
    if (c.max) {
      if (auto j = StatJson(field->type, *c.max)) max[c.column] = *j;
    }
  }
  json stats = {{"numRecords", summary.num_rows}, {"minValues", min}, {"maxValues", max},
                {"nullCount", nulls}};
  return stats.dump();
}

// Checks the partition column of `batch` holds `value` in every row.
Status CheckPartitionColumn(const RecordBatch& batch, const Field& field, const std::string& value) {
  int idx = batch.FindColumn(field.name);
  if (idx < 0) return Status::OK();
  const ColumnVector& col = batch.columns[idx];
  size_t row = 0;
  if (field.type.id == TypeId::kString || field.type.id == TypeId::kBinary) {
    // The text is the value itself: compared in place, without a copy per row.
    const auto& values = col.As<std::string>();
    while (row < batch.num_rows && col.IsValid(row) && values[row] == value) ++row;
  }
  for (; row < batch.num_rows; ++row) {
    RS_ASSIGN_OR_RETURN(std::optional<std::string> text,
                        FormatPartitionValue(ValueAt(col, row), field.type));
    if (text != value) {
      return Status::InvalidArgument(fmt::format(
          "row {} has {}={}, outside partition {}={} being written", row, field.name,
          text.value_or("null"), field.name, value));
    }
  }
  return Status::OK();
}

// Parquet STRING and Delta's JSON stats hold UTF-8 only: a value read from a
// damaged file is refused before anything is written, never mangled.
Status CheckUtf8(const ColumnVector& col) {
  if (col.field.type.id != TypeId::kString) return Status::OK();
  const auto& values = col.As<std::string>();
  for (size_t row = 0; row < values.size(); ++row) {
    if (!col.IsValid(row)) continue;
    if (FindInvalidUtf8(values[row]) == std::string_view::npos) continue;
    if (auto bad = DescribeInvalidUtf8(values[row])) {
      return Status::InvalidArgument(fmt::format(
          "column {} row {}: not UTF-8 ({}); strings must be UTF-8", col.field.name, row, *bad));
    }
  }
  return Status::OK();
}

// The data columns of `batch` in table order (partition column dropped).
Result<RecordBatch> DataBatch(const RecordBatch& batch, const Schema& schema,
                              const std::string& partition_column) {
  RecordBatch out;
  out.num_rows = batch.num_rows;
  for (const Field& col : batch.schema) {
    bool known = col.name == partition_column;
    for (const Field& f : schema) known |= f.name == col.name;
    if (!known) return Status::InvalidArgument("column " + col.name + " is not in the table schema");
  }
  for (const Field& f : schema) {
    if (f.name == partition_column) continue;
    int idx = batch.FindColumn(f.name);
    if (idx < 0) return Status::InvalidArgument("batch lacks column " + f.name);
    const ColumnVector& col = batch.columns[idx];
    if (DataTypeToJson(col.field.type, false) != DataTypeToJson(f.type, false)) {
      return Status::InvalidArgument(fmt::format("column {} has type {}, table type is {}", f.name,
                                                 DataTypeToJson(col.field.type, false).dump(),
                                                 DataTypeToJson(f.type, false).dump()));
    }
    RS_RETURN_IF_ERROR(CheckUtf8(col));
    ColumnVector copy = col;
    copy.field = f;
    out.schema.push_back(f);
    out.columns.push_back(std::move(copy));
  }
  return out;
}

Status CheckWritable(const Snapshot& s) {
  if (s.protocol.min_writer_version > 2) {
    return Status::Unimplemented(fmt::format("table requires writer version {} (we write 2)",
                                             s.protocol.min_writer_version));
  }
  auto append_only = s.metadata.configuration.find("delta.appendOnly");
  if (append_only != s.metadata.configuration.end() && append_only->second == "true") {
    return Status::FailedPrecondition("table is append-only (delta.appendOnly=true)");
  }
  return Status::OK();
}

}  // namespace

namespace {

std::atomic<internal::UnfinishedTransactionHook> unfinished_hook{nullptr};

}  // namespace

internal::UnfinishedTransactionHook internal::SetUnfinishedTransactionHook(
    UnfinishedTransactionHook hook) {
  return unfinished_hook.exchange(hook);
}

OverwriteTransaction::OverwriteTransaction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OverwriteTransaction::OverwriteTransaction(OverwriteTransaction&&) noexcept = default;

namespace {

// No I/O here: the caller finishes a transaction with Commit() or Abandon()
// and sees their Status. Dropping one unfinished is a bug in the caller.
void CheckDroppedFinished(const OverwriteTransaction::Impl* impl) {
  if (impl == nullptr || impl->finished) return;
  if (auto hook = unfinished_hook.load()) {
    hook(impl->table.root_key());
    return;
  }
  assert(false && "OverwriteTransaction needs Commit() or Abandon()");
}

}  // namespace

OverwriteTransaction& OverwriteTransaction::operator=(OverwriteTransaction&& other) noexcept {
  if (this != &other) {
    CheckDroppedFinished(impl_.get());  // the transaction given up, as at destruction
    impl_ = std::move(other.impl_);
  }
  return *this;
}

OverwriteTransaction::~OverwriteTransaction() { CheckDroppedFinished(impl_.get()); }

bool OverwriteTransaction::finished() const { return !impl_ || impl_->finished; }

Status OverwriteTransaction::WritePartition(const std::string& value, const RecordBatch& batch) {
  if (!impl_) return Status::FailedPrecondition("overwrite: transaction moved from");
  Impl& t = *impl_;
  const std::string& col = t.partition_field.name;
  std::string where = fmt::format("overwrite {}={}", col, value);
  if (t.finished) return Status::FailedPrecondition(where + ": transaction already finished");
  if (t.partitions.count(value) == 0) {
    return Status::InvalidArgument(fmt::format("{}: not among the partitions being replaced ({})",
                                               where, fmt::join(t.partitions, ", ")));
  }
  RS_RETURN_IF_ERROR_CTX(CheckPartitionColumn(batch, t.partition_field, value), where);
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch data, DataBatch(batch, t.schema, col), where);
  if (data.num_rows == 0) return Status::OK();  // the partition becomes empty
  int part;
  {
    std::lock_guard lock(t.mu);
    part = t.files_per_partition[value]++;
  }
  std::string relative = fmt::format("{}={}/part-{:05d}-{}.c000{}.parquet", col,
                                     EscapePartitionDirValue(value), part, NewUuid(),
                                     CodecSuffix(t.options.data_files.compression));
  std::string key = t.table.Key(relative);
  RS_ASSIGN_OR_RETURN_CTX(parquet::FileSummary summary,
                          parquet::WriteFile(t.table.store(), key, data, t.options.data_files),
                          where + ": write " + key);
  AddFile add;
  add.path = EscapePath(relative);
  add.partition_values[col] = value;
  add.size_bytes = static_cast<int64_t>(summary.size_bytes);
  add.modification_time_ms = NowMs();
  add.stats_json = StatsJson(data.schema, summary);
  add.num_records = summary.num_rows;
  std::lock_guard lock(t.mu);
  t.added.emplace(std::make_pair(value, part), std::move(add));
  return Status::OK();
}

Status OverwriteTransaction::Abandon() {
  if (!impl_) return Status::OK();
  Impl& t = *impl_;
  if (t.finished) return Status::OK();
  t.finished = true;
  Status first;
  for (const auto& [order, f] : t.added) {
    auto relative = UnescapePath(f.path);
    Status st = relative.ok() ? t.table.store().Delete(t.table.Key(*relative)) : relative.status();
    if (first.ok() && !st.ok()) first = st.Annotate("abandon overwrite: delete " + f.path);
  }
  return first;
}

namespace {

std::vector<Action> BuildActions(const OverwriteTransaction::Impl& t, CommitIntent* intent,
                                 int64_t* num_removed) {
  int64_t now = NowMs();
  std::vector<Action> actions;
  Action info;
  info.kind = Action::Kind::kCommitInfo;
  CommitInfo& ci = info.commit_info;
  ci.timestamp_ms = now;
  ci.operation = t.read_snapshot ? "WRITE" : "CREATE TABLE";
  std::vector<std::string> quoted;
  for (const std::string& p : t.partitions) quoted.push_back("'" + p + "'");
  std::string predicate =
      fmt::format("{} IN ({})", t.partition_field.name, fmt::join(quoted, ", "));
  ci.operation_parameters = {{"mode", "Overwrite"},
                             {"partitionBy", json(std::vector<std::string>{t.partition_field.name}).dump()},
                             {"replaceWhere", predicate},
                             {"predicate", predicate}};
  ci.engine_info = t.options.engine_info;
  ci.run_id = t.options.run_id;
  ci.txn_id = t.txn_id;
  actions.push_back(info);
  if (!t.read_snapshot) {
    Action protocol;
    protocol.kind = Action::Kind::kProtocol;
    protocol.protocol = Protocol{1, 2, std::nullopt, std::nullopt};
    actions.push_back(protocol);
    Action md;
    md.kind = Action::Kind::kMetadata;
    md.metadata.id = NewUuid();
    md.metadata.schema = t.schema;
    md.metadata.schema_string = SchemaToString(t.schema);
    md.metadata.partition_columns = {t.partition_field.name};
    md.metadata.configuration = t.options.configuration;
    md.metadata.created_time_ms = now;
    intent->metadata = md.metadata;
    actions.push_back(md);
  }
  if (t.options.txn_app_id) {
    Action txn;
    txn.kind = Action::Kind::kTxn;
    txn.txn = Txn{*t.options.txn_app_id, t.options.txn_version, now};
    actions.push_back(txn);
  }
  *num_removed = 0;
  int64_t removed_bytes = 0;
  if (t.read_snapshot) {
    for (const AddFile& f : t.read_snapshot->files) {
      auto pv = f.partition_values.find(t.partition_field.name);
      if (pv == f.partition_values.end() || !pv->second || !t.partitions.count(*pv->second)) continue;
      Action rm;
      rm.kind = Action::Kind::kRemove;
      rm.remove = RemoveFile{f.path, now, true, f.partition_values, f.size_bytes, ""};
      rm.remove.deletion_vector_id = f.deletion_vector_id;  // cancels the add with its DV
      rm.remove.deletion_vector = f.deletion_vector;
      actions.push_back(std::move(rm));
      ++*num_removed;
      removed_bytes += f.size_bytes;
    }
  }
  int64_t rows = 0, bytes = 0;
  for (const auto& [order, f] : t.added) {
    rows += f.num_records.value_or(0);
    bytes += f.size_bytes;
    Action add;
    add.kind = Action::Kind::kAdd;
    add.add = f;
    actions.push_back(std::move(add));
  }
  // As Delta engines record them: counts as strings (actions[0] is commitInfo).
  actions[0].commit_info.operation_metrics = {{"numFiles", std::to_string(t.added.size())},
                                              {"numAddedFiles", std::to_string(t.added.size())},
                                              {"numRemovedFiles", std::to_string(*num_removed)},
                                              {"numOutputRows", std::to_string(rows)},
                                              {"numOutputBytes", std::to_string(bytes)},
                                              {"numRemovedBytes", std::to_string(removed_bytes)}};
  return actions;
}

int64_t CheckpointInterval(const std::map<std::string, std::string>& config) {
  auto it = config.find("delta.checkpointInterval");
  if (it == config.end()) return 10;
  try {
    int64_t v = std::stoll(it->second);
    return v > 0 ? v : 10;
  } catch (const std::exception&) {
    return 10;
  }
}

}  // namespace

Result<CommitOutcome> OverwriteTransaction::Commit() {
  if (!impl_) return Status::FailedPrecondition("commit: transaction moved from");
  Impl& t = *impl_;
  if (t.finished) return Status::FailedPrecondition("commit: transaction already finished");
  CommitIntent intent;
  intent.partition_column = t.partition_field.name;
  intent.partitions = t.partitions;
  intent.creates_table = !t.read_snapshot;
  intent.txn_id = t.txn_id;
  CommitOutcome outcome;
  std::vector<Action> actions = BuildActions(t, &intent, &outcome.num_removed);
  int64_t read_version = t.read_snapshot ? t.read_snapshot->version : -1;
  auto version = CommitWithRetries(t.table.store(), t.table.root_key(), read_version, intent,
                                   std::move(actions), t.options.max_attempts, &outcome.attempts);
  if (!version.ok()) {
    // Unavailable: the log entry may have landed (the outcome is unknown), so
    // the data files it would reference stay; if it did not land they are
    // orphans for `vacuum`. Any other error means nothing was committed.
    Status failed = version.status().Annotate("commit overwrite of " + t.table.root_key());
    if (version.status().IsUnavailable()) {
      t.finished = true;
      return failed;
    }
    return failed.WithCleanupError(Abandon());
  }
  t.finished = true;
  outcome.version = *version;
  outcome.num_added = static_cast<int64_t>(t.added.size());
  for (const auto& [order, f] : t.added) outcome.bytes_added += f.size_bytes;
  const auto& config =
      t.read_snapshot ? t.read_snapshot->metadata.configuration : t.options.configuration;
  if (outcome.version > 0 && outcome.version % CheckpointInterval(config) == 0) {
    auto snapshot = t.table.LoadSnapshot(SnapshotSpec{outcome.version, std::nullopt});
    Status st = snapshot.ok() ? t.table.WriteCheckpoint(*snapshot) : snapshot.status();
    outcome.checkpoint_written = st.ok();
    if (!st.ok()) outcome.checkpoint_error = st.ToString();
  }
  return outcome;
}

Result<OverwriteTransaction> Table::BeginOverwrite(
    const Schema& schema, const std::vector<std::string>& partition_columns,
    const std::vector<std::string>& partitions, CommitOptions options) const {
  std::string where = "begin overwrite of " + Key("");
  if (partition_columns.size() != 1) {
    return Status::InvalidArgument(where + ": exactly one partition column is supported");
  }
  if (partitions.empty()) return Status::InvalidArgument(where + ": no partitions to replace");
  for (const std::string& p : partitions) {
    if (auto bad = DescribeInvalidUtf8(p)) {
      return Status::InvalidArgument(
          fmt::format("{}: a partition value is not UTF-8 ({})", where, *bad));
    }
  }
  auto impl = std::make_unique<OverwriteTransaction::Impl>(*this);
  impl->schema = schema;
  impl->options = std::move(options);
  impl->partitions.insert(partitions.begin(), partitions.end());
  bool found = false;
  for (const Field& f : schema) {
    if (f.name == partition_columns[0]) {
      impl->partition_field = f;
      found = !f.type.is_nested();
    }
  }
  if (!found) {
    return Status::InvalidArgument(fmt::format("{}: partition column {} is not a primitive column "
                                               "of the schema", where, partition_columns[0]));
  }
  // No log entry at all: the table is created by this commit. Any other
  // failure to load it is an error.
  RS_ASSIGN_OR_RETURN_CTX(LogListing listing, ListLog(*store_, root_), where);
  if (listing.latest_version >= 0) {
    RS_ASSIGN_OR_RETURN_CTX(Snapshot snapshot, LoadSnapshot(), where);
    RS_RETURN_IF_ERROR_CTX(CheckWritable(snapshot), where);
    if (!SameFields(snapshot.metadata.schema, schema) ||
        snapshot.metadata.partition_columns != partition_columns) {
      return Status::FailedPrecondition(fmt::format(
          "{}: schema or partitioning differs from the table's (table: {} partitioned by [{}])",
          where, SchemaToString(snapshot.metadata.schema),
          fmt::join(snapshot.metadata.partition_columns, ", ")));
    }
    impl->read_snapshot = std::move(snapshot);
  }
  return OverwriteTransaction(std::move(impl));
}

}  // namespace rs::delta
