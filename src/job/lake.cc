#include "job/lake.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_set>

#include "common/calendar.h"
#include "parquet/reader.h"

namespace rs::job {
namespace {

bool IsAbsolute(const std::string& path) {
  return path.find("://") != std::string::npos || (!path.empty() && path[0] == '/');
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string TrimTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Spark, Hive and Arrow write through _temporary/ and leave _SUCCESS,
// _committed_*, .crc and other hidden files; their readers skip every path
// component starting with '_' or '.', and so do we. Hive partition folders
// (key=value) start with neither.
bool IsWriterLeftover(const std::string& relative_key) {
  size_t start = 0;
  while (start < relative_key.size()) {
    size_t end = relative_key.find('/', start);
    if (end == std::string::npos) end = relative_key.size();
    if (end > start && (relative_key[start] == '_' || relative_key[start] == '.')) return true;
    start = end + 1;
  }
  return false;
}

// "/a/./b//c/../d/" -> "/a/b/d": lexical, for URIs (whose stores have no symlinks).
std::string NormalizeUriPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out;
}

// The schema of every file of a folder input must match the first file's.
Status CheckSameTypes(const RecordBatch& first, const std::string& first_key,
                      const RecordBatch& batch, const std::string& key) {
  for (size_t c = 0; c < first.columns.size() && c < batch.columns.size(); ++c) {
    TypeId a = first.columns[c].field.type.id, b = batch.columns[c].field.type.id;
    if (a == b && first.columns[c].values.index() == batch.columns[c].values.index()) continue;
    return Status::InvalidArgument(fmt::format(
        "column '{}' is {} in {} but {} in {}: every file of a Parquet folder needs the same "
        "column types; rewrite one of them",
        batch.columns[c].field.name, TypeName(a), first_key, TypeName(b), key));
  }
  return Status::OK();
}

// The rows of `batch` whose `date` lies in `dates` (a folder input, which
// has no statistics to prune by).
Result<RecordBatch> RowsInDateRange(const RecordBatch& batch, const DateRange& dates) {
  int c = batch.FindColumn("date");
  if (c < 0 || batch.columns[c].field.type.id != TypeId::kDate) {
    return Status::InvalidArgument("column 'date' must be a DATE column");
  }
  const ColumnVector& col = batch.columns[c];
  std::vector<size_t> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) {
    if (!col.IsValid(i)) continue;
    int32_t d = col.As<int32_t>()[i];
    if ((!dates.first_day || d >= *dates.first_day) && (!dates.last_day || d <= *dates.last_day)) {
      rows.push_back(i);
    }
  }
  return TakeRows(batch, rows);
}

std::optional<int32_t> JsonDate(const nlohmann::json& stats, const char* which) {
  auto group = stats.find(which);
  if (group == stats.end() || !group->is_object()) return std::nullopt;
  auto it = group->find("date");
  if (it == group->end() || !it->is_string()) return std::nullopt;
  auto days = ParseDate(it->get<std::string>());
  if (!days.ok()) return std::nullopt;
  return *days;
}

// A file's date range from its JSON statistics; nullopt when they lack it.
std::optional<FileDates> StatsDates(const delta::AddFile& file) {
  if (file.stats_json.empty()) return std::nullopt;
  auto stats = nlohmann::json::parse(file.stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return std::nullopt;
  auto min = JsonDate(stats, "minValues");
  auto max = JsonDate(stats, "maxValues");
  if (!min || !max) return std::nullopt;
  return FileDates{*min, *max};
}

// A table partitioned by date: the file's partition value (null: unknown).
std::optional<FileDates> PartitionDates(const delta::AddFile& file) {
  auto it = file.partition_values.find("date");
  if (it == file.partition_values.end() || !it->second) return std::nullopt;
  auto days = ParseDate(*it->second);
  if (!days.ok()) return std::nullopt;
  return FileDates{*days, *days};
}

// The rows of `batch` whose `symbol` is one of `symbols`.
Result<RecordBatch> RowsWithSymbols(const RecordBatch& batch,
                                    const std::set<std::string>& symbols) {
  int c = batch.FindColumn("symbol");
  if (c < 0 || batch.columns[c].field.type.id != TypeId::kString) {
    return Status::InvalidArgument("column 'symbol' must be a STRING column");
  }
  const ColumnVector& col = batch.columns[c];
  const auto& values = col.As<std::string>();
  std::vector<size_t> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) {
    if (col.IsValid(i) && symbols.count(values[i]) > 0) rows.push_back(i);
  }
  return TakeRows(batch, rows);
}

// Whether row group `g` may hold one of `symbols`: its `symbol` statistics
// rule a symbol out, then its dictionary page (when every data page uses
// it) rules out the rest. Whatever cannot be told answers true.
bool RowGroupMayHold(parquet::FileReader& reader, int g, const std::set<std::string>& symbols) {
  std::vector<const std::string*> candidates;
  for (const std::string& s : symbols) {
    auto may = reader.RowGroupMayMatch(g, {{"symbol", Value::Bytes(s), Value::Bytes(s)}});
    if (!may.ok() || *may) candidates.push_back(&s);
  }
  if (candidates.empty()) return false;
  auto dictionary = reader.DictionaryValues(g, "symbol");
  if (!dictionary.ok() || !*dictionary) return true;
  std::unordered_set<std::string_view> held((*dictionary)->begin(), (*dictionary)->end());
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const std::string* s) { return held.count(*s) > 0; });
}

// Whether the data file at `key` may hold a row of `symbols`. A file that
// cannot be opened answers true: the scan reads it and reports what is wrong.
bool FileMayHoldSymbols(const std::shared_ptr<storage::Storage>& store, const std::string& key,
                        const std::set<std::string>& symbols) {
  auto reader = parquet::FileReader::Open(store, key);
  if (!reader.ok()) return true;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    if (RowGroupMayHold(**reader, g, symbols)) return true;
  }
  return false;
}

// A file whose dates (partition value or statistics) lie outside `dates`,
// which the scan skips anyway.
bool OutsideDates(const delta::AddFile& file, bool date_partitioned, const DateRange& dates) {
  if (!dates.bounded()) return false;
  auto d = date_partitioned ? PartitionDates(file) : StatsDates(file);
  if (!d) return false;
  return (dates.first_day && d->max_day < *dates.first_day) ||
         (dates.last_day && d->min_day > *dates.last_day);
}

// The snapshot's files that may hold one of `symbols` (or lie outside
// `dates`, for the scan to skip). With column mapping the file's column is
// not called `symbol`: every file stays.
Result<std::vector<delta::AddFile>> FilesMayHoldSymbols(const delta::Table& table,
                                                        const delta::Snapshot& snapshot,
                                                        const DateRange& dates,
                                                        const std::set<std::string>& symbols,
                                                        int64_t* skipped) {
  auto mode = snapshot.metadata.configuration.find("delta.columnMapping.mode");
  if (mode != snapshot.metadata.configuration.end() && mode->second != "none") {
    return snapshot.files;
  }
  const auto& parts = snapshot.metadata.partition_columns;
  bool date_partitioned = std::find(parts.begin(), parts.end(), "date") != parts.end();
  std::vector<delta::AddFile> kept;
  for (const delta::AddFile& file : snapshot.files) {
    if (!OutsideDates(file, date_partitioned, dates)) {
      auto key = table.DataFileKey(file);
      if (key.ok() && !FileMayHoldSymbols(table.shared_store(), *key, symbols)) {
        ++*skipped;
        continue;
      }
    }
    kept.push_back(file);
  }
  return kept;
}

}  // namespace

Result<Lake> Lake::Open(const LakeLayout& layout, const storage::StorageOptions& options) {
  Lake lake;
  lake.layout_ = layout;
  lake.options_ = options;
  RS_ASSIGN_OR_RETURN_CTX(auto store, storage::OpenStorage(layout.lake, options), "open lake");
  lake.root_ = std::shared_ptr<storage::Storage>(std::move(store));
  return lake;
}

Result<Lake::Location> Lake::Locate(const std::string& path) const {
  if (!IsAbsolute(path)) return Location{root_, TrimTrailingSlashes(path)};
  // "/data/x.parquet", "az://c/x.parquet": the store of its folder with the
  // name as key, the way a relative "gold/x.parquet" is found in the lake's
  // store, so a single file (or a folder so named) reads the same either way.
  std::string trimmed = TrimTrailingSlashes(path);
  size_t scheme = trimmed.find("://");
  size_t path_start = scheme == std::string::npos ? 0 : trimmed.find('/', scheme + 3);
  size_t slash = trimmed.rfind('/');
  if (EndsWith(trimmed, ".parquet") && path_start != std::string::npos && slash != std::string::npos &&
      slash >= path_start) {
    std::string parent = trimmed.substr(0, slash);
    if (parent.empty() || EndsWith(parent, ":/") || EndsWith(parent, "://")) parent += "/";
    RS_ASSIGN_OR_RETURN(auto store, storage::OpenStorage(parent, options_));
    return Location{std::shared_ptr<storage::Storage>(std::move(store)), trimmed.substr(slash + 1)};
  }
  RS_ASSIGN_OR_RETURN(auto store, storage::OpenStorage(path, options_));
  return Location{std::shared_ptr<storage::Storage>(std::move(store)), ""};
}

std::string Lake::Normalized(const std::string& path) const {
  std::string root = root_->Describe();
  std::string d = IsAbsolute(path) ? path : TrimTrailingSlashes(root) + "/" + path;
  if (d.starts_with("file://")) {
    d.erase(0, std::string_view("file://").size());
    if (d.starts_with("localhost/")) d.erase(0, std::string_view("localhost").size());
  }
  size_t scheme = d.find("://");
  if (scheme == std::string::npos) {  // local: absolute, symlinks of existing parts resolved
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(d, ec);
    if (ec) p = d;
    auto canonical = std::filesystem::weakly_canonical(p, ec);
    return NormalizeUriPath((ec ? p.lexically_normal() : canonical).string());
  }
  size_t path_start = d.find('/', scheme + 3);
  if (path_start == std::string::npos) return d;
  return d.substr(0, path_start) + NormalizeUriPath(d.substr(path_start));
}

Status Lake::CheckTablesDistinct(bool rank) const {
  struct Named {
    const char* option;
    std::string location;
    bool output;
  };
  std::vector<Named> tables;
  if (rank) {
    tables.push_back({"--market-table", Normalized(layout_.market), false});
    tables.push_back({"--finance-table", Normalized(layout_.finance), false});
  }
  tables.push_back({"--rankings-table", Normalized(layout_.rankings), rank});
  tables.push_back({"--signals-table", Normalized(layout_.signals), true});
  tables.push_back({"--composite-table", Normalized(layout_.composite), true});
  auto inside = [](const std::string& inner, const std::string& outer) {
    return inner.size() > outer.size() && inner.starts_with(outer) &&
           (outer.back() == '/' || inner[outer.size()] == '/');
  };
  for (size_t i = 0; i < tables.size(); ++i) {
    for (size_t j = i + 1; j < tables.size(); ++j) {
      const Named& a = tables[i];
      const Named& b = tables[j];
      if (!a.output && !b.output) continue;  // two inputs are only read
      if (a.location == b.location) {
        return Status::InvalidArgument(fmt::format(
            "{} and {} both name {}: each table of a run needs its own location (nothing was "
            "written)",
            a.option, b.option, a.location));
      }
      for (const auto& [in, out] : {std::pair(&a, &b), std::pair(&b, &a)}) {
        if (inside(in->location, out->location)) {
          return Status::InvalidArgument(fmt::format(
              "{} ({}) is inside {} ({}): a table may not hold another; give each its own "
              "location (nothing was written)",
              in->option, in->location, out->option, out->location));
        }
      }
    }
  }
  return Status::OK();
}

std::string Lake::Describe(const std::string& path) const {
  if (IsAbsolute(path)) return path;
  std::string root = root_->Describe();
  if (!root.empty() && root.back() == '/') root.pop_back();
  return root + "/" + path;
}

Result<delta::Table> Lake::OpenTable(const std::string& path) const {
  RS_ASSIGN_OR_RETURN(Location loc, Locate(path));
  return delta::Table::Open(loc.store, loc.key);
}

Result<bool> Lake::HasDeltaLog(const std::string& path) const {
  RS_ASSIGN_OR_RETURN(Location loc, Locate(path));
  RS_ASSIGN_OR_RETURN(auto entries, loc.store->List(storage::JoinKey(loc.key, "_delta_log/")));
  return !entries.empty();
}

Result<RecordBatch> Lake::ReadInput(const std::string& path,
                                    const std::vector<std::string>& columns, InputReadInfo* info,
                                    const DateRange& dates, const std::set<std::string>* symbols,
                                    const ReadProgress& progress) const {
  std::string where = "read " + Describe(path);
  if (symbols != nullptr && std::find(columns.begin(), columns.end(), "symbol") == columns.end()) {
    return Status::InvalidArgument(where + ": reading by symbol needs the column 'symbol'");
  }
  auto kept_rows = [&](RecordBatch rows) -> Result<RecordBatch> {
    if (symbols == nullptr) return rows;
    RS_ASSIGN_OR_RETURN_CTX(RecordBatch kept, RowsWithSymbols(rows, *symbols), where);
    return kept;
  };
  RS_ASSIGN_OR_RETURN_CTX(bool is_delta, HasDeltaLog(path), where);
  if (is_delta) {
    RS_ASSIGN_OR_RETURN_CTX(auto table, OpenTable(path), where);
    RS_ASSIGN_OR_RETURN_CTX(auto snapshot, table.LoadSnapshot(), where);
    if (info != nullptr) info->skipped_checkpoints = snapshot.skipped_checkpoints;
    for (const std::string& c : columns) {
      bool found = std::any_of(snapshot.metadata.schema.begin(), snapshot.metadata.schema.end(),
                               [&](const Field& f) { return f.name == c; });
      if (!found) {
        return Status::InvalidArgument(where + ": missing column '" + c +
                                       "': the table must have columns date, symbol and the "
                                       "measures SIGNALS.md names");
      }
    }
    delta::ScanOptions scan;
    scan.columns = columns;
    scan.on_progress = progress;
    if (dates.bounded()) {
      scan.ranges.push_back({"date", dates.first_day ? Value::Int(*dates.first_day) : Value(),
                             dates.last_day ? Value::Int(*dates.last_day) : Value()});
    }
    if (info != nullptr) {
      info->files_total = static_cast<int64_t>(snapshot.files.size());
      info->rows_total = 0;
      for (const delta::AddFile& file : snapshot.files) {
        if (!file.num_records) {
          info->rows_total = -1;
          break;
        }
        info->rows_total += *file.num_records;
      }
    }
    if (symbols != nullptr) {  // the scan sees only the files that may hold them
      int64_t skipped = 0;
      RS_ASSIGN_OR_RETURN_CTX(
          snapshot.files, FilesMayHoldSymbols(table, snapshot, dates, *symbols, &skipped), where);
      if (info != nullptr) info->files_skipped_by_symbol += skipped;
    }
    delta::ScanStats scanned;
    auto batch = table.Scan(snapshot, scan, &scanned);
    if (info != nullptr) info->files_read += scanned.files_read;
    // A data file the log references but storage lacks is a damaged table,
    // not an absent one: NotFound would let an optional input be skipped.
    if (!batch.ok() && batch.status().IsNotFound()) {
      return Status::Corruption(where + ": " + batch.status().message());
    }
    RS_RETURN_IF_ERROR_CTX(batch.status(), where);
    return kept_rows(std::move(batch).value());
  }
  // A folder of Parquet files (or a single file).
  RS_ASSIGN_OR_RETURN(Location loc, Locate(path));
  std::vector<std::string> keys;
  std::vector<int64_t> sizes;  // of `keys`, for progress
  InputReadInfo local_info;
  if (info == nullptr) info = &local_info;
  if (EndsWith(loc.key, ".parquet")) {
    auto head = loc.store->Head(loc.key);
    if (head.ok()) {
      keys.push_back(loc.key);
      sizes.push_back(static_cast<int64_t>(head->size_bytes));
    } else if (!head.status().IsNotFound()) {
      return head.status().Annotate(where);
    }
  }
  if (keys.empty()) {  // a folder (Spark names folders "x.parquet" too)
    std::string prefix = loc.key.empty() ? "" : loc.key + "/";
    RS_ASSIGN_OR_RETURN_CTX(auto entries, loc.store->List(prefix), where);
    for (const auto& e : entries) {
      if (!EndsWith(e.key, ".parquet")) continue;
      if (IsWriterLeftover(e.key.substr(prefix.size()))) {
        info->skipped_files.push_back(e.key);
      } else {
        keys.push_back(e.key);
        sizes.push_back(static_cast<int64_t>(e.size_bytes));
      }
    }
  }
  if (keys.empty()) {
    return Status::NotFound(where + ": no Delta table (no _delta_log) and no Parquet files there" +
                            (info->skipped_files.empty()
                                 ? std::string()
                                 : fmt::format(" (only {} under '_' or '.' paths, which are "
                                               "writers' leftovers, skipped)",
                                               info->skipped_files.size())));
  }
  delta::ScanProgress read;
  read.files_total = static_cast<int64_t>(keys.size());
  for (int64_t size : sizes) read.bytes_total += size;
  if (progress) progress(read);
  RecordBatch all;
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string& key = keys[k];
    std::string file_ctx = where + ": " + key;
    RS_ASSIGN_OR_RETURN_CTX(auto reader, parquet::FileReader::Open(loc.store, key), file_ctx);
    parquet::ReadOptions ro;
    ro.columns = columns;
    RS_ASSIGN_OR_RETURN_CTX(auto batch, reader->Read(ro), file_ctx);
    if (key != keys.front()) RS_RETURN_IF_ERROR_CTX(CheckSameTypes(all, keys.front(), batch, key), where);
    RS_RETURN_IF_ERROR_CTX(AppendRows(&all, batch), file_ctx);
    ++read.files_done;
    read.bytes_done += sizes[k];
    if (progress) progress(read);
  }
  info->files_total = static_cast<int64_t>(keys.size());
  info->files_read += static_cast<int64_t>(keys.size());
  if (!dates.bounded()) return kept_rows(std::move(all));
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch kept, RowsInDateRange(all, dates), where);
  return kept_rows(std::move(kept));
}

Result<std::optional<std::vector<FileDates>>> Lake::InputFileDates(const std::string& path) const {
  std::string where = "plan the read of " + Describe(path);
  RS_ASSIGN_OR_RETURN_CTX(bool is_delta, HasDeltaLog(path), where);
  if (!is_delta) return std::optional<std::vector<FileDates>>();
  RS_ASSIGN_OR_RETURN_CTX(auto table, OpenTable(path), where);
  RS_ASSIGN_OR_RETURN_CTX(auto snapshot, table.LoadSnapshot(), where);
  const auto& schema = snapshot.metadata.schema;
  bool has_date = std::any_of(schema.begin(), schema.end(), [](const Field& f) {
    return f.name == "date" && f.type.id == TypeId::kDate;
  });
  if (!has_date) return std::optional<std::vector<FileDates>>();  // the full read reports it
  const auto& parts = snapshot.metadata.partition_columns;
  bool date_partitioned = std::find(parts.begin(), parts.end(), "date") != parts.end();
  std::vector<FileDates> out;
  for (const delta::AddFile& file : snapshot.files) {
    if (file.num_records && *file.num_records == 0) continue;
    auto dates = date_partitioned ? PartitionDates(file) : StatsDates(file);
    if (!dates) return std::optional<std::vector<FileDates>>();
    out.push_back(*dates);
  }
  return std::optional<std::vector<FileDates>>(std::move(out));
}

}  // namespace rs::job
