// The ranking job: rank (optional), materialize, write the three Delta tables
// (exactly the target months replaced), then replicate the committed months to
// PostgreSQL. Data flows one way: input table -> engine -> Delta writer ->
// replicator. docs/architecture.md describes the failure semantics of each step.
#ifndef RS_JOB_RUN_H_
#define RS_JOB_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "common/stop.h"
#include "job/lake.h"
#include "job/options.h"
#include "job/replicate.h"
#include "job/shards.h"

namespace rs::job {

struct JobRequest {
  JobOptions options;
  std::string months_spec = "latest";
  Shard shard;
  std::string shard_group;  // auto shards: claim group (e.g. the job execution name)
  std::string shard_owner;  // auto shards: this replica, stable across restarts (job/shards.h)
  bool rank = true;         // false: materialize from the existing rankings table
  std::string run_id;
  // The operator's stop (SIGTERM, SIGINT), checked before each month is
  // computed, before the commits and before each month is replicated. A stop
  // before the commits abandons the writes (Delta unchanged); after them,
  // the committed tables stand and the months not replicated are named.
  const StopFlag* stop = nullptr;
  // Compute the target months and report what would be written and
  // replicated, writing nothing anywhere (no data file, commit, shard claim
  // or PostgreSQL connection).
  bool dry_run = false;
};

struct MonthRows {
  std::string month;
  int64_t rankings = 0;
  int64_t signals = 0;
  int64_t composite = 0;
};

struct TableCommit {
  std::string table;
  int64_t version = -1;
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t bytes_added = 0;
};

struct JobReport {
  std::vector<std::string> months;
  std::vector<MonthRows> rows;
  std::vector<TableCommit> commits;
  std::vector<MonthReplication> replication;
  bool replication_ran = false;
  bool dry_run = false;          // nothing was written (JobRequest::dry_run)
  bool would_replicate = false;  // dry run: replication is configured
  double read_seconds = 0, compute_seconds = 0, write_seconds = 0, replicate_seconds = 0;
};

// Runs the job. Returns an error when any step fails (a replication failure
// only when write_required). `report` is filled as far as the job got.
Status RunJob(const Lake& lake, const JobRequest& request, Logger& log, JobReport* report);

// Prints the final summary (months, rows per table, Delta versions, bytes,
// durations, months replicated, skipped or failed) through `log`: a few
// readable lines in text format, one "summary" line with fixed keys in JSON.
// `outcome` is RunJob's status: at INFO when OK, else at ERROR, saying
// "stopped" for a Cancelled run (the operator's signal) and "failed" otherwise.
void LogJobSummary(const JobReport& report, Logger& log, const Status& outcome = Status::OK());

}  // namespace rs::job

#endif  // RS_JOB_RUN_H_
