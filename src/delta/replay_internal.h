// Internals shared by snapshot loading, commits and checkpoints: the log
// listing, reading one commit, checkpoint I/O and the protocol check.
#ifndef RS_DELTA_REPLAY_INTERNAL_H_
#define RS_DELTA_REPLAY_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "delta/log_internal.h"
#include "storage/storage.h"

namespace rs::delta {

struct CheckpointSet {
  int64_t version = -1;
  std::vector<LogFile> parts;  // sorted by part number
  bool complete = false;       // every part of one part count is present
};

struct LogListing {
  std::map<int64_t, LogFile> commits;            // by version
  std::map<int64_t, CheckpointSet> checkpoints;  // by version
  int64_t latest_version = -1;                   // -1: no table
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

// Reads every part of a checkpoint into actions (add, remove, metaData, protocol, txn).
Result<std::vector<Action>> ReadCheckpoint(const std::shared_ptr<storage::Storage>& store,
                                           const CheckpointSet& cp);
// Writes the snapshot as <version>.checkpoint.parquet, then _last_checkpoint.
Status WriteCheckpointFiles(storage::Storage& store, const std::string& root,
                            const Snapshot& snapshot);

}  // namespace rs::delta

#endif  // RS_DELTA_REPLAY_INTERNAL_H_
