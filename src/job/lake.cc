#include "job/lake.h"

#include <algorithm>

#include "parquet/reader.h"

namespace rs::job {
namespace {

bool IsAbsolute(const std::string& path) {
  return path.find("://") != std::string::npos || (!path.empty() && path[0] == '/');
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
  if (!IsAbsolute(path)) return Location{root_, path};
  RS_ASSIGN_OR_RETURN(auto store, storage::OpenStorage(path, options_));
  return Location{std::shared_ptr<storage::Storage>(std::move(store)), ""};
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
                                    const std::vector<std::string>& columns) const {
  std::string where = "read " + Describe(path);
  RS_ASSIGN_OR_RETURN_CTX(bool is_delta, HasDeltaLog(path), where);
  if (is_delta) {
    RS_ASSIGN_OR_RETURN_CTX(auto table, OpenTable(path), where);
    RS_ASSIGN_OR_RETURN_CTX(auto snapshot, table.LoadSnapshot(), where);
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
    auto batch = table.Scan(snapshot, scan);
    // A data file the log references but storage lacks is a damaged table,
    // not an absent one: NotFound would let an optional input be skipped.
    if (!batch.ok() && batch.status().IsNotFound()) {
      return Status::Corruption(where + ": " + batch.status().message());
    }
    RS_RETURN_IF_ERROR_CTX(batch.status(), where);
    return std::move(batch).value();
  }
  // A folder of Parquet files (or a single file).
  RS_ASSIGN_OR_RETURN(Location loc, Locate(path));
  std::vector<std::string> keys;
  if (EndsWith(loc.key, ".parquet")) {
    keys.push_back(loc.key);
  } else {
    RS_ASSIGN_OR_RETURN_CTX(auto entries, loc.store->List(loc.key.empty() ? "" : loc.key + "/"), where);
    for (const auto& e : entries) {
      if (EndsWith(e.key, ".parquet")) keys.push_back(e.key);
    }
  }
  if (keys.empty()) {
    return Status::NotFound(where + ": no Delta table (no _delta_log) and no Parquet files there");
  }
  RecordBatch all;
  for (const std::string& key : keys) {
    std::string file_ctx = where + ": " + key;
    RS_ASSIGN_OR_RETURN_CTX(auto reader, parquet::FileReader::Open(loc.store, key), file_ctx);
    parquet::ReadOptions ro;
    ro.columns = columns;
    RS_ASSIGN_OR_RETURN_CTX(auto batch, reader->Read(ro), file_ctx);
    RS_RETURN_IF_ERROR_CTX(AppendRows(&all, batch), file_ctx);
  }
  return all;
}

}  // namespace rs::job
