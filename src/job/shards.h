// Shards of a run: `run --shard K/N` takes every N-th target month starting
// at K; `--shard auto/N` lets N replicas of a parallel job, which have no
// index of their own, claim one shard each through put-if-absent objects in
// the lake under _ranking_jobs/shards/<group>/.
//
// Claims survive platform retries: a claim records its owner (the replica's
// name), and a replica that restarts re-takes the claim it holds instead of
// finding every shard taken. When every shard of a group is done the group's
// claims are removed, and groups left by failed executions are removed once
// they are idle for kStaleClaimGroupDays, so old claims never block a run.
#ifndef RS_JOB_SHARDS_H_
#define RS_JOB_SHARDS_H_

#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "job/lake.h"

namespace rs::job {

struct Shard {
  int index = 0;
  int count = 1;
  bool auto_claim = false;  // auto/N: `index` is known only after ClaimShard
};

// "K/N" with 0 <= K < N <= 10000, or "auto/N"; InvalidArgument otherwise.
Result<Shard> ParseShard(const std::string& spec);

// The months of `months` (sorted) that belong to `shard`.
std::vector<std::string> ApplyShard(const std::vector<std::string>& months, const Shard& shard);

// Who claims an auto shard.
struct ShardClaimant {
  std::string group;   // shared by the replicas of one execution (required for auto/N)
  std::string owner;   // this replica, stable across its restarts; "" = never re-take
  std::string run_id;  // recorded in the claim for operators
};

inline constexpr int kStaleClaimGroupDays = 7;

// For auto/N: re-takes the shard `claimant.owner` already holds in the
// group, else claims the lowest free one, and sets shard->index. A shard
// whose claim lists another owner is never taken. FailedPrecondition naming
// the holders when every shard is claimed by others. No-op for K/N.
Status ClaimShard(const Lake& lake, const ShardClaimant& claimant, Logger& log, Shard* shard);

// After the shard's months are committed (and replicated): marks the shard
// done; when every shard of the group is done, removes the group's objects;
// removes other groups idle for kStaleClaimGroupDays. Failures to clean up
// are logged, not returned: the run's data is already committed. No-op for
// shards that were not claimed.
void FinishShard(const Lake& lake, const ShardClaimant& claimant, const Shard& shard, Logger& log);

}  // namespace rs::job

#endif  // RS_JOB_SHARDS_H_
