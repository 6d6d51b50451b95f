// The steps of replacing one month by partition swap, each a call of the
// SECURITY DEFINER functions of migration 0005 (docs/postgres.md, "Month
// replacement"). All run inside the caller's open transaction; none commits.
// Internal to rs_postgres.
#ifndef RS_POSTGRES_MONTH_SWAP_INTERNAL_H_
#define RS_POSTGRES_MONTH_SWAP_INTERNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "postgres/connection_internal.h"

namespace rs::postgres::internal {

// A serving table by its unqualified name ("ranking_signal") and what the
// month's staging table became.
struct StagedTable {
  std::string table;      // "ranking_signal" or "composite_signal_daily"
  std::string staging;    // "ranking.ranking_signal_2024_03_staging" (quoted as needed)
  int64_t rows = 0;       // rows COPY stored
  bool frozen = false;    // COPY ran with FREEZE
};

// The order of a validated batch's rows in the serving table's primary key,
// (date, symbol) then `strategy` when the batch has it, strings in byte
// order; empty when the rows are already in that order. The staging table's
// indexes are built after the COPY, so the order spares no index inserts; it
// gives the heap the key's order, which the key's build finds presorted and
// readers by date find clustered.
std::vector<uint32_t> PrimaryKeyOrder(const RecordBatch& batch);

// Creates the month's staging table of `table` and streams `batch` into it
// with binary COPY in primary-key order. Tries COPY (FORMAT binary, FREEZE
// true) when *try_freeze, inside a savepoint: if the server refuses FREEZE
// (SQLSTATE 55000 or 25000) it rolls back to the savepoint, sets *try_freeze = false
// and copies again without it. Errors are annotated "COPY ranking.<table>".
Result<StagedTable> StageTable(Connection* conn, const std::string& table,
                               const std::string& year_month, const RecordBatch& batch,
                               bool* try_freeze, int64_t* bytes_sent);

// Builds the staging table's primary key and indexes and ANALYZEs it.
Status IndexStaging(Connection* conn, const std::string& table, const std::string& year_month);

struct SwapOutcome {
  int64_t signals_rows_replaced = 0;    // old partition + DEFAULT rows of the month
  int64_t composite_rows_replaced = 0;
  int attempts = 0;                     // 1 when the locks were granted at once
};

// Swaps both staging tables in (ranking.replication_swap_month) under SET
// LOCAL lock_timeout = options.lock_timeout_ms, each attempt in a savepoint.
// On lock_not_available (55P03) it rolls back to the savepoint, notes the
// backends holding locks on the serving tables, backs off and retries, up to
// options.swap_attempts attempts; then Unavailable naming the month and the
// blockers (pid, state, query_start). Other errors are returned as they are.
Result<SwapOutcome> SwapMonth(Connection* conn, const std::string& year_month);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_MONTH_SWAP_INTERNAL_H_
