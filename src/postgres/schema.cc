#include <map>

#include "postgres/replicator.h"
#include "postgres/schema_internal.h"

namespace rs::postgres {
namespace {

Field Col(const char* name, TypeId id, bool nullable = false) {
  return Field{name, DataType::Primitive(id), nullable};
}

constexpr char kMigrateHint[] = "run `ranking-signals migrate`";

}  // namespace

Schema SignalsSchema() {
  return {Col("date", TypeId::kDate),          Col("year_month", TypeId::kString),
          Col("symbol", TypeId::kString),      Col("strategy", TypeId::kString),
          Col("rank", TypeId::kInteger),       Col("rank_percentile", TypeId::kDouble),
          Col("n_symbols", TypeId::kInteger),  Col("score", TypeId::kDouble, true)};
}

Schema CompositeSchema() {
  return {Col("date", TypeId::kDate),
          Col("year_month", TypeId::kString),
          Col("symbol", TypeId::kString),
          Col("composite_percentile", TypeId::kDouble),
          Col("strategies_present", TypeId::kInteger),
          Col("strategies_hit", TypeId::kInteger),
          Col("composite_rank", TypeId::kInteger)};
}

namespace internal {
namespace {

// column name -> data_type of schema.table, empty when the table is missing.
Result<std::map<std::string, std::string>> ReadColumns(Connection* conn, const std::string& table) {
  size_t dot = table.find('.');
  RS_ASSIGN_OR_RETURN(
      PgResultPtr r,
      conn->Query("SELECT column_name, data_type FROM information_schema.columns "
                  "WHERE table_schema = $1 AND table_name = $2",
                  {table.substr(0, dot), table.substr(dot + 1)}));
  std::map<std::string, std::string> cols;
  for (int i = 0; i < PQntuples(r.get()); ++i) cols[PQgetvalue(r.get(), i, 0)] = PQgetvalue(r.get(), i, 1);
  return cols;
}

Status CheckYearMonthValues(const RecordBatch& batch, const std::string& year_month,
                            const std::string& what) {
  int idx = batch.FindColumn("year_month");
  if (idx < 0) return Status::OK();
  const auto& values = batch.columns[static_cast<size_t>(idx)].As<std::string>();
  for (size_t row = 0; row < values.size(); ++row) {
    if (values[row] != year_month) {
      return Status::InvalidArgument(what + " row " + std::to_string(row) + " has year_month " +
                                     values[row] + ", expected " + year_month);
    }
  }
  return Status::OK();
}

}  // namespace

std::string PostgresTypeName(TypeId id) {
  switch (id) {
    case TypeId::kDate: return "date";
    case TypeId::kString: return "text";
    case TypeId::kInteger: return "integer";
    case TypeId::kLong: return "bigint";
    case TypeId::kDouble: return "double precision";
    default: return "(no PostgreSQL mapping)";
  }
}

Status ValidateBatch(const RecordBatch& batch, const Schema& expected,
                     const std::string& year_month, const std::string& what) {
  if (batch.schema.size() != expected.size() || batch.columns.size() != expected.size()) {
    return Status::InvalidArgument(what + " has " + std::to_string(batch.columns.size()) +
                                   " columns, expected " + std::to_string(expected.size()));
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const Field& got = batch.columns[i].field;
    if (got.name != expected[i].name || got.type.id != expected[i].type.id) {
      return Status::InvalidArgument(
          what + " column " + std::to_string(i) + " is " + got.name + " (" +
          PostgresTypeName(got.type.id) + "), expected " + expected[i].name + " (" +
          PostgresTypeName(expected[i].type.id) + ")");
    }
    if (batch.columns[i].size() != batch.num_rows) {
      return Status::InvalidArgument(what + " column " + got.name + " has " +
                                     std::to_string(batch.columns[i].size()) + " values for " +
                                     std::to_string(batch.num_rows) + " rows");
    }
  }
  return CheckYearMonthValues(batch, year_month, what);
}

Status CheckTableColumns(Connection* conn, const std::string& table, const Schema& delta,
                         const std::string& delta_name) {
  RS_ASSIGN_OR_RETURN(auto cols, ReadColumns(conn, table));
  if (cols.empty()) {
    return Status::FailedPrecondition("table " + table + " does not exist in " + conn->target() +
                                      ": " + kMigrateHint);
  }
  for (const Field& f : delta) {
    std::string want = PostgresTypeName(f.type.id);
    auto it = cols.find(f.name);
    if (it == cols.end()) {
      return Status::FailedPrecondition(table + " has no column " + f.name + " (" + want +
                                        ") of Delta " + delta_name + ": " + kMigrateHint);
    }
    if (it->second != want) {
      return Status::FailedPrecondition(table + "." + f.name + " is " + it->second + " but Delta " +
                                        delta_name + " has " + want);
    }
  }
  return Status::OK();
}

Status CheckLedgerColumns(Connection* conn) {
  RS_ASSIGN_OR_RETURN(auto cols, ReadColumns(conn, kLedgerTable));
  if (cols.empty()) {
    return Status::FailedPrecondition(std::string("table ") + kLedgerTable + " does not exist in " +
                                      conn->target() + ": " + kMigrateHint);
  }
  for (const char* name :
       {"year_month", "synced_at", "signals_rows", "composite_rows", "status", "error",
        "rankings_delta_version", "signals_delta_version", "composite_delta_version", "run_id",
        "signals_checksum", "composite_checksum", "signals_table_id", "composite_table_id",
        "source_location", "signals_commit_timestamp", "last_success_at"}) {
    if (cols.count(name) == 0) {
      return Status::FailedPrecondition(std::string(kLedgerTable) + " has no column " + name +
                                        ": " + kMigrateHint);
    }
  }
  return Status::OK();
}

Status CheckSwapFunctions(Connection* conn) {
  RS_ASSIGN_OR_RETURN(
      PgResultPtr r,
      conn->Query("SELECT f FROM unnest(ARRAY['ranking.replication_create_staging(text,text)',"
                  " 'ranking.replication_index_staging(text,text)',"
                  " 'ranking.replication_swap_month(text)']) f WHERE to_regprocedure(f) IS NULL"));
  if (PQntuples(r.get()) > 0) {
    return Status::FailedPrecondition("function " + std::string(PQgetvalue(r.get(), 0, 0)) +
                                      " does not exist in " + conn->target() + ": " + kMigrateHint);
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace rs::postgres
