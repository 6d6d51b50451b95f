#include "cli/replication.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <thread>

#include "common/crash_point.h"
#include "common/redact.h"
#include "postgres/checksum.h"
#include "postgres/replicator.h"
#include "signals/months.h"

namespace rs::cli {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

postgres::ConnectionOptions ConnectionFrom(const ReplicationConfig& config) {
  postgres::ConnectionOptions o;
  o.dsn = config.dsn.value_or("");
  o.connect_timeout_s = config.connect_timeout_s;
  o.statement_timeout_ms = config.statement_timeout_ms;
  return o;
}

std::vector<std::string> ColumnNames(const Schema& schema) {
  std::vector<std::string> names;
  for (const Field& f : schema) names.push_back(f.name);
  return names;
}

// A table opened at one snapshot, from which months are read.
struct OpenedTable {
  std::unique_ptr<delta::Table> table;
  delta::Snapshot snapshot;
};

Result<OpenedTable> OpenAt(const Lake& lake, const std::string& path, int64_t version) {
  OpenedTable t;
  RS_ASSIGN_OR_RETURN_CTX(t.table, lake.OpenTable(path), "open " + lake.Describe(path));
  delta::SnapshotSpec spec;
  if (version >= 0) spec.version = version;
  RS_ASSIGN_OR_RETURN_CTX(t.snapshot, t.table->LoadSnapshot(spec), "load " + lake.Describe(path));
  return t;
}

Result<RecordBatch> ReadMonth(const OpenedTable& t, const std::string& month, const Schema& layout) {
  delta::ScanOptions scan;
  scan.columns = ColumnNames(layout);
  scan.ranges.push_back({"year_month", Value::Bytes(month), Value::Bytes(month)});
  return t.table->Scan(t.snapshot, scan);
}

std::set<std::string> PartitionMonths(const delta::Snapshot& snapshot) {
  std::set<std::string> months;
  for (const auto& f : snapshot.files) {
    auto it = f.partition_values.find("year_month");
    if (it != f.partition_values.end() && it->second) months.insert(*it->second);
  }
  return months;
}

// The newest version of the table whose commit replaced each month, from the
// month literals ('YYYY-MM') in its operation parameters. A data commit naming
// no month (another tool's append, say) counts for every month.
struct MonthVersions {
  std::map<std::string, int64_t> by_month;
  int64_t unscoped = -1;
  int64_t For(const std::string& month) const {
    auto it = by_month.find(month);
    return std::max(unscoped, it == by_month.end() ? -1 : it->second);
  }
};

Result<MonthVersions> ReadMonthVersions(const delta::Table& table) {
  RS_ASSIGN_OR_RETURN(auto history, table.History());
  static const std::regex kMonth("([12][0-9]{3}-[01][0-9])");
  MonthVersions mv;
  for (const auto& h : history) {
    bool named = false;
    for (const auto& [key, value] : h.operation_parameters) {
      for (auto it = std::sregex_iterator(value.begin(), value.end(), kMonth);
           it != std::sregex_iterator(); ++it) {
        int64_t& v = mv.by_month[(*it)[1].str()];
        v = std::max(v, h.version);
        named = true;
      }
    }
    if (!named) mv.unscoped = std::max(mv.unscoped, h.version);
  }
  return mv;
}

class ReplicationSession {
 public:
  // `announce` is shared by the `connections` sessions of one run: the
  // target is logged once.
  ReplicationSession(const ReplicationConfig& config, const std::string& run_id, Logger& log,
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
        log_.Info("replicating to " + rep->target(), {{"connections", connections_}});
      });
    }
    return rep;
  }

  // A connection without the schema check: the ledger is written even when
  // the serving tables do not match (that is what the failure records).
  Result<postgres::Replicator*> Connected() {
    if (rep_) return rep_.get();
    // Connect's errors already say "connect to PostgreSQL at <host>".
    RS_ASSIGN_OR_RETURN(rep_, postgres::Replicator::Connect(ConnectionFrom(config_)));
    return rep_.get();
  }

  // Records a failed month in the ledger, best effort (the database may be gone).
  void RecordFailure(const std::string& month, const Status& error) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto rep = Connected();
      if (rep.ok() && (*rep)->RecordFailure(month, run_id_, error.message()).ok()) return;
      rep_.reset();
    }
    log_.Warn("could not record the failure in ranking.signal_sync_state (database unreachable)",
              {{"month", month}});
  }

  void Reset() { rep_.reset(); }

 private:
  const ReplicationConfig& config_;
  const std::string& run_id_;
  Logger& log_;
  std::once_flag& announce_;
  int connections_;
  std::unique_ptr<postgres::Replicator> rep_;
  bool schema_checked_ = false;
};

Status ReplicateOne(ReplicationSession& session, const OpenedTable& signals,
                    const OpenedTable& composite, const TableVersions& versions,
                    const ReplicationConfig& config, const std::string& run_id,
                    const std::string& month, MonthReplication* out, Logger& log) {
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch s, ReadMonth(signals, month, postgres::SignalsSchema()),
                          "read ranking_signals");
  RS_ASSIGN_OR_RETURN_CTX(RecordBatch c, ReadMonth(composite, month, postgres::CompositeSchema()),
                          "read composite_signals");
  RS_ASSIGN_OR_RETURN(postgres::Replicator * rep, session.Get());
  postgres::MonthPayload payload{month, s, c};
  payload.rankings_delta_version = versions.rankings;
  payload.signals_delta_version = signals.snapshot.version;
  payload.composite_delta_version = composite.snapshot.version;
  payload.run_id = run_id;
  payload.verify_counts = config.verify_counts;
  RS_ASSIGN_OR_RETURN(auto result, rep->ReplaceMonth(payload));
  out->skipped = result.skipped;
  out->signals_rows = result.signals_rows;
  out->composite_rows = result.composite_rows;
  if (result.skipped) {
    log.Warn("month not replicated: PostgreSQL already holds a newer Delta version",
             {{"month", month}, {"reason", result.skip_reason}});
    return Status::OK();
  }
  log.Info("replicated month",
           {{"month", month}, {"table", "ranking.ranking_signal"}, {"rows", result.signals_rows},
            {"deleted", result.signals_rows_deleted}});
  log.Info("replicated month",
           {{"month", month}, {"table", "ranking.composite_signal_daily"},
            {"rows", result.composite_rows}, {"deleted", result.composite_rows_deleted},
            {"seconds", std::round(result.total_seconds * 1000) / 1000}});
  return Status::OK();
}

}  // namespace

Status ReplicateMonths(const Lake& lake, const std::vector<std::string>& months,
                       const TableVersions& versions, const ReplicationConfig& config,
                       const std::string& run_id, Logger& log, std::vector<MonthReplication>* out) {
  const LakeLayout& layout = lake.layout();
  // Both tables are opened once, at fixed snapshots, and shared: a Table may
  // be read from several threads, and every connection then reads the same
  // versions even when `versions` asks for the latest.
  auto signals = OpenAt(lake, layout.signals, versions.signals);
  auto composite = signals.ok() ? OpenAt(lake, layout.composite, versions.composite)
                                : Result<OpenedTable>(signals.status());
  const Status opened = composite.status();

  // Months are handed out in order to `connections` workers, each with its own
  // connection; every month is still one transaction of its own.
  const int workers = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(std::max(config.connections, 1)), months.size()));
  std::mutex mu;
  size_t next = 0;
  bool stop = false;                                 // write_required and a month failed
  std::optional<std::pair<size_t, Status>> failure;  // the earliest failed month
  std::vector<std::optional<MonthReplication>> results(months.size());

  std::once_flag announce;
  auto worker = [&] {
    ReplicationSession session(config, run_id, log, announce, workers);
    for (;;) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop || next == months.size()) return;
        i = next++;
      }
      const std::string& month = months[i];
      auto start = Clock::now();
      MonthReplication r;
      r.month = month;
      Status s = opened.ok() ? ReplicateOne(session, *signals, *composite, versions, config,
                                            run_id, month, &r, log)
                             : opened;
      // Slot i belongs to this worker alone; join() publishes it.
      if (s.ok()) {
        r.ok = true;
        r.seconds = SecondsSince(start);
        results[i] = std::move(r);
        CrashPoint("replicate.after_month");
        continue;
      }
      // The replicator's own errors already start with "replicate <month>: ".
      std::string context = "replicate " + month;
      Status annotated = s.message().starts_with(context + ": ") ? s : s.Annotate(context);
      MonthReplication failed;
      failed.month = month;
      failed.error = annotated.message();
      session.RecordFailure(month, annotated);
      results[i] = std::move(failed);
      if (config.write_required) {
        std::lock_guard<std::mutex> lock(mu);
        stop = true;
        if (!failure || i < failure->first) failure.emplace(i, annotated);
        return;
      }
      log.Error("replication failed; Delta is committed and correct, heal later with `sync` "
                "(POSTGRES_SIGNALS_WRITE_REQUIRED=false)",
                {{"month", month}, {"error", annotated.message()}});
      session.Reset();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(worker);
  if (workers > 0) worker();
  for (auto& t : threads) t.join();

  for (auto& r : results) {
    if (r) out->push_back(std::move(*r));
  }
  return failure ? failure->second : Status::OK();
}

std::string_view MonthStateName(MonthState state) {
  switch (state) {
    case MonthState::kInSync: return "in_sync";
    case MonthState::kMissing: return "missing";
    case MonthState::kDrifted: return "drifted";
    case MonthState::kStale: return "stale";
  }
  return "unknown";
}

namespace {

struct DeltaSide {
  OpenedTable signals, composite;
  MonthVersions signals_versions, composite_versions;
  std::set<std::string> months;
};

Result<DeltaSide> LoadDeltaSide(const Lake& lake) {
  DeltaSide d;
  RS_ASSIGN_OR_RETURN(d.signals, OpenAt(lake, lake.layout().signals, -1));
  RS_ASSIGN_OR_RETURN(d.composite, OpenAt(lake, lake.layout().composite, -1));
  RS_ASSIGN_OR_RETURN(d.signals_versions, ReadMonthVersions(*d.signals.table));
  RS_ASSIGN_OR_RETURN(d.composite_versions, ReadMonthVersions(*d.composite.table));
  d.months = PartitionMonths(d.signals.snapshot);
  auto more = PartitionMonths(d.composite.snapshot);
  d.months.insert(more.begin(), more.end());
  return d;
}

void Classify(MonthCheck& m, const std::string& delta_sig_sum, const std::string& delta_comp_sum,
              const postgres::MonthStats& pg, const postgres::LedgerRow* ledger) {
  bool in_delta = m.delta_signals_rows + m.delta_composite_rows > 0;
  bool in_pg = pg.signals_rows + pg.composite_rows > 0;
  bool same = m.delta_signals_rows == pg.signals_rows && m.delta_composite_rows == pg.composite_rows &&
              delta_sig_sum == pg.signals_checksum && delta_comp_sum == pg.composite_checksum;
  if (in_delta && !in_pg) {
    m.state = MonthState::kMissing;
    m.detail = "not in PostgreSQL";
    return;
  }
  if (!in_delta && in_pg) {
    m.state = MonthState::kDrifted;
    m.detail = "in PostgreSQL but not in Delta";
    return;
  }
  bool ledger_ok = ledger != nullptr && ledger->status == "success";
  bool ledger_current = ledger_ok && ledger->signals_delta_version &&
                        *ledger->signals_delta_version >= m.delta_version;
  if (!same) {
    bool pg_as_synced = ledger_ok && ledger->signals_checksum == pg.signals_checksum &&
                        ledger->composite_checksum == pg.composite_checksum;
    if (pg_as_synced && !ledger_current) {
      m.state = MonthState::kStale;
      m.detail = fmt::format("PostgreSQL holds Delta version {}, Delta is at {}",
                             ledger->signals_delta_version.value_or(-1), m.delta_version);
    } else {
      m.state = MonthState::kDrifted;
      m.detail = m.delta_signals_rows != pg.signals_rows || m.delta_composite_rows != pg.composite_rows
                     ? "row counts differ"
                     : "values differ (content checksums)";
    }
    return;
  }
  if (!ledger_ok) {
    m.state = MonthState::kStale;
    m.detail = ledger == nullptr ? "no ledger row" : "ledger status " + ledger->status + ": " +
                                                         ledger->error.value_or("");
    return;
  }
  if (!ledger_current) {
    m.state = MonthState::kStale;
    m.detail = fmt::format("ledger records Delta version {}, Delta is at {}",
                           ledger->signals_delta_version.value_or(-1), m.delta_version);
    return;
  }
  m.state = MonthState::kInSync;
}

}  // namespace

Result<std::vector<MonthCheck>> VerifyMonths(const Lake& lake, const std::string& months_spec,
                                             const ReplicationConfig& config, Logger& log) {
  RS_ASSIGN_OR_RETURN_CTX(DeltaSide delta, LoadDeltaSide(lake), "verify: read Delta");
  RS_ASSIGN_OR_RETURN(auto rep, postgres::Replicator::Connect(ConnectionFrom(config)));
  RS_ASSIGN_OR_RETURN_CTX(auto ledger_rows, rep->ReadLedger(), "verify: read ledger");
  std::map<std::string, postgres::LedgerRow> ledger;
  std::set<std::string> all = delta.months;
  for (auto& row : ledger_rows) {
    all.insert(row.year_month);
    ledger[row.year_month] = row;
  }
  RS_ASSIGN_OR_RETURN(auto months,
                      signals::ResolveMonthSpec(months_spec, {all.begin(), all.end()}));
  std::vector<MonthCheck> checks;
  for (const std::string& month : months) {
    MonthCheck m;
    m.month = month;
    std::string sig_sum = postgres::ContentChecksum(RecordBatch{}), comp_sum = sig_sum;
    if (delta.months.count(month) != 0) {
      RS_ASSIGN_OR_RETURN_CTX(auto s, ReadMonth(delta.signals, month, postgres::SignalsSchema()),
                              "verify " + month + ": read ranking_signals");
      RS_ASSIGN_OR_RETURN_CTX(auto c, ReadMonth(delta.composite, month, postgres::CompositeSchema()),
                              "verify " + month + ": read composite_signals");
      m.delta_signals_rows = static_cast<int64_t>(s.num_rows);
      m.delta_composite_rows = static_cast<int64_t>(c.num_rows);
      sig_sum = postgres::ContentChecksum(s);
      comp_sum = postgres::ContentChecksum(c);
    }
    m.delta_version = delta.signals_versions.For(month);
    RS_ASSIGN_OR_RETURN_CTX(auto pg, rep->MonthContent(month), "verify " + month);
    m.pg_signals_rows = pg.signals_rows;
    m.pg_composite_rows = pg.composite_rows;
    auto it = ledger.find(month);
    const postgres::LedgerRow* row = it == ledger.end() ? nullptr : &it->second;
    if (row != nullptr) {
      m.ledger_version = row->signals_delta_version;
      m.ledger_status = row->status;
    }
    Classify(m, sig_sum, comp_sum, pg, row);
    log.Info("verified month", {{"month", month}, {"state", MonthStateName(m.state)},
                                {"detail", m.detail}});
    checks.push_back(std::move(m));
  }
  return checks;
}

void PrintMonthChecks(const std::vector<MonthCheck>& checks, std::ostream& out) {
  out << fmt::format("{:<8} {:<8} {:>14} {:>14} {:>8} {:>8}  {}\n", "month", "state",
                     "delta_rows", "pg_rows", "delta_v", "ledger_v", "detail");
  for (const auto& m : checks) {
    out << fmt::format("{:<8} {:<8} {:>14} {:>14} {:>8} {:>8}  {}\n", m.month,
                       MonthStateName(m.state),
                       fmt::format("{}/{}", m.delta_signals_rows, m.delta_composite_rows),
                       fmt::format("{}/{}", m.pg_signals_rows, m.pg_composite_rows),
                       m.delta_version,
                       m.ledger_version ? std::to_string(*m.ledger_version) : "-", m.detail);
  }
}

}  // namespace rs::cli
