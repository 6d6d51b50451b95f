// Table layouts of the serving copy and the checks that guard them.
#ifndef RS_POSTGRES_SCHEMA_INTERNAL_H_
#define RS_POSTGRES_SCHEMA_INTERNAL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

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

// column name -> information_schema data_type of `table` (schema.name);
// empty when the table does not exist.
Result<std::map<std::string, std::string>> ReadTableColumns(Connection* conn,
                                                            const std::string& table);

// An object that migrations 0002 to 0006 create, missing or changed.
struct SchemaProblem {
  int version = 0;          // the migration that creates it (4 for 0004_*.sql)
  std::string what;         // "ranking.signal_sync_state has no column run_id (text)"
  bool restorable = false;  // applying migration `version` and the later ones again restores it
  std::string advice;       // when !restorable: what a person does, e.g. an ALTER TABLE
};

// Every object of the migrations that is missing or differs from what they
// create: schemas, the serving tables (partitioned, columns and types), the
// ledger ranking.signal_sync_state (columns, types, status CHECK) and the
// month-swap functions. Reads the catalog only.
Result<std::vector<SchemaProblem>> FindSchemaProblems(Connection* conn);

// The problems in one line ("<what> (migration 0004); ..."), each one that
// is not restorable with its advice; when some are restorable, followed by
// `restore_with` (e.g. "run `ranking-signals migrate`") and what it does.
std::string DescribeSchemaProblems(const std::vector<SchemaProblem>& problems,
                                   std::string_view restore_with);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_SCHEMA_INTERNAL_H_
