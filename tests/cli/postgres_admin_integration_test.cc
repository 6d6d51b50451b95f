// The PostgreSQL side of the binary as an operator meets it when something
// was changed by hand (issue 22 item 11): PG* variables that move the
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
