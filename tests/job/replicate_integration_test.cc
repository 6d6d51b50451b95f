// The serving schemas (issue 24): one definition, the signals module's output
// columns (signals::RankingSignalsSchema, CompositeSignalsSchema), which the
// Delta tables are written with. Replication (src/job/replicate.cc) reads
// the months in postgres::SignalsSchema() / CompositeSchema() order, which
// ReplaceMonth validates and whose names are the COPY column lists; the
// migrations create the serving tables. The postgres module cannot depend on
// signals, so these tests check that both agree with the source of truth:
// adding, dropping, renaming or retyping a column on one side only fails here.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "postgres/pg_test_db.h"
#include "postgres/replicator.h"
#include "signals/ranking.h"

namespace rs::job {
namespace {

using postgres::testing::MigrationsDir;
using postgres::testing::TestDatabase;

// PostgreSQL's information_schema data_type of each column type the serving
// tables use, written out here as the test's own oracle.
const std::map<TypeId, std::string>& PgTypes() {
  static const auto* types =
      new std::map<TypeId, std::string>{{TypeId::kDate, "date"},
                                        {TypeId::kString, "text"},
                                        {TypeId::kInteger, "integer"},
                                        {TypeId::kDouble, "double precision"}};
  return *types;
}

std::string PgType(TypeId id) {
  auto it = PgTypes().find(id);
  return it == PgTypes().end() ? "(no serving type)" : it->second;
}

// "name type NULL|NOT NULL, ..." in column order.
std::string Columns(const Schema& schema) {
  std::string out;
  for (const Field& f : schema) {
    if (!out.empty()) out += ", ";
    out += f.name + " " + PgType(f.type.id) + (f.nullable ? " NULL" : " NOT NULL");
  }
  return out;
}

// The same description of a migrated table, from information_schema.
std::string TableColumns(const TestDatabase& db, const std::string& table) {
  return db.Value(
      "SELECT string_agg(column_name || ' ' || data_type ||"
      " CASE WHEN is_nullable = 'YES' THEN ' NULL' ELSE ' NOT NULL' END, ', '"
      " ORDER BY ordinal_position) FROM information_schema.columns"
      " WHERE table_schema = 'ranking' AND table_name = '" +
      table + "'");
}

TEST(ServingSchemaTest, Issue24CopyLayoutsAreTheSignalsOutputSchemas) {
  EXPECT_EQ(Columns(postgres::SignalsSchema()), Columns(signals::RankingSignalsSchema()));
  EXPECT_EQ(Columns(postgres::CompositeSchema()), Columns(signals::CompositeSignalsSchema()));
}

TEST(ServingSchemaTest, Issue24MigratedServingTablesHaveExactlyTheSignalsOutputColumns) {
  TestDatabase db("serving_schema");
  auto migrated = postgres::Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(TableColumns(db, "ranking_signal"), Columns(signals::RankingSignalsSchema()));
  EXPECT_EQ(TableColumns(db, "composite_signal_daily"), Columns(signals::CompositeSignalsSchema()));
}

}  // namespace
}  // namespace rs::job
