#include <gtest/gtest.h>

#include "postgres/migrations.h"
#include "postgres/pg_test_db.h"
#include "postgres/schema_internal.h"

namespace rs::postgres::internal {
namespace {

using testing::MigrationsDir;
using testing::TestDatabase;

std::vector<SchemaProblem> Problems(const TestDatabase& db) {
  auto conn = Connection::Open(db.options());
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return {};
  auto problems = FindSchemaProblems(conn->get());
  EXPECT_TRUE(problems.ok()) << problems.status().ToString();
  return problems.ok() ? *problems : std::vector<SchemaProblem>{};
}

class SchemaCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto report = Migrate(db_.options(), MigrationsDir());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }
  TestDatabase db_{"schema_check"};
};

TEST_F(SchemaCheckTest, MigratedDatabaseHasNoProblems) { EXPECT_TRUE(Problems(db_).empty()); }

TEST_F(SchemaCheckTest, NamesEachDroppedObjectWithItsMigrationAndWhetherMigrateRestoresIt) {
  db_.Value(
      "ALTER TABLE ranking.signal_sync_state DROP COLUMN status, DROP COLUMN run_id;"
      "ALTER TABLE ranking.composite_signal_daily ALTER COLUMN composite_rank TYPE bigint;"
      "DROP FUNCTION ranking.replication_index_staging(text, text)");
  auto problems = Problems(db_);
  ASSERT_EQ(problems.size(), 5u) << DescribeSchemaProblems(problems, "");
  EXPECT_EQ(problems[0].what,
            "ranking.composite_signal_daily.composite_rank is bigint, expected integer");
  EXPECT_FALSE(problems[0].restorable);
  EXPECT_EQ(problems[1].what, "ranking.signal_sync_state has no column status (text)");
  EXPECT_EQ(problems[1].version, 3);
  EXPECT_FALSE(problems[1].restorable);
  EXPECT_EQ(problems[1].advice,
            "add it back: ALTER TABLE ranking.signal_sync_state ADD COLUMN status text");
  EXPECT_EQ(problems[2].what, "ranking.signal_sync_state has no column run_id (text)");
  EXPECT_EQ(problems[2].version, 4);
  EXPECT_TRUE(problems[2].restorable);
  // Dropping status dropped the CHECK on it too.
  EXPECT_EQ(problems[3].what,
            "ranking.signal_sync_state has no CHECK constraint signal_sync_state_status_check");
  EXPECT_EQ(problems[4].what,
            "function ranking.replication_index_staging(text,text) does not exist");
  EXPECT_EQ(problems[4].version, 5);
}

TEST_F(SchemaCheckTest, MigrateAppliesAgainFromTheEarliestRestorableMigration) {
  db_.Value("DROP FUNCTION ranking.replication_swap_month(text)");
  auto report = Migrate(db_.options(), MigrationsDir());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->steps.size(), 8u);
  EXPECT_EQ(report->steps[3].action, MigrationStep::Action::kAlreadyApplied);
  for (size_t i = 4; i < 8; ++i) {
    EXPECT_EQ(report->steps[i].action, MigrationStep::Action::kReapplied) << i;
  }
  // Applied again in order, so the function is 0007's, not 0005's.
  EXPECT_NE(db_.Value("SELECT prosrc FROM pg_proc WHERE oid = "
                      "'ranking.replication_swap_month(text)'::regprocedure")
                .find("LOCK TABLE ONLY"),
            std::string::npos);
  ASSERT_EQ(report->restored.size(), 1u);
  EXPECT_EQ(report->restored[0],
            "function ranking.replication_swap_month(text) does not exist (migration 0005)");
  EXPECT_TRUE(Problems(db_).empty());
  EXPECT_EQ(report->applied_count(), 0);
}

TEST_F(SchemaCheckTest, MigrateReportsWhatItCannotRestoreAsFailedPrecondition) {
  db_.Value("ALTER TABLE ranking.signal_sync_state DROP COLUMN error");
  auto report = Migrate(db_.options(), MigrationsDir());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find(
                "what applied migrations created is missing or changed: ranking.signal_sync_state "
                "has no column error (text) (migration 0003): add it back: ALTER TABLE "
                "ranking.signal_sync_state ADD COLUMN error text"),
            std::string::npos)
      << report.status().message();
  db_.Value("ALTER TABLE ranking.signal_sync_state ADD COLUMN error text");
  EXPECT_TRUE(Migrate(db_.options(), MigrationsDir()).ok());
}

// With the status column gone, 0006 (which reads it) cannot run again: the
// person restores the column first, then migrate restores the rest.
TEST_F(SchemaCheckTest, MigrateRestoresNothingWhileAPersonMustActFirst) {
  db_.Value("ALTER TABLE ranking.signal_sync_state DROP COLUMN status");
  auto report = Migrate(db_.options(), MigrationsDir());
  ASSERT_FALSE(report.ok());
  const std::string& m = report.status().message();
  EXPECT_NE(m.find("has no column status (text) (migration 0003): add it back: ALTER TABLE "
                   "ranking.signal_sync_state ADD COLUMN status text; "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("no CHECK constraint signal_sync_state_status_check (migration 0006). Then "
                   "run `ranking-signals migrate` again: it applies migration 0006"),
            std::string::npos)
      << m;
  db_.Value("ALTER TABLE ranking.signal_sync_state ADD COLUMN status text");
  auto again = Migrate(db_.options(), MigrationsDir());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->restored.size(), 1u);
  EXPECT_TRUE(Problems(db_).empty());
}

}  // namespace
}  // namespace rs::postgres::internal
