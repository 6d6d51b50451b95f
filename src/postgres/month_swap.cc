#include <algorithm>
#include <bit>
#include <chrono>
#include <limits>

#include "common/dictionary.h"
#include "common/retry.h"
#include "postgres/copy_binary_internal.h"
#include "postgres/month_swap_internal.h"

namespace rs::postgres::internal {
namespace {

constexpr char kLockNotAvailable[] = "55P03";
// COPY FREEZE refused: the table was not created or truncated in the current
// subtransaction (55000), or other activity of the transaction (an open
// portal or snapshot) forbids it (25000).
constexpr char kPrerequisiteState[] = "55000";
constexpr char kInvalidTransactionState[] = "25000";

std::string CopySql(const std::string& table, const Schema& schema, bool freeze) {
  std::string cols;
  for (const Field& f : schema) cols += (cols.empty() ? "" : ", ") + QuoteIdent(f.name);
  return "COPY " + table + " (" + cols + ") FROM STDIN (FORMAT binary" +
         (freeze ? ", FREEZE true)" : ")");
}

int BitWidth(uint64_t max_value) { return static_cast<int>(std::bit_width(max_value)); }

}  // namespace

// A month's rows span a few dates, some thousands of symbols and a handful
// of strategies: (date, symbol rank, strategy rank, row) packs into one
// 64-bit integer, and sorting those is several times faster than comparing
// strings. Wider keys fall back to the comparison sort.
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
  const auto [min_date, max_date] = std::minmax_element(date.begin(), date.end());
  // Index among the sorted distinct values = rank in byte order.
  std::vector<int32_t> symbol_rank, strategy_rank;
  const size_t symbols = SortedDictionary(symbol, 1, &symbol_rank).size();
  const size_t strategies =
      strategy != nullptr ? SortedDictionary(*strategy, 1, &strategy_rank).size() : 1;
  const int row_bits = BitWidth(batch.num_rows - 1);
  const int strategy_bits = BitWidth(strategies - 1);
  const int symbol_bits = BitWidth(symbols - 1);
  const int date_bits = BitWidth(static_cast<uint64_t>(int64_t{*max_date} - *min_date));
  if (date_bits + symbol_bits + strategy_bits + row_bits > 64) {
    std::sort(order.begin(), order.end(), before);
    return order;
  }
  std::vector<uint64_t> keys(batch.num_rows);
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t k = static_cast<uint64_t>(int64_t{date[i]} - *min_date);
    k = (k << symbol_bits) | static_cast<uint32_t>(symbol_rank[i]);
    k = (k << strategy_bits) | (strategy != nullptr ? static_cast<uint32_t>(strategy_rank[i]) : 0);
    keys[i] = (k << row_bits) | i;
  }
  std::sort(keys.begin(), keys.end());
  const uint64_t row_mask = (uint64_t{1} << row_bits) - 1;  // row_bits <= 32
  for (size_t i = 0; i < keys.size(); ++i) order[i] = static_cast<uint32_t>(keys[i] & row_mask);
  return order;
}

namespace {

Result<int64_t> CopyBatch(Connection* conn, const std::string& copy_sql, const RecordBatch& batch,
                          const std::vector<uint32_t>& order, int64_t* bytes_sent) {
  RS_ASSIGN_OR_RETURN(auto copy, CopyIn::Start(conn, copy_sql));
  RS_RETURN_IF_ERROR(EncodeBinaryCopy(
      batch, kCopyChunkBytes,
      [&](std::string_view chunk) {
        *bytes_sent += static_cast<int64_t>(chunk.size());
        return copy->Write(chunk);
      },
      order.empty() ? nullptr : &order));
  return copy->Finish();
}

// Creates the staging table (in the current subtransaction) and COPYs into it.
Result<StagedTable> CreateAndCopy(Connection* conn, const std::string& table,
                                  const std::string& year_month, const RecordBatch& batch,
                                  const std::vector<uint32_t>& order, bool freeze,
                                  int64_t* bytes_sent) {
  StagedTable staged;
  staged.table = table;
  staged.frozen = freeze;
  RS_ASSIGN_OR_RETURN(PgResultPtr r,
                      conn->Query("SELECT ranking.replication_create_staging($1, $2)",
                                  {table, year_month}));
  staged.staging = PQgetvalue(r.get(), 0, 0);
  RS_ASSIGN_OR_RETURN(staged.rows, CopyBatch(conn, CopySql(staged.staging, batch.schema, freeze),
                                             batch, order, bytes_sent));
  return staged;
}

// "pid 123 (state idle in transaction, query_start 2026-12-01T10:00:00Z), ..."
// for the other backends holding granted locks on the serving tables or their
// partitions, read after the timed-out attempt was rolled back. state and
// query_start of another role's backend read "unknown" without
// pg_read_all_stats.
std::string DescribeBlockers(Connection* conn) {
  auto r = conn->Query(
      "SELECT coalesce(string_agg(format('pid %s (state %s, query_start %s)', b.pid,"
      " coalesce(a.state, 'unknown'), coalesce(to_char(a.query_start AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'unknown')), ', ' ORDER BY b.pid), 'none found')"
      " FROM (SELECT DISTINCT l.pid FROM pg_locks l,"
      " (SELECT ARRAY[to_regclass('ranking.ranking_signal')::oid,"
      " to_regclass('ranking.composite_signal_daily')::oid] AS parents) p"
      " WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()"
      " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
      " AND (l.relation = ANY(p.parents) OR l.relation IN"
      " (SELECT inhrelid FROM pg_inherits WHERE inhparent = ANY(p.parents)))) b"
      " LEFT JOIN pg_stat_activity a ON a.pid = b.pid");
  if (!r.ok()) return "unknown (" + r.status().message() + ")";
  return PQgetvalue(r->get(), 0, 0);
}

}  // namespace

Result<StagedTable> StageTable(Connection* conn, const std::string& table,
                               const std::string& year_month, const RecordBatch& batch,
                               bool* try_freeze, int64_t* bytes_sent) {
  const std::string ctx = "COPY ranking." + table;
  std::vector<uint32_t> order = PrimaryKeyOrder(batch);
  // FREEZE needs the table created in the current subtransaction: the
  // savepoint opens one, and rolling back to it undoes a refused attempt.
  RS_RETURN_IF_ERROR_CTX(conn->Exec("SAVEPOINT rs_stage"), ctx);
  int64_t sent_before = *bytes_sent;
  auto staged = CreateAndCopy(conn, table, year_month, batch, order, *try_freeze, bytes_sent);
  const std::string sqlstate = conn->last_sqlstate();
  if (!staged.ok() && *try_freeze &&
      (sqlstate == kPrerequisiteState || sqlstate == kInvalidTransactionState) &&
      !conn->IsBroken()) {
    *try_freeze = false;
    *bytes_sent = sent_before;
    RS_RETURN_IF_ERROR_CTX(conn->Exec("ROLLBACK TO SAVEPOINT rs_stage"), ctx);
    staged = CreateAndCopy(conn, table, year_month, batch, order, false, bytes_sent);
  }
  RS_RETURN_IF_ERROR_CTX(staged.status(), ctx);
  RS_RETURN_IF_ERROR_CTX(conn->Exec("RELEASE SAVEPOINT rs_stage"), ctx);
  return staged;
}

Status IndexStaging(Connection* conn, const std::string& table, const std::string& year_month) {
  auto r = conn->Query("SELECT ranking.replication_index_staging($1, $2)", {table, year_month});
  if (!r.ok()) return r.status().Annotate("index staging table of ranking." + table);
  return Status::OK();
}

Result<SwapOutcome> SwapMonth(Connection* conn, const std::string& year_month) {
  const ConnectionOptions& o = conn->options();
  const int attempts = std::max(1, o.swap_attempts);
  RS_RETURN_IF_ERROR(conn->Query("SELECT set_config('lock_timeout', $1, true)",
                                 {std::to_string(std::max(0, o.lock_timeout_ms))})
                         .status());
  // Equal jitter: each wait gives the blocking readers at least half of it.
  RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.base_delay = std::chrono::milliseconds(std::max(0, o.swap_backoff_base_ms));
  policy.max_delay = policy.base_delay * (1 << 16);
  policy.jitter = Jitter::kEqual;
  Backoff backoff(policy);
  SwapOutcome out;
  std::string blockers;
  do {
    out.attempts = backoff.attempt();
    RS_RETURN_IF_ERROR(conn->Exec("SAVEPOINT rs_swap"));
    auto r = conn->Query("SELECT table_name, rows_replaced FROM ranking.replication_swap_month($1)",
                         {year_month});
    if (r.ok()) {
      for (int i = 0; i < PQntuples(r->get()); ++i) {
        int64_t n = std::strtoll(PQgetvalue(r->get(), i, 1), nullptr, 10);
        bool signals = std::string_view(PQgetvalue(r->get(), i, 0)) == "ranking.ranking_signal";
        (signals ? out.signals_rows_replaced : out.composite_rows_replaced) = n;
      }
      RS_RETURN_IF_ERROR(conn->Exec("RELEASE SAVEPOINT rs_swap"));
      RS_RETURN_IF_ERROR(conn->Exec("SET LOCAL lock_timeout TO DEFAULT"));
      return out;
    }
    if (conn->last_sqlstate() != kLockNotAvailable || conn->IsBroken()) return r.status();
    RS_RETURN_IF_ERROR(conn->Exec("ROLLBACK TO SAVEPOINT rs_swap"));
    blockers = DescribeBlockers(conn);
  } while (backoff.Next());
  return Status::Unavailable(
      "swap partitions of " + year_month + ": locks on ranking.ranking_signal and "
      "ranking.composite_signal_daily not granted within lock_timeout " +
      std::to_string(o.lock_timeout_ms) + " ms in " + std::to_string(attempts) +
      " attempts; blocking backends: " + blockers);
}

}  // namespace rs::postgres::internal
