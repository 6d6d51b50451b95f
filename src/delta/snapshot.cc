// Log replay (PROTOCOL.md "Action Reconciliation"): newest usable checkpoint,
// then contiguous JSON commits up to the requested version.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "delta/column_mapping_internal.h"
#include "delta/replay_internal.h"

namespace rs::delta {
namespace {

// Reader features whose data we read correctly, and those that ask nothing of
// a reader (vacuumProtocolCheck). Any other name in readerFeatures, known or
// not, refuses the table; writerFeatures are a writer's business.
const std::set<std::string>& SupportedReaderFeatures() {
  static const std::set<std::string> kSupported = {
      "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"};
  return kSupported;
}

class ReplayState {
 public:
  void Apply(Action&& a) {
    switch (a.kind) {
      case Action::Kind::kAdd: {
        std::string key = FileActionKey(a.add.path, a.add.deletion_vector_id);
        removes_.erase(key);
        adds_[key] = std::move(a.add);
        break;
      }
      case Action::Kind::kRemove: {
        std::string key = FileActionKey(a.remove.path, a.remove.deletion_vector_id);
        adds_.erase(key);
        removes_[key] = std::move(a.remove);
        break;
      }
      case Action::Kind::kMetadata: metadata_ = std::move(a.metadata); break;
      case Action::Kind::kProtocol: protocol_ = std::move(a.protocol); break;
      case Action::Kind::kTxn: txns_[a.txn.app_id] = a.txn.version; break;
      case Action::Kind::kCommitInfo:
        if (a.commit_info.timestamp_ms) last_commit_ts_ = *a.commit_info.timestamp_ms;
        break;
      case Action::Kind::kOther: break;
    }
  }

  Result<Snapshot> Finish(int64_t version, const std::string& where) && {
    if (!protocol_) {
      return Status::Corruption(fmt::format("{} at version {}: no protocol action", where, version));
    }
    if (!metadata_) {
      return Status::Corruption(fmt::format("{} at version {}: no metaData action", where, version));
    }
    Snapshot s;
    s.version = version;
    s.protocol = std::move(*protocol_);
    s.metadata = std::move(*metadata_);
    s.txns = std::move(txns_);
    s.commit_timestamp_ms = last_commit_ts_;
    for (auto& [key, add] : adds_) s.files.push_back(std::move(add));
    for (auto& [key, rm] : removes_) s.tombstones.push_back(std::move(rm));
    std::sort(s.files.begin(), s.files.end(),
              [](const AddFile& a, const AddFile& b) { return a.path < b.path; });
    std::sort(s.tombstones.begin(), s.tombstones.end(),
              [](const RemoveFile& a, const RemoveFile& b) { return a.path < b.path; });
    return s;
  }

  void ResetCommitTimestamp() { last_commit_ts_ = 0; }

 private:
  std::unordered_map<std::string, AddFile> adds_;
  std::unordered_map<std::string, RemoveFile> removes_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::map<std::string, int64_t> txns_;
  int64_t last_commit_ts_ = 0;
};

std::string LogPrefix(const std::string& root) {
  return storage::JoinKey(root, kLogDir) + "/";
}

// The complete checkpoints among the checkpoint files of one version, in the
// order they are tried: UUID-named (V2) by name, classic, then multi-part
// sets with every part 1..n of one n present (by n). PROTOCOL.md lets a
// reader choose among several checkpoints of a version.
std::vector<CheckpointSet> CompleteCheckpoints(int64_t version, std::vector<LogFile> files) {
  std::sort(files.begin(), files.end(),
            [](const LogFile& a, const LogFile& b) { return a.key < b.key; });
  std::vector<CheckpointSet> out;
  for (LogFile::Kind kind : {LogFile::Kind::kUuidCheckpoint, LogFile::Kind::kCheckpoint}) {
    for (const LogFile& f : files) {
      if (f.kind == kind) out.push_back({version, {f}});
    }
  }
  std::map<int, std::map<int, LogFile>> by_count;  // parts -> part number -> file
  for (const LogFile& f : files) {
    if (f.kind == LogFile::Kind::kMultiPartCheckpoint) by_count[f.num_parts][f.part] = f;
  }
  for (const auto& [n, parts] : by_count) {
    if (static_cast<int>(parts.size()) != n) continue;
    CheckpointSet cp{version, {}};
    for (const auto& [part, f] : parts) cp.parts.push_back(f);
    out.push_back(std::move(cp));
  }
  return out;
}

Status ApplyCommits(storage::Storage& store, const std::string& root, const LogListing& listing,
                    int64_t from, int64_t to, ReplayState* state) {
  for (int64_t v = from; v <= to; ++v) {
    if (listing.commits.count(v) == 0) {
      return Status::Corruption(fmt::format(
          "log is not contiguous: {} (version {}) is missing", CommitFileName(v), v));
    }
    RS_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCommit(store, root, v));
    state->ResetCommitTimestamp();
    for (Action& a : actions) state->Apply(std::move(a));
  }
  return Status::OK();
}

// Version at which the commits needed from `start` are all present, else the first gap.
std::optional<int64_t> FirstMissingCommit(const LogListing& listing, int64_t start, int64_t end) {
  for (int64_t v = start; v <= end; ++v) {
    if (listing.commits.count(v) == 0) return v;
  }
  return std::nullopt;
}

}  // namespace

Result<LogListing> ListLog(storage::Storage& store, const std::string& root) {
  std::string prefix = LogPrefix(root);
  RS_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects, store.List(prefix),
                          "list " + prefix);
  LogListing listing;
  std::map<int64_t, std::vector<LogFile>> checkpoint_files;
  for (const auto& obj : objects) {
    std::string_view name = std::string_view(obj.key).substr(prefix.size());
    if (name.find('/') != std::string_view::npos) continue;  // _sidecars/, _staged_commits/
    if (name == "_last_checkpoint") listing.last_checkpoint_key = obj.key;
    LogFile f = ClassifyLogFile(name);
    if (f.kind == LogFile::Kind::kOther) continue;
    f.key = obj.key;
    f.size_bytes = obj.size_bytes;
    f.modified_unix_ms = obj.modified_unix_ms;
    if (f.kind == LogFile::Kind::kCommit) {
      listing.commits[f.version] = f;
    } else {
      checkpoint_files[f.version].push_back(f);
    }
    listing.latest_version = std::max(listing.latest_version, f.version);
  }
  for (auto& [v, files] : checkpoint_files) {
    std::vector<CheckpointSet> complete = CompleteCheckpoints(v, std::move(files));
    if (!complete.empty()) listing.checkpoints[v] = std::move(complete);
  }
  return listing;
}

Result<std::vector<Action>> ReadCommit(storage::Storage& store, const std::string& root,
                                       int64_t version) {
  std::string key = LogPrefix(root) + CommitFileName(version);
  RS_ASSIGN_OR_RETURN_CTX(std::string text, store.Get(key), "read " + key);
  return ParseCommit(text, key);
}

Status CheckReadable(const Protocol& protocol, const Metadata& metadata) {
  int reader = protocol.min_reader_version;
  if (reader > 3 || reader < 1) {
    return Status::Unimplemented(fmt::format("table requires unsupported reader version {}", reader));
  }
  if (reader == 3) {
    std::vector<std::string> unsupported;
    for (const std::string& f : protocol.reader_features.value_or(std::vector<std::string>{})) {
      if (SupportedReaderFeatures().count(f) == 0) unsupported.push_back(f);
    }
    if (!unsupported.empty()) {
      return Status::Unimplemented(fmt::format("table requires unsupported reader feature: {}",
                                               fmt::join(unsupported, ", ")));
    }
  }
  return MakeColumnMapping(protocol, metadata).status();
}

Result<Snapshot> ReplayToVersion(const std::shared_ptr<storage::Storage>& store,
                                 const std::string& root, const LogListing& listing,
                                 int64_t version) {
  std::string where = "replay " + (root.empty() ? store->Describe() : root);
  std::string checkpoint_errors;
  std::vector<std::string> skipped;  // damaged checkpoints, for Snapshot::skipped_checkpoints
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    int64_t cp_version = it->first;
    if (cp_version > version) continue;
    if (auto gap = FirstMissingCommit(listing, cp_version + 1, version)) {
      return Status::Corruption(fmt::format("{}: log is not contiguous: {} (version {}) is missing",
                                            where, CommitFileName(*gap), *gap));
    }
    std::vector<CheckpointSet> candidates = it->second;
    if (candidates.size() > 1 && !listing.last_checkpoint_key.empty()) {
      // Several checkpoints of one version: the one _last_checkpoint names first.
      auto last = store->Get(listing.last_checkpoint_key);
      if (last.ok()) PreferLastCheckpoint(*last, &candidates);
    }
    for (const CheckpointSet& cp : candidates) {
      auto actions = ReadCheckpoint(store, cp);
      if (!actions.ok()) {  // a damaged checkpoint: fall back to another, an older one, or JSON
        checkpoint_errors += "; " + actions.status().message();
        skipped.push_back(actions.status().message());
        continue;
      }
      ReplayState state;
      for (Action& a : *actions) state.Apply(std::move(a));
      RS_RETURN_IF_ERROR_CTX(ApplyCommits(*store, root, listing, cp_version + 1, version, &state),
                             where);
      RS_ASSIGN_OR_RETURN(Snapshot s, std::move(state).Finish(version, where));
      s.checkpoint_version = cp_version;
      s.skipped_checkpoints = std::move(skipped);
      return s;
    }
  }
  if (auto gap = FirstMissingCommit(listing, 0, version)) {
    return Status::Corruption(fmt::format(
        "{}: log is not contiguous: {} (version {}) is missing and no usable checkpoint "
        "precedes version {}{}",
        where, CommitFileName(*gap), *gap, version, checkpoint_errors));
  }
  ReplayState state;
  RS_RETURN_IF_ERROR_CTX(ApplyCommits(*store, root, listing, 0, version, &state), where);
  RS_ASSIGN_OR_RETURN(Snapshot s, std::move(state).Finish(version, where));
  s.skipped_checkpoints = std::move(skipped);
  return s;
}

}  // namespace rs::delta
