#include "job/sync.h"

namespace rs::job {

Status SyncMonths(const Lake& lake, const SyncRequest& request, const ReplicationOptions& options,
                  Logger& log, SyncReport* report) {
  const bool given = !request.months_spec.empty();
  RS_ASSIGN_OR_RETURN(report->checks,
                      VerifyMonths(lake, given ? request.months_spec : "all", options, log));
  for (const auto& c : report->checks) {
    // Given months are replicated again whatever their state; otherwise only
    // those out of sync, including months PostgreSQL holds and Delta does not.
    if (given || c.state != MonthState::kInSync) report->months.push_back(c.month);
  }
  if (report->months.empty()) return Status::OK();
  if (request.dry_run) {
    log.Info("dry run: would replicate months; nothing was written", {{"months", report->months}});
    return Status::OK();
  }
  // The rankings version is recorded for lineage; the derived tables are read
  // at their latest versions.
  TableVersions versions;
  if (auto t = lake.OpenTable(lake.layout().rankings); t.ok()) {
    if (auto snap = t->LoadSnapshot(); snap.ok()) versions.rankings = snap->version;
  }
  ReplicationOptions replicate = options;
  replicate.write_required = true;
  RS_RETURN_IF_ERROR(ReplicateMonths(
      lake, ReplicateRequest{report->months, versions, request.run_id, request.force, request.stop},
      replicate, log, &report->replication));
  for (const auto& r : report->replication) {
    if (!r.ok || r.skipped) report->still_out_of_sync.push_back(r.month);
  }
  return Status::OK();
}

}  // namespace rs::job
