#include "postgres/replicator.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "common/calendar.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/redact.h"
#include "postgres/checksum_internal.h"
#include "postgres/connection_internal.h"
#include "postgres/month_swap_internal.h"
#include "postgres/schema_internal.h"

namespace rs::postgres {

using internal::Connection;
using internal::Param;
using internal::PgResultPtr;

namespace {

using Clock = std::chrono::steady_clock;

std::optional<int64_t> OptInt(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}

std::optional<std::string> OptText(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return std::string(PQgetvalue(r, row, col));
}

Param VersionParam(int64_t version) {
  return version < 0 ? Param() : Param(std::to_string(version));
}

// An open transaction; rolled back unless Commit() succeeded. A broken
// connection needs no ROLLBACK: the server already discarded the transaction.
class Transaction {
 public:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  ~Transaction() {
    if (open_ && !conn_->IsBroken()) (void)conn_->Exec("ROLLBACK");
  }
  Status Begin(std::string_view sql = "BEGIN") {
    RS_RETURN_IF_ERROR(conn_->Exec(sql));
    open_ = true;
    return Status::OK();
  }
  Status Commit() {
    open_ = false;
    return conn_->Exec("COMMIT");
  }

 private:
  Connection* conn_;
  bool open_ = false;
};

Status ValidatePayload(const MonthPayload& p) {
  const std::string& ym = p.year_month;
  RS_RETURN_IF_ERROR(YearMonth::Parse(ym).status());
  RS_RETURN_IF_ERROR(internal::ValidateBatch(p.signals, SignalsSchema(), ym, "signals batch"));
  return internal::ValidateBatch(p.composite, CompositeSchema(), ym, "composite batch");
}

// What the ledger says about the rows served for a month.
struct LedgerState {
  bool serves = false;  // a successful replication wrote the row
  std::optional<int64_t> signals_version, composite_version;
  std::optional<std::string> signals_table_id, composite_table_id;
};

Result<LedgerState> ReadLedgerState(Connection* conn, const std::string& year_month) {
  RS_ASSIGN_OR_RETURN(
      PgResultPtr r,
      conn->Query(std::string("SELECT signals_delta_version, composite_delta_version,"
                              " signals_table_id, composite_table_id, signals_rows IS NOT NULL"
                              " FROM ") + internal::kLedgerTable + " WHERE year_month = $1",
                  {year_month}));
  LedgerState state;
  if (PQntuples(r.get()) == 0) return state;
  state.signals_version = OptInt(r.get(), 0, 0);
  state.composite_version = OptInt(r.get(), 0, 1);
  state.signals_table_id = OptText(r.get(), 0, 2);
  state.composite_table_id = OptText(r.get(), 0, 3);
  state.serves = std::string_view(PQgetvalue(r.get(), 0, 4)) == "t";
  return state;
}

// Why the served rows come from another source than the payload's, or "".
// Only a payload that carries table ids is compared.
std::string SourceChange(const LedgerState& ledger, const MonthPayload& p) {
  if (!ledger.serves || (p.signals_table_id.empty() && p.composite_table_id.empty())) return "";
  if (!ledger.signals_table_id && !ledger.composite_table_id) {
    return "the ledger row has no source identity (written before ledger v2)";
  }
  auto differs = [](const std::optional<std::string>& have, const std::string& want) {
    return !want.empty() && have.value_or("") != want;
  };
  if (differs(ledger.signals_table_id, p.signals_table_id)) {
    return "signals table id changed from " + ledger.signals_table_id.value_or("NULL") + " to " +
           p.signals_table_id;
  }
  if (differs(ledger.composite_table_id, p.composite_table_id)) {
    return "composite table id changed from " + ledger.composite_table_id.value_or("NULL") +
           " to " + p.composite_table_id;
  }
  return "";
}

// The skip rule for the same source: a ledger row recording a newer Delta
// version wins. Returns the reason, or "" to replace.
std::string NewerVersionInLedger(const LedgerState& ledger, const MonthPayload& p) {
  if (ledger.signals_version && *ledger.signals_version > p.signals_delta_version) {
    return "ledger has signals version " + std::to_string(*ledger.signals_version) + " > payload " +
           std::to_string(p.signals_delta_version);
  }
  if (ledger.composite_version && *ledger.composite_version > p.composite_delta_version) {
    return "ledger has composite version " + std::to_string(*ledger.composite_version) +
           " > payload " + std::to_string(p.composite_delta_version);
  }
  return "";
}

constexpr char kInsufficientPrivilege[] = "42501";

// What to grant when the ledger upsert (INSERT ... ON CONFLICT DO UPDATE) is denied.
std::string LedgerPermissionAdvice(Connection* c) {
  std::string role = internal::QuoteIdent(PQuser(c->get()));
  return std::string("permission denied on ") + internal::kLedgerTable + " for role " + role +
         " (SQLSTATE 42501): the ledger needs SELECT, INSERT and UPDATE; grant them with GRANT "
         "SELECT, INSERT, UPDATE ON " +
         internal::kLedgerTable + " TO " + role;
}

// The location as stored: without a query string, which may hold a token.
std::string LedgerLocation(const std::string& location) {
  return location.substr(0, location.find('?'));
}

Status UpsertLedger(Connection* conn, const MonthPayload& p, const MonthSyncResult& r) {
  static const std::string kSql = std::string("INSERT INTO ") + internal::kLedgerTable +
      " AS s (year_month, synced_at, signals_rows, composite_rows, status, error,"
      " rankings_delta_version, signals_delta_version, composite_delta_version, run_id,"
      " signals_checksum, composite_checksum, signals_table_id, composite_table_id,"
      " source_location, signals_commit_timestamp, last_success_at)"
      " VALUES ($1, now(), $2, $3, 'success', NULL, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
      " to_timestamp($13::bigint / 1000.0), now())"
      " ON CONFLICT (year_month) DO UPDATE SET synced_at = EXCLUDED.synced_at,"
      " signals_rows = EXCLUDED.signals_rows, composite_rows = EXCLUDED.composite_rows,"
      " status = EXCLUDED.status, error = NULL,"
      " rankings_delta_version = EXCLUDED.rankings_delta_version,"
      " signals_delta_version = EXCLUDED.signals_delta_version,"
      " composite_delta_version = EXCLUDED.composite_delta_version, run_id = EXCLUDED.run_id,"
      " signals_checksum = EXCLUDED.signals_checksum,"
      " composite_checksum = EXCLUDED.composite_checksum,"
      " signals_table_id = EXCLUDED.signals_table_id,"
      " composite_table_id = EXCLUDED.composite_table_id,"
      " source_location = EXCLUDED.source_location,"
      " signals_commit_timestamp = EXCLUDED.signals_commit_timestamp,"
      " last_success_at = EXCLUDED.last_success_at";
  auto opt = [](const std::string& v) { return v.empty() ? Param() : Param(v); };
  auto q = conn->Query(kSql, {p.year_month, std::to_string(r.signals_rows),
                              std::to_string(r.composite_rows),
                              VersionParam(p.rankings_delta_version),
                              VersionParam(p.signals_delta_version),
                              VersionParam(p.composite_delta_version), p.run_id,
                              r.signals_checksum, r.composite_checksum,
                              opt(p.signals_table_id), opt(p.composite_table_id),
                              opt(conn->Redact(LedgerLocation(p.source_location))),
                              VersionParam(p.signals_commit_timestamp_ms)});
  if (!q.ok() && conn->last_sqlstate() == kInsufficientPrivilege) {
    return Status::FailedPrecondition("write ledger row: " + LedgerPermissionAdvice(conn));
  }
  return q.status();
}

// Counts the rows of the staging tables, as this transaction sees them.
Status VerifyCounts(Connection* conn, const MonthPayload& p,
                    const internal::StagedTable (&staged)[2]) {
  RS_ASSIGN_OR_RETURN(PgResultPtr q, conn->Query("SELECT (SELECT count(*) FROM " +
                                                 staged[0].staging + "), (SELECT count(*) FROM " +
                                                 staged[1].staging + ")"));
  int64_t want[2] = {static_cast<int64_t>(p.signals.num_rows),
                     static_cast<int64_t>(p.composite.num_rows)};
  const char* tables[2] = {internal::kSignalsTable, internal::kCompositeTable};
  for (int i = 0; i < 2; ++i) {
    int64_t have = *OptInt(q.get(), 0, i);
    if (have != want[i] || staged[i].rows != want[i]) {
      return Status::Internal(std::string(tables[i]) + " has " + std::to_string(have) +
                              " rows (COPY stored " + std::to_string(staged[i].rows) + ") for " +
                              std::to_string(want[i]) + " sent; rolled back");
    }
  }
  return Status::OK();
}

// First day of `year_month` and of the next month as 'YYYY-MM-DD', or
// nullopt when it is not a month.
std::optional<std::pair<std::string, std::string>> MonthBounds(const std::string& ym) {
  auto month = YearMonth::Parse(ym);
  if (!month.ok()) return std::nullopt;
  return std::make_pair(FormatDate(month->FirstDay()), FormatDate(month->Next().FirstDay()));
}

}  // namespace

struct Replicator::Impl {
  std::unique_ptr<Connection> conn;
  // Cleared once the server refuses COPY FREEZE, so later months skip it.
  bool try_freeze = true;

  Status WriteMonth(const MonthPayload& p, MonthSyncResult* r);
  Status StageAndSwap(const MonthPayload& p, MonthSyncResult* r);
};

Replicator::Replicator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Replicator::~Replicator() = default;

Result<std::unique_ptr<Replicator>> Replicator::Connect(const ConnectionOptions& options) {
  auto impl = std::make_unique<Impl>();
  RS_ASSIGN_OR_RETURN(impl->conn, Connection::Open(options));
  return std::unique_ptr<Replicator>(new Replicator(std::move(impl)));
}

const std::string& Replicator::target() const { return impl_->conn->target(); }

Status Replicator::CheckSchema(const Schema& signals, const Schema& composite) {
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), "check schema");
  RS_ASSIGN_OR_RETURN_CTX(auto problems, internal::FindSchemaProblems(c), "check schema");
  if (!problems.empty()) {
    return Status::FailedPrecondition(
        "check schema: " + c->target() + " lacks what its migrations create: " +
        internal::DescribeSchemaProblems(problems, "Run `ranking-signals migrate`"));
  }
  RS_RETURN_IF_ERROR_CTX(
      internal::CheckTableColumns(c, internal::kSignalsTable, signals, "ranking_signals"),
      "check schema");
  RS_RETURN_IF_ERROR_CTX(
      internal::CheckTableColumns(c, internal::kCompositeTable, composite, "composite_signals"),
      "check schema");
  return Status::OK();
}

// Steps inside the month's transaction, after the lock and the ledger rules:
// stage, index, verify and swap, while the payload's checksums are computed on
// two other threads; then the ledger. Only the swap and what follows it hold
// locks that readers wait for.
Status Replicator::Impl::WriteMonth(const MonthPayload& p, MonthSyncResult* r) {
  std::string checksums[2];
  ParallelOptions parallel;
  parallel.max_threads = 3;
  parallel.on_error = ErrorPolicy::kRunAll;  // the checksums cannot fail
  RS_RETURN_IF_ERROR(ParallelFor(3, parallel, [&](size_t i) -> Status {
    if (i == 0) return StageAndSwap(p, r);
    checksums[i - 1] = ContentChecksum(i == 1 ? p.signals : p.composite);
    return Status::OK();
  }));
  auto t = Clock::now();
  r->signals_checksum = std::move(checksums[0]);
  r->composite_checksum = std::move(checksums[1]);
  RS_RETURN_IF_ERROR_CTX(UpsertLedger(conn.get(), p, *r),
                         std::string("update ") + internal::kLedgerTable);
  r->commit_seconds = SecondsSince(t);  // COMMIT itself is added by the caller
  return Status::OK();
}

Status Replicator::Impl::StageAndSwap(const MonthPayload& p, MonthSyncResult* r) {
  Connection* c = conn.get();
  const std::string tables[2] = {"ranking_signal", "composite_signal_daily"};
  const RecordBatch* batches[2] = {&p.signals, &p.composite};
  internal::StagedTable staged[2];
  auto t = Clock::now();
  for (int i = 0; i < 2; ++i) {
    RS_ASSIGN_OR_RETURN(staged[i], internal::StageTable(c, tables[i], p.year_month, *batches[i],
                                                        &try_freeze, &r->bytes_sent));
  }
  r->signals_rows = staged[0].rows;
  r->composite_rows = staged[1].rows;
  r->copy_frozen = staged[0].frozen && staged[1].frozen;
  r->copy_seconds = SecondsSince(t);
  CrashPoint("postgres.replace.after_copy");
  t = Clock::now();
  for (const std::string& table : tables) {
    RS_RETURN_IF_ERROR(internal::IndexStaging(c, table, p.year_month));
  }
  r->index_seconds = SecondsSince(t);
  CrashPoint("postgres.replace.after_index");
  t = Clock::now();
  if (p.verify_counts) RS_RETURN_IF_ERROR_CTX(VerifyCounts(c, p, staged), "verify counts");
  r->verify_seconds = SecondsSince(t);
  t = Clock::now();
  RS_ASSIGN_OR_RETURN_CTX(internal::SwapOutcome swap, internal::SwapMonth(c, p.year_month),
                          "swap partitions");
  r->signals_rows_deleted = swap.signals_rows_replaced;
  r->composite_rows_deleted = swap.composite_rows_replaced;
  r->swap_attempts = swap.attempts;
  r->swap_seconds = SecondsSince(t);
  // after_delete is the name the month's old rows leaving had before the
  // swap design; both mark the same point.
  CrashPoint("postgres.replace.after_swap");
  CrashPoint("postgres.replace.after_delete");
  return Status::OK();
}

Result<MonthSyncResult> Replicator::ReplaceMonth(const MonthPayload& p) {
  const std::string ctx = "replicate " + p.year_month;
  auto start = Clock::now();
  RS_RETURN_IF_ERROR_CTX(ValidatePayload(p), ctx);
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), ctx);
  MonthSyncResult r;
  r.year_month = p.year_month;
  Transaction tx(c);
  RS_RETURN_IF_ERROR_CTX(tx.Begin(), ctx + ": BEGIN");
  auto lock = c->Query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                       {"ranking-signals:" + p.year_month});
  RS_RETURN_IF_ERROR_CTX(lock.status(), ctx + ": lock month");
  RS_ASSIGN_OR_RETURN_CTX(LedgerState ledger, ReadLedgerState(c, p.year_month),
                          ctx + ": read ledger");
  r.source_change_reason = SourceChange(ledger, p);
  r.source_changed = !r.source_change_reason.empty();
  if (!p.force && !r.source_changed) r.skip_reason = NewerVersionInLedger(ledger, p);
  if (!r.skip_reason.empty()) {
    r.skipped = true;
    r.total_seconds = SecondsSince(start);
    return r;  // the transaction rolls back: nothing was written
  }
  RS_RETURN_IF_ERROR_CTX(impl_->WriteMonth(p, &r), ctx);
  CrashPoint("postgres.replace.before_commit");
  auto t = Clock::now();
  RS_RETURN_IF_ERROR_CTX(tx.Commit(), ctx + ": COMMIT (outcome unknown if the connection was lost;"
                                           " rerun the month)");
  r.commit_seconds += SecondsSince(t);
  r.total_seconds = SecondsSince(start);
  return r;
}

Status Replicator::RecordFailure(const std::string& year_month, const std::string& run_id,
                                 const std::string& error) {
  const std::string ctx = "record failure of " + year_month;
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), ctx);
  static const std::string kSql = std::string("INSERT INTO ") + internal::kLedgerTable +
      " (year_month, synced_at, status, error, run_id) VALUES ($1, now(), 'failed', $2, $3)"
      " ON CONFLICT (year_month) DO UPDATE SET synced_at = EXCLUDED.synced_at,"
      " status = EXCLUDED.status, error = EXCLUDED.error, run_id = EXCLUDED.run_id";
  auto q = c->Query(kSql, {year_month, c->Redact(error), run_id});
  if (!q.ok() && c->last_sqlstate() == kInsufficientPrivilege) {
    return Status::FailedPrecondition(ctx + ": " + LedgerPermissionAdvice(c));
  }
  RS_RETURN_IF_ERROR_CTX(q.status(), ctx);
  return Status::OK();
}

Result<std::vector<LedgerRow>> Replicator::ReadLedger() {
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), "read ledger");
  RS_ASSIGN_OR_RETURN_CTX(
      PgResultPtr q,
      c->Query(std::string("SELECT year_month,"
                           " to_char(synced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
                           " signals_rows, composite_rows, status, error, rankings_delta_version,"
                           " signals_delta_version, composite_delta_version, run_id,"
                           " signals_checksum, composite_checksum, signals_table_id,"
                           " composite_table_id, source_location,"
                           " to_char(signals_commit_timestamp AT TIME ZONE 'UTC',"
                           " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
                           " to_char(last_success_at AT TIME ZONE 'UTC',"
                           " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM ") +
               internal::kLedgerTable + " ORDER BY year_month"),
      std::string("read ledger ") + internal::kLedgerTable);
  std::vector<LedgerRow> rows;
  for (int i = 0; i < PQntuples(q.get()); ++i) {
    const PGresult* g = q.get();
    LedgerRow row;
    row.year_month = PQgetvalue(g, i, 0);
    row.synced_at = PQgetvalue(g, i, 1);
    row.signals_rows = OptInt(g, i, 2);
    row.composite_rows = OptInt(g, i, 3);
    row.status = PQgetvalue(g, i, 4);
    row.error = OptText(g, i, 5);
    row.rankings_delta_version = OptInt(g, i, 6);
    row.signals_delta_version = OptInt(g, i, 7);
    row.composite_delta_version = OptInt(g, i, 8);
    row.run_id = OptText(g, i, 9);
    row.signals_checksum = OptText(g, i, 10);
    row.composite_checksum = OptText(g, i, 11);
    row.signals_table_id = OptText(g, i, 12);
    row.composite_table_id = OptText(g, i, 13);
    row.source_location = OptText(g, i, 14);
    row.signals_commit_timestamp = PQgetvalue(g, i, 15);
    row.last_success_at = PQgetvalue(g, i, 16);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<MonthStats> Replicator::MonthContent(const std::string& year_month) {
  const std::string ctx = "read content of " + year_month;
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), ctx);
  Transaction tx(c);  // one snapshot for both tables
  RS_RETURN_IF_ERROR_CTX(tx.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"), ctx);
  MonthStats stats;
  stats.year_month = year_month;
  struct Part {
    const char* table;
    Schema schema;
    int64_t* rows;
    std::string* checksum;
  } parts[] = {{internal::kSignalsTable, SignalsSchema(), &stats.signals_rows, &stats.signals_checksum},
               {internal::kCompositeTable, CompositeSchema(), &stats.composite_rows,
                &stats.composite_checksum}};
  // The date range (the partition key) lets the planner read only the
  // month's partition and the DEFAULT one; year_month still decides.
  auto bounds = MonthBounds(year_month);
  std::string where = " WHERE year_month = $1";
  std::vector<Param> params = {year_month};
  if (bounds) {
    where += " AND date >= $2::date AND date < $3::date";
    params.push_back(bounds->first);
    params.push_back(bounds->second);
  }
  for (Part& part : parts) {
    RS_ASSIGN_OR_RETURN_CTX(
        PgResultPtr q,
        c->Query("SELECT count(*), " + internal::ChecksumSqlExpression(part.schema) +
                     "::text FROM " + part.table + where,
                 params),
        ctx + ": " + part.table);
    *part.rows = *OptInt(q.get(), 0, 0);
    *part.checksum = PQgetvalue(q.get(), 0, 1);
  }
  RS_RETURN_IF_ERROR_CTX(tx.Commit(), ctx);
  return stats;
}

}  // namespace rs::postgres
