#include "job/replicate.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>

#include "common/crash_point.h"
#include "common/parallel.h"
#include "common/redact.h"
#include "common/retry.h"
#include "postgres/checksum.h"
#include "postgres/replicator.h"
#include "job/served_tables_internal.h"

namespace rs::job {
namespace {

using internal::OpenAt;
using internal::OpenedTable;
using internal::ReadMonth;

class ReplicationSession {
 public:
  // `announce` is shared by the `connections` sessions of one run: the
  // target is logged once.
  ReplicationSession(const ReplicationOptions& config, const std::string& run_id, Logger& log,
                     std::once_flag& announce, int connections)
      : config_(config), run_id_(run_id), log_(log), announce_(announce),
        connections_(connections) {}

  // Connects on first use and after a failure; checks the schema once.
  Result<postgres::Replicator*> Get() {
    RS_ASSIGN_OR_RETURN(postgres::Replicator * rep, Connected());
    if (!schema_checked_) {
      Status s = rep->CheckSchema(postgres::SignalsSchema(), postgres::CompositeSchema());
      if (!s.ok()) return s.Annotate("check PostgreSQL schema");
      schema_checked_ = true;
      std::call_once(announce_, [&] {
        log_.Info("replicating to PostgreSQL",
                  {{"target", rep->target()}, {"connections", connections_}});
      });
    }
    return rep;
  }

  // A connection without the schema check: the ledger is written even when
  // the serving tables do not match (that is what the failure records).
  Result<postgres::Replicator*> Connected() {
    if (rep_) return rep_.get();
    // Connect's errors already say "connect to PostgreSQL at <host>".
    RS_ASSIGN_OR_RETURN(rep_, postgres::Replicator::Connect(ConnectionOptionsFor(config_)));
    return rep_.get();
  }

  // Records a failed month in the ledger, best effort (the database may be gone).
  // A second attempt only after a lost connection; the WARN says why it failed.
  void RecordFailure(const std::string& month, const Status& error) {
    RetryPolicy reconnect_once;  // on a fresh connection, at once
    reconnect_once.max_attempts = 2;
    reconnect_once.base_delay = reconnect_once.max_delay = std::chrono::milliseconds(0);
    Backoff backoff(reconnect_once);
    Status last;
    do {
      auto rep = Connected();
      last = rep.ok() ? (*rep)->RecordFailure(month, run_id_, error.message()) : rep.status();
      if (last.ok()) return;
      rep_.reset();
      if (last.code() != StatusCode::kUnavailable) break;
    } while (backoff.Next());
    log_.Warn("could not record the failure in ranking.signal_sync_state",
              {{"month", month},
               {"database_unreachable", last.code() == StatusCode::kUnavailable},
               {"reason", last.message()}});
  }

  void Reset() { rep_.reset(); }

 private:
  const ReplicationOptions& config_;
  const std::string& run_id_;
  Logger& log_;
  std::once_flag& announce_;
  int connections_;
  std::unique_ptr<postgres::Replicator> rep_;
  bool schema_checked_ = false;
};

// What every month of one replication shares.
struct Source {
  const OpenedTable& signals;
  const OpenedTable& composite;
  std::string signals_location;  // without credentials (Lake::Describe)
  const ReplicateRequest& request;
  const ReplicationOptions& options;
};

Status ReplicateOne(ReplicationSession& session, const Source& src, const std::string& month,
                    MonthReplication* out, Logger& log) {
  const OpenedTable& signals = src.signals;
  const OpenedTable& composite = src.composite;
  // Every error names the month: ReplaceMonth's own start with "replicate
  // <month>: ", and the steps before it say so here.
  const std::string ctx = "replicate " + month;
  const auto start = std::chrono::steady_clock::now();
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch s, ReadMonth(signals, month, postgres::SignalsSchema()),
                          ctx + ": read ranking_signals");
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch c, ReadMonth(composite, month, postgres::CompositeSchema()),
                          ctx + ": read composite_signals");
  RS_ASSIGN_OR_RETURN_CTX(postgres::Replicator * rep, session.Get(), ctx);
  postgres::MonthPayload payload{month, std::move(s), std::move(c)};
  payload.rankings_delta_version = src.request.versions.rankings;
  payload.signals_delta_version = signals.snapshot.version;
  payload.composite_delta_version = composite.snapshot.version;
  payload.signals_table_id = signals.snapshot.metadata.id;
  payload.composite_table_id = composite.snapshot.metadata.id;
  payload.source_location = src.signals_location;
  payload.signals_commit_timestamp_ms = signals.snapshot.commit_timestamp_ms;
  payload.force = src.request.force;
  payload.run_id = src.request.run_id;
  payload.verify_counts = src.options.verify_counts;
  RS_ASSIGN_OR_RETURN(auto result, rep->ReplaceMonth(payload));
  out->skipped = result.skipped;
  out->skip_reason = result.skip_reason;
  out->source_changed = result.source_changed;
  out->source_change_reason = result.source_change_reason;
  out->signals_rows = result.signals_rows;
  out->composite_rows = result.composite_rows;
  if (result.skipped) {
    log.Warn("month not replicated: PostgreSQL already holds a newer Delta version of the same "
             "tables (`sync --force` replaces it)",
             {{"month", month}, {"reason", result.skip_reason}});
    return Status::OK();
  }
  if (result.source_changed) {
    log.Warn("month replaced: the rows served came from other Delta tables (a new or moved lake)",
             {{"month", month}, {"reason", result.source_change_reason}});
  }
  // One line per month, both tables: rows and rows/s of the whole month
  // (Delta read, COPY and swap), the rate an operator compares across months.
  const double seconds = SecondsSince(start);
  const int64_t rows = result.signals_rows + result.composite_rows;
  auto ms = [](double secs) { return std::round(secs * 1000) / 1000; };
  log.Info("replicated month",
           {{"month", month},
            {"signals_rows", result.signals_rows},
            {"signals_rows_deleted", result.signals_rows_deleted},
            {"composite_rows", result.composite_rows},
            {"composite_rows_deleted", result.composite_rows_deleted},
            {"rows_per_s", seconds > 0 ? std::llround(static_cast<double>(rows) / seconds) : 0},
            {"seconds", ms(seconds)},
            {"postgres_seconds", ms(result.total_seconds)},
            {"swap_seconds", ms(result.swap_seconds)},
            {"swap_attempts", result.swap_attempts}});
  return Status::OK();
}

}  // namespace

postgres::ConnectionOptions ConnectionOptionsFor(const ReplicationOptions& options) {
  postgres::ConnectionOptions o;
  o.dsn = options.dsn.value_or("");
  o.connect_timeout_s = options.connect_timeout_s;
  o.statement_timeout_ms = options.statement_timeout_ms;
  o.lock_timeout_ms = options.lock_timeout_ms;
  o.swap_attempts = options.swap_attempts;
  return o;
}

Status ReplicateMonths(const Lake& lake, const ReplicateRequest& request,
                       const ReplicationOptions& config, Logger& log,
                       std::vector<MonthReplication>* out) {
  const LakeLayout& layout = lake.layout();
  const std::vector<std::string>& months = request.months;
  const TableVersions& versions = request.versions;
  const std::string& run_id = request.run_id;
  // Both tables are opened once, at fixed snapshots, and shared: a Table may
  // be read from several threads, and every connection then reads the same
  // versions even when `versions` asks for the latest.
  auto signals = OpenAt(lake, layout.signals, versions.signals);
  auto composite = signals.ok() ? OpenAt(lake, layout.composite, versions.composite)
                                : Result<OpenedTable>(signals.status());
  const Status opened = composite.status();

  // Months are handed out in order to `connections` workers, each with its own
  // connection; every month is still one transaction of its own. With
  // write_required the first failure stops the handing out and the earliest
  // failed month is returned; otherwise every month runs and failures are
  // logged (and recorded in the ledger) for `sync` to heal.
  ParallelOptions parallel;
  parallel.max_threads = config.connections;
  parallel.on_error = ErrorPolicy::kStopAtFirstError;
  const int workers = ParallelThreads(months.size(), parallel);
  std::once_flag announce;
  std::vector<std::unique_ptr<ReplicationSession>> sessions(static_cast<size_t>(workers));
  std::vector<std::optional<MonthReplication>> results(months.size());
  Progress progress(log, "replicating", static_cast<int64_t>(months.size()), "months");
  Status failure = ParallelForWorkers(months.size(), parallel, [&](int w, size_t i) -> Status {
    auto& session = sessions[static_cast<size_t>(w)];  // this worker's alone
    if (!session) {
      session = std::make_unique<ReplicationSession>(config, run_id, log, announce, workers);
    }
    const std::string& month = months[i];
    // A stop ends the handing out: this month and the later ones are not
    // started (the summary names them as not attempted).
    if (Status stop = CheckStop(request.stop, "replicating " + month); !stop.ok()) return stop;
    auto start = std::chrono::steady_clock::now();
    MonthReplication r;
    r.month = month;
    Status s = opened.ok() ? ReplicateOne(*session,
                                          Source{*signals, *composite,
                                                 lake.Describe(layout.signals), request, config},
                                          month, &r, log)
                           : opened.Annotate("replicate " + month);
    // Slot i belongs to this call alone; ParallelForWorkers publishes it.
    if (s.ok()) {
      r.ok = true;
      r.seconds = SecondsSince(start);
      results[i] = std::move(r);
      progress.Advance(1);
      CrashPoint("replicate.after_month");
      return Status::OK();
    }
    MonthReplication failed;
    failed.month = month;
    failed.error = s.message();  // names the month (ReplicateOne)
    session->RecordFailure(month, s);
    results[i] = std::move(failed);
    progress.Advance(1);
    if (config.write_required) return s;
    log.Error("replication failed; Delta is committed and correct, heal later with `sync` "
              "(POSTGRES_SIGNALS_WRITE_REQUIRED=false)",
              {{"month", month}, {"error", s.message()}});
    session->Reset();
    return Status::OK();
  });
  for (auto& r : results) {
    if (r) out->push_back(std::move(*r));
  }
  return failure;
}

}  // namespace rs::job
