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

Result<std::map<std::string, std::string>> ReadTableColumns(Connection* conn,
                                                            const std::string& table) {
  size_t dot = table.find('.');
  RS_ASSIGN_OR_RETURN(
      PgResultPtr r,
      // The catalog, not information_schema, which hides the columns of tables
      // the role has no privilege on (they would look missing).
      conn->Query("SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
                  " JOIN pg_class c ON c.oid = a.attrelid"
                  " JOIN pg_namespace n ON n.oid = c.relnamespace"
                  " WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0"
                  " AND NOT a.attisdropped",
                  {table.substr(0, dot), table.substr(dot + 1)}));
  std::map<std::string, std::string> cols;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    cols[PQgetvalue(r.get(), i, 0)] = PQgetvalue(r.get(), i, 1);
  return cols;
}

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
  RS_ASSIGN_OR_RETURN(auto cols, ReadTableColumns(conn, table));
  if (cols.empty()) {
    return Status::FailedPrecondition("table " + table + " does not exist in " + conn->target() +
                                      ": " + kMigrateHint);
  }
  for (const Field& f : delta) {
    std::string want = PostgresTypeName(f.type.id);
    auto it = cols.find(f.name);
    if (it == cols.end()) {
      return Status::FailedPrecondition(table + " has no column " + f.name + " (" + want +
                                        ") of Delta " + delta_name + ": add it (ALTER TABLE " +
                                        table + " ADD COLUMN " + f.name + " " + want +
                                        "), then refill every month with `ranking-signals sync "
                                        "--lake URI --force`");
    }
    if (it->second != want) {
      return Status::FailedPrecondition(table + "." + f.name + " is " + it->second + " but Delta " +
                                        delta_name + " has " + want);
    }
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace rs::postgres
