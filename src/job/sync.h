// `sync`: replicates again from Delta, with no recompute, the months that
// verify (verify.h) finds out of sync, or exactly the months asked for.
// PostgreSQL is derived: every state verify reports is healed by replacing
// the month with what Delta holds, including a month Delta holds no rows of
// (its served rows are removed).
#ifndef RS_JOB_SYNC_H_
#define RS_JOB_SYNC_H_

#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "job/lake.h"
#include "job/options.h"
#include "job/replicate.h"
#include "job/verify.h"

namespace rs::job {

struct SyncRequest {
  // Months to replicate whatever their state; empty = every month out of sync.
  std::string months_spec;
  std::string run_id;
  // Replace the months whatever the ledger records (with months_spec: those
  // months; without: every month out of sync).
  bool force = false;
  bool dry_run = false;            // verify and list the months to replicate; replicate nothing
  const StopFlag* stop = nullptr;  // the operator's stop (ReplicateRequest::stop)
};

struct SyncReport {
  std::vector<MonthCheck> checks;               // verify's findings before the sync
  std::vector<std::string> months;              // the months replicated
  std::vector<MonthReplication> replication;    // their outcomes, in order
  // Months still out of sync afterwards (skipped by the ledger's rules).
  std::vector<std::string> still_out_of_sync;
};

// Verifies, then replicates the months to heal. Replication failures are
// errors here whatever write_required says: sync exists to replicate.
Status SyncMonths(const Lake& lake, const SyncRequest& request, const ReplicationOptions& options,
                  Logger& log, SyncReport* report);

}  // namespace rs::job

#endif  // RS_JOB_SYNC_H_
