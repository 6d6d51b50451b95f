// What migrations 0002 to 0006 create, checked against the catalog. Each
// problem names the migration that creates the object and whether applying
// that migration again brings it back: every migration file is idempotent
// (IF NOT EXISTS, CREATE OR REPLACE, a partitioned table left alone), but
// CREATE TABLE IF NOT EXISTS does not add a column to a table that exists,
// so a column dropped from a table of 0003 or a changed type needs a person.
#include <cstdio>
#include <map>

#include "postgres/replicator.h"
#include "postgres/schema_internal.h"

namespace rs::postgres::internal {
namespace {

struct ColumnSpec {
  std::string name;
  std::string type;  // information_schema data_type
  int version;       // the migration that adds it
};

const std::vector<ColumnSpec> kLedgerColumns = {
    {"year_month", "text", 3},
    {"synced_at", "timestamp with time zone", 3},
    {"signals_rows", "bigint", 3},
    {"composite_rows", "bigint", 3},
    {"status", "text", 3},
    {"error", "text", 3},
    {"rankings_delta_version", "bigint", 4},
    {"signals_delta_version", "bigint", 4},
    {"composite_delta_version", "bigint", 4},
    {"run_id", "text", 4},
    {"signals_checksum", "text", 4},
    {"composite_checksum", "text", 4},
    {"signals_table_id", "text", 6},
    {"composite_table_id", "text", 6},
    {"source_location", "text", 6},
    {"signals_commit_timestamp", "timestamp with time zone", 6},
    {"last_success_at", "timestamp with time zone", 6},
};

SchemaProblem Restorable(int version, std::string what) {
  return {version, std::move(what), true, ""};
}

std::string AddColumnAdvice(const std::string& table, const std::string& column,
                            const std::string& type, bool serving) {
  std::string advice = "add it back: ALTER TABLE " + table + " ADD COLUMN " + column + " " + type;
  if (serving) advice += "; then refill every month with `ranking-signals sync --lake URI --force`";
  return advice;
}

// Problems of `table`'s columns against `specs`; none when the table is missing.
void CheckColumns(const std::map<std::string, std::string>& cols, const std::string& table,
                  const std::vector<ColumnSpec>& specs, bool serving,
                  std::vector<SchemaProblem>* out) {
  if (cols.empty()) return;
  for (const ColumnSpec& c : specs) {
    auto it = cols.find(c.name);
    if (it == cols.end()) {
      std::string what = table + " has no column " + c.name + " (" + c.type + ")";
      // ADD COLUMN IF NOT EXISTS in 0004 and 0006 restores theirs; 0003 creates whole tables.
      if (c.version != 3) {
        out->push_back(Restorable(c.version, what));
      } else {
        out->push_back({c.version, what, false, AddColumnAdvice(table, c.name, c.type, serving)});
      }
    } else if (it->second != c.type) {
      out->push_back({c.version,
                      table + "." + c.name + " is " + it->second + ", expected " + c.type, false,
                      std::string("change it back: ALTER TABLE ") + table + " ALTER COLUMN " +
                          c.name + " TYPE " + c.type + " USING " + c.name + "::" + c.type});
    }
  }
}

std::vector<ColumnSpec> ServingColumns(const Schema& schema) {
  std::vector<ColumnSpec> specs;
  for (const Field& f : schema) specs.push_back({f.name, PostgresTypeName(f.type.id), 3});
  return specs;
}

Result<std::vector<std::string>> Absent(Connection* conn, const std::string& sql) {
  RS_ASSIGN_OR_RETURN(PgResultPtr r, conn->Query(sql));
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(PQgetvalue(r.get(), i, 0));
  return out;
}

Status CheckServingTable(Connection* conn, const std::string& table, const Schema& schema,
                         std::vector<SchemaProblem>* out) {
  RS_ASSIGN_OR_RETURN(auto cols, ReadTableColumns(conn, table));
  if (cols.empty()) {
    out->push_back(Restorable(3, "table " + table + " does not exist"));
    return Status::OK();
  }
  size_t dot = table.find('.');
  RS_ASSIGN_OR_RETURN(PgResultPtr kind,
                      conn->Query("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON "
                                  "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                                  {table.substr(0, dot), table.substr(dot + 1)}));
  if (PQntuples(kind.get()) == 1 && std::string_view(PQgetvalue(kind.get(), 0, 0)) != "p") {
    out->push_back(Restorable(5, "table " + table + " is not partitioned by month"));
  }
  CheckColumns(cols, table, ServingColumns(schema), /*serving=*/true, out);
  return Status::OK();
}

}  // namespace

Result<std::vector<SchemaProblem>> FindSchemaProblems(Connection* conn) {
  std::vector<SchemaProblem> out;
  RS_ASSIGN_OR_RETURN(auto schemas,
                      Absent(conn,
                             "SELECT n FROM unnest(ARRAY['core', 'ranking', 'backtest']) n "
                             "WHERE to_regnamespace(n) IS NULL"));
  for (const auto& s : schemas) out.push_back(Restorable(2, "schema " + s + " does not exist"));
  RS_RETURN_IF_ERROR(CheckServingTable(conn, kSignalsTable, SignalsSchema(), &out));
  RS_RETURN_IF_ERROR(CheckServingTable(conn, kCompositeTable, CompositeSchema(), &out));
  RS_ASSIGN_OR_RETURN(auto ledger, ReadTableColumns(conn, kLedgerTable));
  if (ledger.empty()) {
    out.push_back(Restorable(3, std::string("table ") + kLedgerTable + " does not exist"));
  }
  CheckColumns(ledger, kLedgerTable, kLedgerColumns,
               /*serving=*/false, &out);
  RS_ASSIGN_OR_RETURN(
      auto checks,
      Absent(conn,
             "SELECT 'signal_sync_state_status_check' WHERE NOT EXISTS (SELECT 1 FROM "
             "pg_constraint WHERE conrelid = to_regclass('ranking.signal_sync_state') AND "
             "conname = 'signal_sync_state_status_check')"));
  for (const auto& c : checks) {
    if (ledger.empty()) break;  // the missing table says it all
    out.push_back(Restorable(6, std::string(kLedgerTable) + " has no CHECK constraint " + c));
  }
  RS_ASSIGN_OR_RETURN(
      auto functions,
      Absent(conn,
             "SELECT f FROM unnest(ARRAY['ranking.replication_month_start(text,text)',"
             " 'ranking.replication_create_staging(text,text)',"
             " 'ranking.replication_index_staging(text,text)',"
             " 'ranking.replication_swap_month(text)']) f "
             "WHERE to_regnamespace('ranking') IS NULL OR to_regprocedure(f) IS NULL"));
  for (const auto& f : functions) out.push_back(Restorable(5, "function " + f + " does not exist"));
  return out;
}

std::string DescribeSchemaProblems(const std::vector<SchemaProblem>& problems,
                                   std::string_view restore_with) {
  constexpr size_t kShown = 6;
  std::string out;
  int first_restorable = 0;
  for (size_t i = 0; i < problems.size(); ++i) {
    const SchemaProblem& p = problems[i];
    if (p.restorable && (first_restorable == 0 || p.version < first_restorable)) {
      first_restorable = p.version;
    }
    if (i >= kShown) continue;
    if (!out.empty()) out += "; ";
    char version[8];
    std::snprintf(version, sizeof(version), "%04d", p.version);
    out += p.what + " (migration " + version + ")";
    if (!p.restorable) out += ": " + p.advice;
  }
  if (problems.size() > kShown)
    out += "; and " + std::to_string(problems.size() - kShown) + " more";
  if (first_restorable != 0 && !restore_with.empty()) {
    char version[8];
    std::snprintf(version, sizeof(version), "%04d", first_restorable);
    out += std::string(". ") + std::string(restore_with) + ": it applies migration " + version +
           " and the later ones (again where already applied; each is idempotent and keeps "
           "every row)";
  }
  return out;
}

}  // namespace rs::postgres::internal
