#include "postgres/replicator.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>

#include "common/crash_point.h"
#include "common/redact.h"
#include "postgres/checksum_internal.h"
#include "postgres/connection_internal.h"
#include "postgres/copy_binary_internal.h"
#include "postgres/schema_internal.h"

namespace rs::postgres {

using internal::Connection;
using internal::Param;
using internal::PgResultPtr;

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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
  bool shape = ym.size() == 7 && ym[4] == '-';
  for (size_t i = 0; shape && i < ym.size(); ++i) shape = i == 4 || std::isdigit(ym[i]);
  if (!shape) return Status::InvalidArgument("year_month '" + ym + "' is not YYYY-MM");
  RS_RETURN_IF_ERROR(internal::ValidateBatch(p.signals, SignalsSchema(), ym, "signals batch"));
  return internal::ValidateBatch(p.composite, CompositeSchema(), ym, "composite batch");
}

std::string CopySql(const std::string& table, const Schema& schema) {
  std::string cols;
  for (const Field& f : schema) cols += (cols.empty() ? "" : ", ") + internal::QuoteIdent(f.name);
  return "COPY " + table + " (" + cols + ") FROM STDIN (FORMAT binary)";
}

// The rows of a validated batch in the serving table's primary-key order,
// (date, symbol) then `strategy` when the table has it; empty when the batch
// is already in that order. Sent in this order, each month's rows reach the
// key indexes in order instead of at random pages: measured with
// shared_buffers=6GB on a table holding 29 months of 5,000 symbols, a month's
// insert took 3.7 s instead of 5.6 s in the engine's (date, strategy, rank)
// order (with the default 128 MB, a gain is not established; docs/postgres.md).
std::vector<uint32_t> PrimaryKeyOrder(const RecordBatch& batch) {
  if (batch.num_rows > std::numeric_limits<uint32_t>::max()) return {};  // not a month
  const auto& date = batch.columns[batch.FindColumn("date")].As<int32_t>();
  const auto& symbol = batch.columns[batch.FindColumn("symbol")].As<std::string>();
  int strategy_col = batch.FindColumn("strategy");
  const std::vector<std::string>* strategy =
      strategy_col >= 0 ? &batch.columns[strategy_col].As<std::string>() : nullptr;
  auto before = [&](uint32_t a, uint32_t b) {
    if (date[a] != date[b]) return date[a] < date[b];
    int c = symbol[a].compare(symbol[b]);
    if (c != 0 || strategy == nullptr) return c < 0;
    return (*strategy)[a] < (*strategy)[b];
  };
  std::vector<uint32_t> order(batch.num_rows);
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  if (std::is_sorted(order.begin(), order.end(), before)) return {};
  std::sort(order.begin(), order.end(), before);
  return order;
}

// Streams `batch` into `table` in primary-key order; returns the rows the
// server stored.
Result<int64_t> CopyBatch(Connection* conn, const std::string& table, const RecordBatch& batch,
                          int64_t* bytes_sent) {
  std::vector<uint32_t> order = PrimaryKeyOrder(batch);
  RS_ASSIGN_OR_RETURN(auto copy, internal::CopyIn::Start(conn, CopySql(table, batch.schema)));
  RS_RETURN_IF_ERROR(internal::EncodeBinaryCopy(
      batch, internal::kCopyChunkBytes,
      [&](std::string_view chunk) {
        *bytes_sent += static_cast<int64_t>(chunk.size());
        return copy->Write(chunk);
      },
      order.empty() ? nullptr : &order));
  return copy->Finish();
}

Result<int64_t> DeleteMonth(Connection* conn, const std::string& table, const std::string& ym) {
  RS_ASSIGN_OR_RETURN(PgResultPtr r,
                      conn->Query("DELETE FROM " + table + " WHERE year_month = $1", {ym}));
  return std::strtoll(PQcmdTuples(r.get()), nullptr, 10);
}

// The skip rule: a ledger row recording a newer Delta version wins.
Result<std::string> NewerVersionInLedger(Connection* conn, const MonthPayload& p) {
  RS_ASSIGN_OR_RETURN(PgResultPtr r,
                      conn->Query(std::string("SELECT signals_delta_version, composite_delta_version"
                                              " FROM ") + internal::kLedgerTable +
                                      " WHERE year_month = $1",
                                  {p.year_month}));
  if (PQntuples(r.get()) == 0) return std::string();
  auto sig = OptInt(r.get(), 0, 0);
  auto comp = OptInt(r.get(), 0, 1);
  if (sig && *sig > p.signals_delta_version) {
    return "ledger has signals version " + std::to_string(*sig) + " > payload " +
           std::to_string(p.signals_delta_version);
  }
  if (comp && *comp > p.composite_delta_version) {
    return "ledger has composite version " + std::to_string(*comp) + " > payload " +
           std::to_string(p.composite_delta_version);
  }
  return std::string();
}

Status UpsertLedger(Connection* conn, const MonthPayload& p, const MonthSyncResult& r) {
  static const std::string kSql = std::string("INSERT INTO ") + internal::kLedgerTable +
      " AS s (year_month, synced_at, signals_rows, composite_rows, status, error,"
      " rankings_delta_version, signals_delta_version, composite_delta_version, run_id,"
      " signals_checksum, composite_checksum)"
      " VALUES ($1, now(), $2, $3, 'success', NULL, $4, $5, $6, $7, $8, $9)"
      " ON CONFLICT (year_month) DO UPDATE SET synced_at = EXCLUDED.synced_at,"
      " signals_rows = EXCLUDED.signals_rows, composite_rows = EXCLUDED.composite_rows,"
      " status = EXCLUDED.status, error = NULL,"
      " rankings_delta_version = EXCLUDED.rankings_delta_version,"
      " signals_delta_version = EXCLUDED.signals_delta_version,"
      " composite_delta_version = EXCLUDED.composite_delta_version, run_id = EXCLUDED.run_id,"
      " signals_checksum = EXCLUDED.signals_checksum,"
      " composite_checksum = EXCLUDED.composite_checksum";
  auto q = conn->Query(kSql, {p.year_month, std::to_string(r.signals_rows),
                              std::to_string(r.composite_rows),
                              VersionParam(p.rankings_delta_version),
                              VersionParam(p.signals_delta_version),
                              VersionParam(p.composite_delta_version), p.run_id,
                              r.signals_checksum, r.composite_checksum});
  return q.status();
}

// Counts the month's rows as this transaction sees them (its own writes).
Status VerifyCounts(Connection* conn, const MonthPayload& p, const MonthSyncResult& r) {
  RS_ASSIGN_OR_RETURN(
      PgResultPtr q,
      conn->Query(std::string("SELECT (SELECT count(*) FROM ") + internal::kSignalsTable +
                      " WHERE year_month = $1), (SELECT count(*) FROM " +
                      internal::kCompositeTable + " WHERE year_month = $1)",
                  {p.year_month}));
  int64_t want[2] = {static_cast<int64_t>(p.signals.num_rows),
                     static_cast<int64_t>(p.composite.num_rows)};
  int64_t copied[2] = {r.signals_rows, r.composite_rows};
  const char* tables[2] = {internal::kSignalsTable, internal::kCompositeTable};
  for (int i = 0; i < 2; ++i) {
    int64_t have = *OptInt(q.get(), 0, i);
    if (have != want[i] || copied[i] != want[i]) {
      return Status::Internal(std::string(tables[i]) + " has " + std::to_string(have) +
                              " rows (COPY stored " + std::to_string(copied[i]) + ") for " +
                              std::to_string(want[i]) + " sent; rolled back");
    }
  }
  return Status::OK();
}

}  // namespace

struct Replicator::Impl {
  std::unique_ptr<Connection> conn;

  Status WriteMonth(const MonthPayload& p, MonthSyncResult* r, std::future<std::string>* sig_sum,
                    std::future<std::string>* comp_sum);
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
  RS_RETURN_IF_ERROR_CTX(
      internal::CheckTableColumns(c, internal::kSignalsTable, signals, "ranking_signals"),
      "check schema");
  RS_RETURN_IF_ERROR_CTX(
      internal::CheckTableColumns(c, internal::kCompositeTable, composite, "composite_signals"),
      "check schema");
  RS_RETURN_IF_ERROR_CTX(internal::CheckLedgerColumns(c), "check schema");
  return Status::OK();
}

// Steps inside the month's transaction, after the lock and the skip check.
Status Replicator::Impl::WriteMonth(const MonthPayload& p, MonthSyncResult* r,
                                    std::future<std::string>* sig_sum,
                                    std::future<std::string>* comp_sum) {
  Connection* c = conn.get();
  auto t = Clock::now();
  RS_ASSIGN_OR_RETURN_CTX(r->signals_rows_deleted, DeleteMonth(c, internal::kSignalsTable, p.year_month),
                          std::string("DELETE ") + internal::kSignalsTable);
  RS_ASSIGN_OR_RETURN_CTX(r->composite_rows_deleted,
                          DeleteMonth(c, internal::kCompositeTable, p.year_month),
                          std::string("DELETE ") + internal::kCompositeTable);
  r->delete_seconds = SecondsSince(t);
  CrashPoint("postgres.replace.after_delete");
  t = Clock::now();
  RS_ASSIGN_OR_RETURN_CTX(r->signals_rows,
                          CopyBatch(c, internal::kSignalsTable, p.signals, &r->bytes_sent),
                          std::string("COPY ") + internal::kSignalsTable);
  RS_ASSIGN_OR_RETURN_CTX(r->composite_rows,
                          CopyBatch(c, internal::kCompositeTable, p.composite, &r->bytes_sent),
                          std::string("COPY ") + internal::kCompositeTable);
  r->copy_seconds = SecondsSince(t);
  CrashPoint("postgres.replace.after_copy");
  t = Clock::now();
  r->signals_checksum = sig_sum->get();
  r->composite_checksum = comp_sum->get();
  RS_RETURN_IF_ERROR_CTX(UpsertLedger(c, p, *r), std::string("update ") + internal::kLedgerTable);
  if (p.verify_counts) RS_RETURN_IF_ERROR_CTX(VerifyCounts(c, p, *r), "verify counts");
  r->commit_seconds = SecondsSince(t);  // COMMIT itself is added by the caller
  return Status::OK();
}

Result<MonthSyncResult> Replicator::ReplaceMonth(const MonthPayload& p) {
  const std::string ctx = "replicate " + p.year_month;
  auto start = Clock::now();
  RS_RETURN_IF_ERROR_CTX(ValidatePayload(p), ctx);
  Connection* c = impl_->conn.get();
  RS_RETURN_IF_ERROR_CTX(c->ReconnectIfBroken(), ctx);
  // Checksums of the payload are computed while the rows stream to the server.
  auto sig_sum = std::async(std::launch::async, [&p] { return ContentChecksum(p.signals); });
  auto comp_sum = std::async(std::launch::async, [&p] { return ContentChecksum(p.composite); });
  MonthSyncResult r;
  r.year_month = p.year_month;
  Transaction tx(c);
  RS_RETURN_IF_ERROR_CTX(tx.Begin(), ctx + ": BEGIN");
  auto lock = c->Query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                       {"ranking-signals:" + p.year_month});
  RS_RETURN_IF_ERROR_CTX(lock.status(), ctx + ": lock month");
  RS_ASSIGN_OR_RETURN_CTX(r.skip_reason, NewerVersionInLedger(c, p), ctx + ": read ledger");
  if (!r.skip_reason.empty()) {
    r.skipped = true;
    r.total_seconds = SecondsSince(start);
    return r;  // the transaction rolls back: nothing was written
  }
  RS_RETURN_IF_ERROR_CTX(impl_->WriteMonth(p, &r, &sig_sum, &comp_sum), ctx);
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
                           " signals_checksum, composite_checksum FROM ") +
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
  for (Part& part : parts) {
    RS_ASSIGN_OR_RETURN_CTX(
        PgResultPtr q,
        c->Query("SELECT count(*), " + internal::ChecksumSqlExpression(part.schema) +
                     "::text FROM " + part.table + " WHERE year_month = $1",
                 {year_month}),
        ctx + ": " + part.table);
    *part.rows = *OptInt(q.get(), 0, 0);
    *part.checksum = PQgetvalue(q.get(), 0, 1);
  }
  RS_RETURN_IF_ERROR_CTX(tx.Commit(), ctx);
  return stats;
}

}  // namespace rs::postgres
