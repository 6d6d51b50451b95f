// The PostgreSQL side of the binary as an operator meets it when something
// was changed by hand (issue 22 items 9 and 11): objects dropped after
// migrate, a ledger the job may not update, and PG* variables that move the
// connection elsewhere than the DSN says.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli/cli_harness.h"
#include "common/test_services.h"

namespace rs::testing {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class PostgresAdminCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pristine_ = MakeTempDir("pgadmin-pristine") + "/lake";
    auto r = RunCli({"sample-data", "--lake", pristine_, "--symbols", "6", "--start", "2024-01-02",
                     "--end", "2024-02-28", "--seed", "3"},
                    {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { fs::remove_all(fs::path(pristine_).parent_path()); }

  void SetUp() override {
    root_ = MakeTempDir("pgadmin");
    lake_ = root_ + "/lake";
    fs::copy(pristine_, lake_, fs::copy_options::recursive);
    dsn_ = CreateDatabase("pgadmin");
    auto r = Cli({"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { fs::remove_all(root_); }

  CliResult Cli(const std::vector<std::string>& args, const Env& extra = {}) const {
    Env env = {{"POSTGRES_DSN", dsn_},
               {"RANKING_MIGRATIONS_DIR", SourcePath("deploy/sql/postgres/migrations")},
               {"RANKING_THREADS", "2"}};
    for (const auto& [k, v] : extra) env[k] = v;
    return RunCli(args, env);
  }
  std::vector<std::string> RunAll() const { return {"run", "--lake", lake_, "--months", "all"}; }
  std::string One(const std::string& sql) const {
    auto rows = Sql(dsn_, sql);
    return rows.empty() ? "" : rows[0];
  }

  static inline std::string pristine_;
  std::string root_, lake_, dsn_;
};

// Issue 22 item 9: the replicator's advice was "run ranking-signals migrate",
// and migrate, finding every file in its ledger, did nothing. Now migrate
// checks what the applied migrations created and applies again those whose
// objects are gone (each file is idempotent and keeps rows).
TEST_F(PostgresAdminCliTest, Issue22MigrateRestoresLedgerColumnsFunctionsAndTablesDroppedByHand) {
  ASSERT_EQ(Cli(RunAll()).exit_code, 0);
  Sql(dsn_,
      "ALTER TABLE ranking.signal_sync_state DROP COLUMN run_id;"
      "DROP FUNCTION ranking.replication_swap_month(text)");
  auto run = Cli(RunAll());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(Contains(run.err,
                       "ranking.signal_sync_state has no column run_id (text) "
                       "(migration 0004)"))
      << run.err;
  EXPECT_TRUE(Contains(run.err,
                       "function ranking.replication_swap_month(text) does not exist "
                       "(migration 0005)"))
      << run.err;
  EXPECT_TRUE(Contains(run.err, "Run `ranking-signals migrate`")) << run.err;

  auto migrate = Cli({"migrate"});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_TRUE(Contains(migrate.err, "restored an object dropped by hand")) << migrate.err;
  EXPECT_TRUE(Contains(migrate.err, "applied again (restored objects)")) << migrate.err;
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'ranking' "
                "AND table_name = 'signal_sync_state' AND column_name = 'run_id'"),
            "1");
  EXPECT_EQ(Cli(RunAll()).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);

  // The whole ledger: 0003 creates it again, 0004 and 0006 add their columns.
  Sql(dsn_, "DROP TABLE ranking.signal_sync_state");
  EXPECT_EQ(Cli({"migrate"}).exit_code, 0);
  EXPECT_EQ(One("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'ranking' "
                "AND table_name = 'signal_sync_state'"),
            "17");
  EXPECT_EQ(One("SELECT count(*) FROM pg_constraint WHERE conname = "
                "'signal_sync_state_status_check'"),
            "1");
  // A second migrate finds nothing to restore.
  auto again = Cli({"migrate"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(Contains(again.err, "restored")) << again.err;
  EXPECT_EQ(Cli({"sync", "--lake", lake_}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

// A column dropped from a serving table cannot come back by applying 0003
// again (CREATE TABLE IF NOT EXISTS): migrate says so, with the statement,
// and following its advice heals.
TEST_F(PostgresAdminCliTest, Issue22MigrateNamesServingColumnItCannotRestoreAndTheAdviceWorks) {
  ASSERT_EQ(Cli(RunAll()).exit_code, 0);
  Sql(dsn_, "ALTER TABLE ranking.ranking_signal DROP COLUMN score");
  const std::string advice =
      "ranking.ranking_signal has no column score (double precision) (migration 0003): add it "
      "back: ALTER TABLE ranking.ranking_signal ADD COLUMN score double precision; then refill "
      "every month with `ranking-signals sync --lake URI --force`";
  auto run = Cli(RunAll());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(Contains(run.err, advice)) << run.err;
  auto migrate = Cli({"migrate"});
  EXPECT_EQ(migrate.exit_code, 1) << migrate.err;
  EXPECT_TRUE(Contains(migrate.err, advice)) << migrate.err;
  EXPECT_FALSE(Contains(migrate.err, "Run `ranking-signals migrate` again")) << migrate.err;

  Sql(dsn_, "ALTER TABLE ranking.ranking_signal ADD COLUMN score double precision");
  EXPECT_EQ(Cli({"migrate"}).exit_code, 0);
  auto sync = Cli({"sync", "--lake", lake_, "--force"});
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
  EXPECT_NE(One("SELECT count(*) FROM ranking.ranking_signal WHERE score IS NOT NULL"), "0");
}

// Issue 22 item 9: a role that may not UPDATE the ledger got "could not
// record the failure ... (database unreachable)". Now the month's error and
// the WARN say what was denied and what to grant, decided by SQLSTATE 42501.
// The role has the writer's grants of docs/postgres.md but UPDATE.
TEST_F(PostgresAdminCliTest, Issue22LedgerWriteDeniedNamesPrivilegeAndRole) {
  const std::string role = "rs_noupdate_" + std::to_string(getpid());
  Sql(dsn_, "CREATE ROLE " + role + " LOGIN PASSWORD 'Lim1tedPw';" +
                "GRANT USAGE ON SCHEMA ranking TO " + role + ";" +
                "GRANT SELECT ON ranking.ranking_signal, ranking.composite_signal_daily TO " +
                role + ";" + "GRANT SELECT, INSERT ON ranking.signal_sync_state TO " + role + ";" +
                "GRANT EXECUTE ON FUNCTION ranking.replication_create_staging(text, text), "
                "ranking.replication_index_staging(text, text), "
                "ranking.replication_swap_month(text) TO " +
                role);
  std::string limited = dsn_;
  limited.replace(0, limited.find('@'), "postgresql://" + role + ":Lim1tedPw");
  auto run =
      Cli(RunAll(), {{"POSTGRES_DSN", limited}, {"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // The WARN's database_unreachable field (issue 19: one event name, the
  // reason a field) says the database answered.
  EXPECT_FALSE(Contains(run.err, "database_unreachable=true")) << run.err;
  EXPECT_TRUE(Contains(run.err, "database_unreachable=false")) << run.err;
  // The month's own error, then the WARN of its failure record; log fields
  // quote the role as \"role\".
  for (const std::string& says :
       {std::string("write ledger row: permission denied on ranking.signal_sync_state for role"),
        std::string("could not record the failure in ranking.signal_sync_state"),
        std::string("record failure of 2024-01: permission denied on ranking.signal_sync_state"),
        std::string("GRANT SELECT, INSERT, UPDATE ON ranking.signal_sync_state TO "),
        role + "\\\" (SQLSTATE 42501)"}) {
    EXPECT_TRUE(Contains(run.err, says)) << says << "\n" << run.err;
  }
  EXPECT_FALSE(Contains(run.err, "Lim1tedPw")) << run.err;
  Sql(dsn_, "DROP OWNED BY " + role + "; DROP ROLE " + role);
}

// Issue 22 item 11: PGPORT and PGDATABASE fill what the DSN leaves out, and
// messages named "127.0.0.1:5432/" while libpq connected elsewhere. They name
// what libpq used.
TEST_F(PostgresAdminCliTest, Issue22ConnectionTargetIsWhatLibpqUsedWithPgVariables) {
  auto pg = ServiceEnv("pg");
  const std::string port = pg["RS_TEST_PG_PORT"];
  const std::string db = dsn_.substr(dsn_.rfind('/') + 1);
  const std::string bare = "postgresql://postgres:" + pg["RS_TEST_PG_PASSWORD"] + "@127.0.0.1";
  // Connected: the log names port and database from the environment.
  auto ok = Cli({"migrate"}, {{"POSTGRES_DSN", bare}, {"PGPORT", port}, {"PGDATABASE", db}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(Contains(ok.err, "PostgreSQL at 127.0.0.1:" + port + "/" + db)) << ok.err;
  // Refused by the server: the database libpq asked for is named.
  auto missing =
      Cli({"migrate"}, {{"POSTGRES_DSN", bare}, {"PGPORT", port}, {"PGDATABASE", "no_such_db_22"}});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_TRUE(
      Contains(missing.err, "connect to PostgreSQL at 127.0.0.1:" + port + "/no_such_db_22"))
      << missing.err;
  // Nobody listening on the port PGPORT names: temporary, and that port is named.
  auto refused = Cli({"migrate"}, {{"POSTGRES_DSN", bare},
                                   {"PGPORT", "1"},
                                   {"PGDATABASE", db},
                                   {"POSTGRES_CONNECT_TIMEOUT_SECONDS", "2"}});
  EXPECT_EQ(refused.exit_code, 75) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "connect to PostgreSQL at 127.0.0.1:1/" + db)) << refused.err;
  for (const auto& r : {ok, missing, refused}) {
    EXPECT_FALSE(Contains(r.err + r.out, pg["RS_TEST_PG_PASSWORD"])) << r.err;
  }
}

}  // namespace
}  // namespace rs::testing
