// Table handle: snapshot loading (latest, version, timestamp) and history.
#include "delta/table.h"

#include <fmt/format.h>

#include <charconv>

#include "delta/log_internal.h"
#include "delta/replay_internal.h"

namespace rs::delta {
namespace {

std::string TrimSlashes(std::string root) {
  while (!root.empty() && root.back() == '/') root.pop_back();
  while (!root.empty() && root.front() == '/') root.erase(root.begin());
  return root;
}

// commitInfo.timestamp of `version`, else the commit file's modification time.
Result<int64_t> CommitTimestamp(storage::Storage& store, const std::string& root,
                                const LogFile& commit) {
  RS_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCommit(store, root, commit.version));
  for (const Action& a : actions) {
    if (a.kind == Action::Kind::kCommitInfo && a.commit_info.timestamp_ms) {
      return *a.commit_info.timestamp_ms;
    }
  }
  return commit.modified_unix_ms;
}

Result<int64_t> VersionAtTimestamp(storage::Storage& store, const std::string& root,
                                   const LogListing& listing, int64_t timestamp_ms) {
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    RS_ASSIGN_OR_RETURN(int64_t ts, CommitTimestamp(store, root, it->second));
    if (ts <= timestamp_ms) return it->first;
  }
  return Status::NotFound(
      fmt::format("no version committed at or before timestamp {} ms", timestamp_ms));
}

}  // namespace

Table::Table(std::shared_ptr<storage::Storage> store, std::string root)
    : store_(std::move(store)), root_(std::move(root)) {}

Result<Table> Table::Open(std::shared_ptr<storage::Storage> store, std::string root_key) {
  if (!store) return Status::InvalidArgument("open Delta table: no storage given");
  return Table(std::move(store), TrimSlashes(std::move(root_key)));
}

std::string Table::Key(const std::string& relative) const {
  return storage::JoinKey(root_, relative);
}

Result<std::string> Table::DataFileKey(const AddFile& file) const {
  RS_ASSIGN_OR_RETURN_CTX(std::string relative, UnescapePath(file.path), "data file " + file.path);
  return Key(relative);
}

Result<Snapshot> Table::LoadSnapshot(const SnapshotSpec& spec) const {
  std::string where = fmt::format("load snapshot of {}", root_.empty() ? store_->Describe()
                                                                       : store_->Describe() + "/" + root_);
  RS_ASSIGN_OR_RETURN_CTX(LogListing listing, ListLog(*store_, root_), where);
  if (listing.latest_version < 0) {
    return Status::NotFound(where + ": not a Delta table (no _delta_log entries)");
  }
  int64_t version = listing.latest_version;
  if (spec.version) {
    if (*spec.version < 0 || *spec.version > listing.latest_version) {
      return Status::NotFound(fmt::format("{}: version {} does not exist (latest is {})", where,
                                          *spec.version, listing.latest_version));
    }
    version = *spec.version;
  } else if (spec.timestamp_ms) {
    RS_ASSIGN_OR_RETURN_CTX(version,
                            VersionAtTimestamp(*store_, root_, listing, *spec.timestamp_ms), where);
  }
  RS_ASSIGN_OR_RETURN_CTX(Snapshot snapshot, ReplayToVersion(store_, root_, listing, version),
                          where);
  RS_RETURN_IF_ERROR_CTX(CheckReadable(snapshot.protocol, snapshot.metadata),
                         fmt::format("{} version {}", where, version));
  if (snapshot.commit_timestamp_ms == 0) {
    auto commit = listing.commits.find(version);
    if (commit != listing.commits.end()) {
      snapshot.commit_timestamp_ms = commit->second.modified_unix_ms;
    }
  }
  return snapshot;
}

Result<std::vector<HistoryEntry>> Table::History() const {
  RS_ASSIGN_OR_RETURN_CTX(LogListing listing, ListLog(*store_, root_), "history");
  std::vector<HistoryEntry> out;
  for (const auto& [version, file] : listing.commits) {
    RS_ASSIGN_OR_RETURN_CTX(std::vector<Action> actions, ReadCommit(*store_, root_, version),
                            "history");
    HistoryEntry e;
    e.version = version;
    e.timestamp_ms = file.modified_unix_ms;
    for (const Action& a : actions) {
      if (a.kind == Action::Kind::kAdd || a.kind == Action::Kind::kRemove) {
        const auto& values = a.kind == Action::Kind::kAdd ? a.add.partition_values
                                                          : a.remove.partition_values;
        e.changes_data = true;
        if (values.empty()) e.changes_unknown_partitions = true;
        for (const auto& [column, value] : values) {
          if (value) e.partitions_changed[column].insert(*value);
        }
        continue;
      }
      if (a.kind != Action::Kind::kCommitInfo) continue;
      const CommitInfo& ci = a.commit_info;
      if (ci.timestamp_ms) e.timestamp_ms = *ci.timestamp_ms;
      e.operation = ci.operation;
      e.run_id = ci.run_id;
      e.engine_info = ci.engine_info;
      if (ci.operation_parameters.is_object()) {
        for (const auto& [k, v] : ci.operation_parameters.items()) {
          e.operation_parameters[k] = v.is_string() ? v.get<std::string>() : v.dump();
        }
      }
      if (ci.operation_metrics.is_object()) {
        for (const auto& [k, v] : ci.operation_metrics.items()) {
          // Engines write counts as strings ("12") or numbers; others are left out.
          if (v.is_number_integer()) {
            e.operation_metrics[k] = v.get<int64_t>();
          } else if (v.is_string()) {
            const std::string& text = v.get_ref<const std::string&>();
            int64_t n = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec == std::errc() && end == text.data() + text.size()) e.operation_metrics[k] = n;
          }
        }
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status Table::WriteCheckpoint(const Snapshot& snapshot) const {
  return WriteCheckpointFiles(*store_, root_, snapshot);
}

}  // namespace rs::delta
