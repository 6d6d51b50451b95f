// Internals shared by snapshot loading, commits and checkpoints: the log
// listing, reading one commit, checkpoint I/O and the protocol check.
#ifndef RS_DELTA_REPLAY_INTERNAL_H_
#define RS_DELTA_REPLAY_INTERNAL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "delta/log_internal.h"
#include "storage/storage.h"

namespace rs::delta {

// One complete checkpoint of a version: a classic or UUID-named file, or
// every part 1..n of a multi-part checkpoint.
struct CheckpointSet {
  int64_t version = -1;
  std::vector<LogFile> parts;  // one file, or the parts sorted by part number
};

struct LogListing {
  std::map<int64_t, LogFile> commits;  // by version
  // Complete checkpoints by version, in the order a reader tries them:
  // UUID-named (by name), classic, then multi-part (by part count).
  // Incomplete multi-part checkpoints are left out.
  std::map<int64_t, std::vector<CheckpointSet>> checkpoints;
  std::string last_checkpoint_key;  // _delta_log/_last_checkpoint, "" when absent
  int64_t latest_version = -1;      // -1: no table
};

// Lists <root>/_delta_log/ and classifies its files (unknown ones ignored).
Result<LogListing> ListLog(storage::Storage& store, const std::string& root);
// The actions of commit `version` (NotFound when it does not exist).
Result<std::vector<Action>> ReadCommit(storage::Storage& store, const std::string& root,
                                       int64_t version);
// Fails with Unimplemented naming the feature when we cannot read the table.
Status CheckReadable(const Protocol& protocol, const Metadata& metadata);
// Replays from the newest usable checkpoint at or before `version`.
Result<Snapshot> ReplayToVersion(const std::shared_ptr<storage::Storage>& store,
                                 const std::string& root, const LogListing& listing,
                                 int64_t version);

// --- checkpoints (checkpoint.cc) ---

// What checkpoint files hold: actions (add, remove, metaData, protocol, txn)
// and, in a V2-spec checkpoint, its checkpointMetadata and sidecar actions.
struct CheckpointContent {
  std::vector<Action> actions;
  std::vector<nlohmann::json> sidecars;               // bodies of the sidecar actions
  std::vector<int64_t> checkpoint_metadata_versions;  // one per checkpointMetadata action
};

// Adds one action line ({"add":{...}}, {"sidecar":{...}}, ...) to `content`.
Status AddCheckpointAction(const nlohmann::json& line, CheckpointContent* content);
// Reads one Parquet checkpoint file (classic, part, UUID-named or sidecar)
// into `content`. `file_actions_only`: read only the add and remove columns
// (a sidecar file).
Status ReadParquetCheckpointFile(const std::shared_ptr<storage::Storage>& store,
                                 const std::string& key, bool file_actions_only,
                                 CheckpointContent* content);

// --- reading any checkpoint, V1 or V2 spec (checkpoint_read.cc) ---

// Reads a checkpoint into actions: every part, the top-level file (Parquet or
// JSON) and the sidecar files it names under _delta_log/_sidecars/. Fails
// (Corruption, NotFound, ...) naming the file when it cannot be used: the
// caller then tries another checkpoint.
Result<std::vector<Action>> ReadCheckpoint(const std::shared_ptr<storage::Storage>& store,
                                           const CheckpointSet& cp);
// The storage key of a sidecar action's `path` (URI-encoded; a file name, a
// path relative to _sidecars/, or an absolute URI inside _delta_log/_sidecars/).
Result<std::string> SidecarKey(const std::string& log_dir_key, const std::string& path);
// Puts first the checkpoint that _last_checkpoint names (its version and, for
// a V2 checkpoint, v2Checkpoint.path), when it is among `candidates`; any
// other _last_checkpoint content leaves the order as it is (it is a hint).
void PreferLastCheckpoint(std::string_view last_checkpoint_text,
                          std::vector<CheckpointSet>* candidates);
// Writes the snapshot as <version>.checkpoint.parquet, then _last_checkpoint.
Status WriteCheckpointFiles(storage::Storage& store, const std::string& root,
                            const Snapshot& snapshot);

}  // namespace rs::delta

#endif  // RS_DELTA_REPLAY_INTERNAL_H_
