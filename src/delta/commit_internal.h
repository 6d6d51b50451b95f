// Internals of writing: the optimistic commit loop shared by overwrites.
#ifndef RS_DELTA_COMMIT_INTERNAL_H_
#define RS_DELTA_COMMIT_INTERNAL_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "delta/log_internal.h"
#include "storage/storage.h"

namespace rs::delta {

// What a commit attempt needs to know to decide whether a concurrent commit conflicts.
struct CommitIntent {
  std::string partition_column;
  std::set<std::string> partitions;  // partition values this commit replaces
  bool creates_table = false;        // carries protocol + metaData
  Metadata metadata;                 // when creating: to accept an identical concurrent create
  std::string txn_id;                // unique per transaction; found in commitInfo.txnId
};

int64_t NowMs();

// Writes `actions` as commit read_version + 1 with PutIfAbsent. On a lost race
// reads the winners: compatible ones (other partitions, no metadata change)
// move the attempt to the next version, conflicting ones fail with Aborted.
// An Unavailable put is resolved by looking for our txnId in the log.
// `actions` may be edited between attempts (a concurrent identical create
// drops our protocol/metaData). Returns the committed version.
Result<int64_t> CommitWithRetries(storage::Storage& store, const std::string& root,
                                  int64_t read_version, CommitIntent intent,
                                  std::vector<Action> actions, int max_attempts, int* attempts);

}  // namespace rs::delta

#endif  // RS_DELTA_COMMIT_INTERNAL_H_
