// Table layouts of the serving copy and the checks that guard them.
#ifndef RS_POSTGRES_SCHEMA_INTERNAL_H_
#define RS_POSTGRES_SCHEMA_INTERNAL_H_

#include <string>

#include "common/columnar.h"
#include "common/status.h"
#include "postgres/connection_internal.h"

namespace rs::postgres::internal {

inline constexpr char kSignalsTable[] = "ranking.ranking_signal";
inline constexpr char kCompositeTable[] = "ranking.composite_signal_daily";
inline constexpr char kLedgerTable[] = "ranking.signal_sync_state";

// PostgreSQL's information_schema data_type for a Delta type ("double precision").
std::string PostgresTypeName(TypeId id);

// InvalidArgument unless `batch` has exactly `expected`'s column names and
// types in order, consistent sizes, and every year_month value equals `year_month`.
Status ValidateBatch(const RecordBatch& batch, const Schema& expected,
                     const std::string& year_month, const std::string& what);

// FailedPrecondition unless `table` (schema.name) has every column of `delta`
// with the matching type. `delta_name` names the Delta table in messages.
Status CheckTableColumns(Connection* conn, const std::string& table, const Schema& delta,
                         const std::string& delta_name);

// FailedPrecondition unless the ledger has the lineage columns of 0004 and
// the v2 columns of 0006.
Status CheckLedgerColumns(Connection* conn);

// FailedPrecondition unless the month-swap functions of 0005 exist.
Status CheckSwapFunctions(Connection* conn);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_SCHEMA_INTERNAL_H_
