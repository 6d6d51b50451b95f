// Snapshot scans: prune files by partition values, then by file statistics,
// then let the Parquet reader prune row groups; rows outside the ranges are
// dropped, so the result is exact.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "delta/batch_internal.h"
#include "delta/column_mapping_internal.h"
#include "delta/deletion_vector_internal.h"
#include "delta/log_internal.h"
#include "delta/parquet_io_internal.h"
#include "delta/table.h"

namespace rs::delta {
namespace {

using nlohmann::json;

struct ScanPlan {
  Schema output;                        // projected fields, schema order
  std::set<std::string> partition_cols;
  std::vector<ColumnRange> partition_ranges;
  std::vector<ColumnRange> data_ranges;
  std::vector<Field> data_fields;       // data columns to read: output + ranged
  ColumnMapping mapping;                // physical names and ids, by schema position
  std::map<std::string, size_t> position;  // logical name -> index in mapping.columns

  // The physical side of logical column `name` (a column of the schema).
  const PhysicalColumn& Physical(const std::string& name) const {
    return mapping.columns.at(position.at(name));
  }
  // The key of logical column `name` in partitionValues and stats.
  const std::string& PhysicalName(const std::string& name) const { return Physical(name).name; }
};

const Field* FindField(const Schema& schema, const std::string& name) {
  for (const Field& f : schema) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<ScanPlan> MakePlan(const Snapshot& s, const ScanOptions& options) {
  ScanPlan plan;
  const Schema& schema = s.metadata.schema;
  RS_ASSIGN_OR_RETURN(plan.mapping, MakeColumnMapping(s.protocol, s.metadata));
  for (size_t i = 0; i < schema.size(); ++i) {
    plan.position[schema[i].name] = i;
  }
  plan.partition_cols.insert(s.metadata.partition_columns.begin(),
                             s.metadata.partition_columns.end());
  std::set<std::string> wanted(options.columns.begin(), options.columns.end());
  for (const std::string& c : options.columns) {
    if (!FindField(schema, c)) return Status::InvalidArgument("scan: unknown column '" + c + "'");
  }
  std::set<std::string> data_needed;
  for (const Field& f : schema) {
    if (!options.columns.empty() && wanted.count(f.name) == 0) continue;
    plan.output.push_back(f);
    if (plan.partition_cols.count(f.name) == 0) data_needed.insert(f.name);
  }
  for (const ColumnRange& r : options.ranges) {
    const Field* f = FindField(schema, r.column);
    if (!f) return Status::InvalidArgument("scan: unknown column '" + r.column + "' in filter");
    if (f->type.is_nested()) {
      return Status::InvalidArgument("scan: cannot filter on nested column '" + r.column + "'");
    }
    if (plan.partition_cols.count(r.column)) {
      plan.partition_ranges.push_back(r);
    } else {
      plan.data_ranges.push_back(r);
      data_needed.insert(r.column);
    }
  }
  for (const Field& f : schema) {
    if (data_needed.count(f.name)) plan.data_fields.push_back(f);
  }
  return plan;
}

Result<bool> PartitionsMatch(const ScanPlan& plan, const Schema& schema, const AddFile& file) {
  for (const ColumnRange& r : plan.partition_ranges) {
    const Field* f = FindField(schema, r.column);
    auto it = file.partition_values.find(plan.PhysicalName(r.column));
    std::optional<std::string> text = it == file.partition_values.end() ? std::nullopt : it->second;
    RS_ASSIGN_OR_RETURN(Value v, ParsePartitionValue(text, f->type));
    if (!InRange(f->type, v, r.min, r.max)) return false;
  }
  return true;
}

// A stats bound as a Value; nullopt when absent or not usable for pruning.
std::optional<Value> StatValue(const json& stats, const char* which, const Field& f,
                               const std::string& key) {
  auto group = stats.find(which);
  if (group == stats.end() || !group->is_object()) return std::nullopt;
  auto it = group->find(key);
  if (it == group->end() || it->is_null()) return std::nullopt;
  bool is_max = std::string_view(which) == "maxValues";
  switch (f.type.id) {
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kLong:
      if (!it->is_number_integer()) return std::nullopt;
      return Value::Int(it->get<int64_t>());
    case TypeId::kFloat:
      if (!it->is_number()) return std::nullopt;
      return Value::Float(it->get<float>());
    case TypeId::kDouble:
      if (!it->is_number()) return std::nullopt;
      return Value::Double(it->get<double>());
    case TypeId::kString: {
      if (!it->is_string()) return std::nullopt;
      std::string s = it->get<std::string>();
      if (is_max && s.size() >= 32) return std::nullopt;  // writers truncate long maxima
      return Value::Bytes(std::move(s));
    }
    case TypeId::kDate: {
      if (!it->is_string()) return std::nullopt;
      auto days = ParseDateDays(it->get<std::string>());
      if (!days.ok()) return std::nullopt;
      return Value::Int(*days);
    }
    case TypeId::kTimestamp: {
      if (!it->is_string()) return std::nullopt;
      auto micros = ParseTimestampMicros(it->get<std::string>());
      if (!micros.ok()) return std::nullopt;
      return Value::Int(*micros + (is_max ? 999 : 0));  // stats are truncated to millis
    }
    default:
      return std::nullopt;
  }
}

bool StatsMayMatch(const ScanPlan& plan, const AddFile& file) {
  if (plan.data_ranges.empty() || file.stats_json.empty()) return true;
  json stats = json::parse(file.stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return true;
  for (const ColumnRange& r : plan.data_ranges) {
    const Field* f = FindField(plan.data_fields, r.column);
    const std::string& key = plan.PhysicalName(r.column);
    auto min = StatValue(stats, "minValues", *f, key);
    auto max = StatValue(stats, "maxValues", *f, key);
    if (!r.min.is_null() && max) {
      auto c = CompareValues(f->type, *max, r.min);
      if (c && *c < 0) return false;
    }
    if (!r.max.is_null() && min) {
      auto c = CompareValues(f->type, *min, r.max);
      if (c && *c > 0) return false;
    }
  }
  return true;
}

// The file's column holding logical column `name` (column_mapping_internal.h).
const Field* FileColumn(const ScanPlan& plan, const Schema& file_schema, const std::string& name) {
  return FindFileField(file_schema, plan.Physical(name), plan.mapping.mode);
}

std::vector<uint8_t> RowsInRanges(const ScanPlan& plan, const RecordBatch& batch) {
  std::vector<uint8_t> keep(batch.num_rows, 1);
  for (const ColumnRange& r : plan.data_ranges) {
    int idx = batch.FindColumn(r.column);
    const ColumnVector& col = batch.columns[idx];
    for (size_t i = 0; i < batch.num_rows; ++i) {
      if (keep[i] && !InRange(col.field.type, ValueAt(col, i), r.min, r.max)) keep[i] = 0;
    }
  }
  return keep;
}

// Reads the data columns of one file into table fields (absent columns null),
// without the rows `deleted` (may be null) lists: the Parquet reader drops
// them while decoding, so a deleted row's values are never built or moved.
Result<RecordBatch> ReadDataColumns(const std::shared_ptr<storage::Storage>& store,
                                    const std::string& key, const ScanPlan& plan,
                                    const DeletedRows* deleted) {
  RS_ASSIGN_OR_RETURN(auto source, ParquetSource::Open(store, key));
  std::vector<uint8_t> keep_rows;  // by position in the file, when there is a DV
  if (deleted) {
    keep_rows.assign(static_cast<size_t>(source->num_rows()), 1);
    deleted->ClearDeleted(0, keep_rows.data(), keep_rows.size());
  }
  std::vector<std::string> read_names;
  std::vector<ColumnRange> pushdown;
  for (const Field& f : plan.data_fields) {
    if (const Field* ff = FileColumn(plan, source->schema(), f.name)) {
      read_names.push_back(ff->name);
    }
  }
  for (const ColumnRange& r : plan.data_ranges) {
    if (const Field* ff = FileColumn(plan, source->schema(), r.column)) {
      pushdown.push_back(ColumnRange{ff->name, r.min, r.max});
    }
  }
  RecordBatch data;
  if (read_names.empty()) {
    // Only partition columns (or ranges on columns the file lacks, all null).
    size_t rows = static_cast<size_t>(source->num_rows());
    if (deleted) rows -= static_cast<size_t>(std::count(keep_rows.begin(), keep_rows.end(), 0));
    data.num_rows = plan.data_ranges.empty() ? rows : 0;
  } else {
    RS_ASSIGN_OR_RETURN(data, source->Read(read_names, pushdown, deleted ? &keep_rows : nullptr));
  }
  RecordBatch out;
  out.num_rows = data.num_rows;
  for (const Field& f : plan.data_fields) {
    const Field* ff = FileColumn(plan, source->schema(), f.name);
    int idx = ff ? data.FindColumn(ff->name) : -1;
    if (idx < 0) {
      out.columns.push_back(MakeNullColumn(f, out.num_rows));
    } else {
      RS_ASSIGN_OR_RETURN(ColumnVector nested,
                          MapNestedColumn(std::move(data.columns[idx]), f, plan.Physical(f.name),
                                          plan.mapping.mode));
      RS_ASSIGN_OR_RETURN(ColumnVector col, ConformColumn(std::move(nested), f));
      out.columns.push_back(std::move(col));
    }
    out.schema.push_back(f);
  }
  return out;
}

// Rows [begin, end) of a batch that a scan keeps.
struct RowRun {
  size_t begin = 0;
  size_t end = 0;
};

std::vector<RowRun> KeptRuns(const std::vector<uint8_t>& keep) {
  std::vector<RowRun> runs;
  for (size_t i = 0; i < keep.size();) {
    while (i < keep.size() && !keep[i]) ++i;
    size_t begin = i;
    while (i < keep.size() && keep[i]) ++i;
    if (i > begin) runs.push_back(RowRun{begin, i});
  }
  return runs;
}

// Moves the kept runs of `col` to its front, a block at a time, and truncates
// it to `kept` rows.
void CompactColumn(ColumnVector* col, const std::vector<RowRun>& runs, size_t kept) {
  std::visit(
      [&](auto& values) {
        size_t out = 0;
        for (const RowRun& r : runs) {
          if (out != r.begin) {
            std::move(values.begin() + r.begin, values.begin() + r.end, values.begin() + out);
            if (!col->validity.empty()) {
              std::move(col->validity.begin() + r.begin, col->validity.begin() + r.end,
                        col->validity.begin() + out);
            }
          }
          out += r.end - r.begin;
        }
        values.resize(kept);
        if (!col->validity.empty()) col->validity.resize(kept);
      },
      col->values);
}

// For a data file that does not decode: " (...)" when its size differs from
// the one the log recorded, which tells a truncated or replaced file from a
// damaged one. Only on the error path, so a healthy scan pays no extra request.
std::string SizeMismatchNote(storage::Storage& store, const std::string& key, const AddFile& file) {
  if (file.size_bytes <= 0) return "";
  auto head = store.Head(key);
  if (!head.ok() || static_cast<int64_t>(head->size_bytes) == file.size_bytes) return "";
  return fmt::format(" (the file has {} bytes, the Delta log recorded {}: truncated or replaced)",
                     head->size_bytes, file.size_bytes);
}

Result<RecordBatch> ScanFile(const Table& table, const Snapshot& s, const ScanPlan& plan,
                             const AddFile& file) {
  RS_ASSIGN_OR_RETURN_CTX(std::string relative, UnescapePath(file.path), "scan " + file.path);
  std::string key = table.Key(relative);
  std::optional<DeletedRows> deleted;
  if (file.deletion_vector) {
    RS_ASSIGN_OR_RETURN_CTX(deleted, LoadDeletionVector(table.store(), table.root_key(), file),
                            fmt::format("scan version {}", s.version));
  }
  auto data = ReadDataColumns(table.shared_store(), key, plan, deleted ? &*deleted : nullptr);
  if (!data.ok()) {
    if (data.status().IsNotFound()) {
      return Status::NotFound(fmt::format("scan version {}: data file {} is missing ({})",
                                          s.version, file.path, data.status().message()));
    }
    Status annotated =
        data.status().Annotate(fmt::format("scan version {}: read {}", s.version, key));
    if (annotated.code() != StatusCode::kCorruption) return annotated;
    return Status(annotated.code(),
                  annotated.message() + SizeMismatchNote(table.store(), key, file));
  }
  // Partition columns are made at the kept size; data columns are filtered
  // only when a range drops a row (deleted rows never arrive), so a plain
  // scan moves nothing.
  size_t kept = data->num_rows;
  std::vector<RowRun> kept_runs;
  if (!plan.data_ranges.empty()) {
    std::vector<uint8_t> keep = RowsInRanges(plan, *data);
    kept = static_cast<size_t>(std::count(keep.begin(), keep.end(), 1));
    if (kept != keep.size()) kept_runs = KeptRuns(keep);
  }
  RecordBatch out;
  out.schema = plan.output;
  out.num_rows = kept;
  for (const Field& f : plan.output) {
    if (plan.partition_cols.count(f.name)) {
      auto it = file.partition_values.find(plan.PhysicalName(f.name));
      std::optional<std::string> text =
          it == file.partition_values.end() ? std::nullopt : it->second;
      RS_ASSIGN_OR_RETURN_CTX(Value v, ParsePartitionValue(text, f.type),
                              "scan " + file.path + ": partition column " + f.name);
      RS_ASSIGN_OR_RETURN(ColumnVector col, MakeConstantColumn(f, v, kept));
      out.columns.push_back(std::move(col));
    } else {
      ColumnVector& col = data->columns[data->FindColumn(f.name)];
      if (kept != data->num_rows) CompactColumn(&col, kept_runs, kept);
      out.columns.push_back(std::move(col));
    }
  }
  return out;
}

}  // namespace

namespace {

// Prunes the snapshot's files by `plan`, tells `planned` which are left, then
// reads each and hands its batch to `sink`, which may move from it.
Status ScanPruned(const Table& table, const Snapshot& snapshot, const ScanOptions& options,
                  const ScanPlan& plan,
                  const std::function<void(const std::vector<const AddFile*>&)>& planned,
                  const std::function<Status(RecordBatch&)>& sink, ScanStats* stats) {
  ScanStats local;
  // Pruned first, so that progress knows the files and bytes to read.
  std::vector<const AddFile*> to_read;
  ScanProgress progress;
  for (const AddFile& file : snapshot.files) {
    ++local.files_total;
    RS_ASSIGN_OR_RETURN_CTX(bool match, PartitionsMatch(plan, snapshot.metadata.schema, file),
                            "scan " + file.path);
    if (!match || !StatsMayMatch(plan, file)) continue;
    to_read.push_back(&file);
    ++progress.files_total;
    progress.bytes_total += std::max<int64_t>(0, file.size_bytes);
  }
  if (planned) planned(to_read);
  if (options.on_progress) options.on_progress(progress);
  for (const AddFile* file : to_read) {
    ++local.files_read;
    RS_ASSIGN_OR_RETURN(RecordBatch batch, ScanFile(table, snapshot, plan, *file));
    local.rows += static_cast<int64_t>(batch.num_rows);
    RS_RETURN_IF_ERROR(sink(batch));
    ++progress.files_done;
    progress.bytes_done += std::max<int64_t>(0, file->size_bytes);
    if (options.on_progress) options.on_progress(progress);
  }
  if (stats) *stats = local;
  return Status::OK();
}

}  // namespace

Status Table::ScanEach(const Snapshot& snapshot, const ScanOptions& options,
                       const std::function<Status(const RecordBatch&)>& sink,
                       ScanStats* stats) const {
  RS_ASSIGN_OR_RETURN(ScanPlan plan, MakePlan(snapshot, options));
  return ScanPruned(
      *this, snapshot, options, plan, nullptr, [&sink](RecordBatch& batch) { return sink(batch); },
      stats);
}

Result<RecordBatch> Table::Scan(const Snapshot& snapshot, const ScanOptions& options,
                                ScanStats* stats) const {
  RS_ASSIGN_OR_RETURN(ScanPlan plan, MakePlan(snapshot, options));
  RecordBatch all;
  all.schema = plan.output;
  for (const Field& f : plan.output) all.columns.push_back(ColumnVector::Make(f));
  // Without row ranges every row of the pruned files is kept (less the
  // deleted ones): the columns are sized once instead of growing file by
  // file, and each file's values are moved, not copied.
  auto reserve = [&](const std::vector<const AddFile*>& files) {
    if (!plan.data_ranges.empty()) return;
    int64_t rows = 0;
    for (const AddFile* f : files) {
      if (!f->num_records) return;
      rows += *f->num_records - (f->deletion_vector ? f->deletion_vector->cardinality : 0);
    }
    for (ColumnVector& col : all.columns) {
      std::visit([&](auto& values) { values.reserve(static_cast<size_t>(rows)); }, col.values);
    }
  };
  RS_RETURN_IF_ERROR(ScanPruned(
      *this, snapshot, options, plan, reserve,
      [&all](RecordBatch& b) {
        for (size_t i = 0; i < b.columns.size(); ++i) {
          RS_RETURN_IF_ERROR(AppendColumn(&all.columns[i], std::move(b.columns[i])));
        }
        all.num_rows += b.num_rows;
        return Status::OK();
      },
      stats));
  return all;
}

Result<int64_t> Table::CountRows(const Snapshot& snapshot) const {
  int64_t total = 0;
  for (const AddFile& file : snapshot.files) {
    if (file.deletion_vector) total -= file.deletion_vector->cardinality;
    if (file.num_records) {
      total += *file.num_records;
      continue;
    }
    RS_ASSIGN_OR_RETURN_CTX(std::string relative, UnescapePath(file.path), "count " + file.path);
    RS_ASSIGN_OR_RETURN_CTX(auto source, ParquetSource::Open(store_, Key(relative)),
                            "count rows of " + file.path);
    total += source->num_rows();
  }
  return total;
}

}  // namespace rs::delta
