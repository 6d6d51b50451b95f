#include "job/verify.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "job/replicate.h"
#include "job/served_tables_internal.h"
#include "postgres/checksum.h"
#include "signals/months.h"

namespace rs::job {

using internal::OpenAt;
using internal::OpenedTable;
using internal::PartitionMonths;
using internal::ReadMonth;

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

// The newest version of the table whose add or remove actions changed each
// month (their year_month partition values). A commit changing files of
// unknown partitions (another tool's, without partition values) counts for
// every month.
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
  MonthVersions mv;
  for (const auto& h : history) {
    if (h.changes_unknown_partitions) mv.unscoped = std::max(mv.unscoped, h.version);
    auto months = h.partitions_changed.find("year_month");
    if (months == h.partitions_changed.end()) continue;
    for (const std::string& month : months->second) {
      int64_t& v = mv.by_month[month];
      v = std::max(v, h.version);
    }
  }
  return mv;
}

struct DeltaSide {
  OpenedTable signals, composite;
  MonthVersions signals_versions, composite_versions;
  std::set<std::string> months;
};

Result<DeltaSide> LoadDeltaSide(const Lake& lake) {
  RS_ASSIGN_OR_RETURN(OpenedTable signals, OpenAt(lake, lake.layout().signals, -1));
  RS_ASSIGN_OR_RETURN(OpenedTable composite, OpenAt(lake, lake.layout().composite, -1));
  DeltaSide d{std::move(signals), std::move(composite), {}, {}, {}};
  RS_ASSIGN_OR_RETURN(d.signals_versions, ReadMonthVersions(d.signals.table));
  RS_ASSIGN_OR_RETURN(d.composite_versions, ReadMonthVersions(d.composite.table));
  d.months = PartitionMonths(d.signals.snapshot);
  auto more = PartitionMonths(d.composite.snapshot);
  d.months.insert(more.begin(), more.end());
  return d;
}

}  // namespace

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

Result<std::vector<MonthCheck>> VerifyMonths(const Lake& lake, const std::string& months_spec,
                                             const ReplicationOptions& options, Logger& log) {
  RS_ASSIGN_OR_RETURN_CTX(DeltaSide delta, LoadDeltaSide(lake), "verify: read Delta");
  RS_ASSIGN_OR_RETURN(auto rep, postgres::Replicator::Connect(ConnectionOptionsFor(options)));
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
  Progress progress(log, "verifying", static_cast<int64_t>(months.size()), "months");
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
    m.delta_signals_checksum = sig_sum;
    m.delta_composite_checksum = comp_sum;
    m.pg_signals_checksum = pg.signals_checksum;
    m.pg_composite_checksum = pg.composite_checksum;
    nlohmann::json fields = {{"month", month}, {"state", MonthStateName(m.state)}, {"detail", m.detail}};
    // Anything but in_sync needs a person or a sync: a warning, not news.
    if (m.state == MonthState::kInSync) {
      log.Info("verified month", fields);
    } else {
      log.Warn("verified month", fields);
    }
    progress.Advance(1);
    checks.push_back(std::move(m));
  }
  return checks;
}

}  // namespace rs::job
