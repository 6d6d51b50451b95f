// Replication of committed Delta months to the PostgreSQL serving copy, after
// the Delta commits of a run (run.h) or to heal drift (sync.h). PostgreSQL is
// rebuilt from Delta alone.
#ifndef RS_JOB_REPLICATE_H_
#define RS_JOB_REPLICATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "common/stop.h"
#include "job/lake.h"
#include "job/options.h"
#include "postgres/migrations.h"

namespace rs::job {

struct TableVersions {
  int64_t rankings = -1;  // -1: unknown / absent
  int64_t signals = -1;
  int64_t composite = -1;
};

struct MonthReplication {
  std::string month;
  bool ok = false;
  bool skipped = false;         // the ledger records newer Delta versions of the same tables
  std::string skip_reason;
  bool source_changed = false;  // replaced rows that came from other Delta tables
  std::string source_change_reason;
  std::string error;            // redacted
  int64_t signals_rows = 0;
  int64_t composite_rows = 0;
  double seconds = 0;
};

struct ReplicateRequest {
  std::vector<std::string> months;
  TableVersions versions;  // the Delta versions to read (-1 = latest)
  std::string run_id;
  // Replace the months whatever the ledger records (`sync --force`).
  bool force = false;
  // Set by the operator's stop (SIGTERM): no month is handed out after it;
  // months in flight finish (their transactions commit or roll back whole).
  const StopFlag* stop = nullptr;
};

// The connection settings of `options` (the one mapping from the job's
// replication options to postgres::ConnectionOptions).
postgres::ConnectionOptions ConnectionOptionsFor(const ReplicationOptions& options);

// Replicates `request.months` from the Delta tables at `request.versions`,
// up to `options.connections` months at once, each in its own transaction on
// its own connection; `out` lists the months attempted, in order. With
// write_required, a failure stops handing out months (those in flight finish)
// and the earliest failed month's error is returned (its ledger row says
// failed where the database is reachable); without it, failures are logged,
// recorded, and returned in `out` only. A month the ledger skips, or whose
// served rows came from other Delta tables (then replaced), is logged at WARN.
Status ReplicateMonths(const Lake& lake, const ReplicateRequest& request,
                       const ReplicationOptions& options, Logger& log,
                       std::vector<MonthReplication>* out);

}  // namespace rs::job

#endif  // RS_JOB_REPLICATE_H_
