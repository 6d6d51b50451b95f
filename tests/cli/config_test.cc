#include "cli/config.h"

#include "job/replicate.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace rs::cli {
namespace {

TEST(LoadJobOptionsTest, DefaultsWhenNothingIsSet) {
  auto cfg = LoadJobOptions({}, "");
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(cfg->replication.dsn.has_value());
  EXPECT_TRUE(cfg->replication.write_required);
  EXPECT_FALSE(cfg->replication.verify_counts);
  EXPECT_EQ(cfg->replication.connections, 2);
  EXPECT_EQ(cfg->compute.top_n, 50);
  EXPECT_EQ(cfg->output.compression, parquet::Compression::kSnappy);
}

TEST(LoadJobOptionsTest, EnvironmentSetsFlagsAndDsn) {
  auto cfg = LoadJobOptions({{"POSTGRES_DSN", "host=x password=s3cret"},
                            {"POSTGRES_SIGNALS_WRITE_REQUIRED", "no"},
                            {"POSTGRES_SIGNALS_VERIFY_COUNTS", "1"},
                            {"RANKING_SIGNALS_TOP_N", "10"}},
                           "");
  ASSERT_TRUE(cfg.ok());
  EXPECT_TRUE(cfg->replication.dsn.has_value());
  EXPECT_FALSE(cfg->replication.write_required);
  EXPECT_TRUE(cfg->replication.verify_counts);
  EXPECT_EQ(cfg->compute.top_n, 10);
}

TEST(LoadJobOptionsTest, ReplicationConnectionsFromOneToSixteen) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, int>>{
           {"1", 1}, {" 4 ", 4}, {"16", 16}}) {
    auto cfg = LoadJobOptions({{"POSTGRES_SIGNALS_CONNECTIONS", value}}, "");
    ASSERT_TRUE(cfg.ok()) << value << ": " << cfg.status().message();
    EXPECT_EQ(cfg->replication.connections, expected) << value;
  }
  for (const std::string value : {"0", "17", "two", ""}) {
    auto cfg = LoadJobOptions({{"POSTGRES_SIGNALS_CONNECTIONS", value}}, "");
    ASSERT_FALSE(cfg.ok()) << value;
    EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument) << value;
    EXPECT_NE(cfg.status().message().find("POSTGRES_SIGNALS_CONNECTIONS='" + value + "'"),
              std::string::npos)
        << cfg.status().message();
  }
}

TEST(LoadJobOptionsTest, EmptyDsnIsKeptForTheCommandToJudge) {
  auto cfg = LoadJobOptions({{"POSTGRES_DSN", "  "}}, "");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->replication.dsn, "  ");
  EXPECT_FALSE(LoadJobOptions({}, "")->replication.dsn.has_value());
}

TEST(LoadJobOptionsTest, BadTopNIsAUsageErrorNamingTheVariable) {
  auto cfg = LoadJobOptions({{"RANKING_SIGNALS_TOP_N", "0"}}, "");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(),
            "RANKING_SIGNALS_TOP_N='0' is not a whole number from 1 to 1000000000");
}

TEST(LoadJobOptionsTest, MissingConfigFileIsAClearError) {
  auto cfg = LoadJobOptions({}, "/nonexistent/rs.json");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), "config file /nonexistent/rs.json cannot be opened");
}

TEST(LoadJobOptionsTest, SwapLockTimeoutAndAttemptsFromEnvironmentOrFile) {
  auto d = LoadJobOptions({}, "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->replication.lock_timeout_ms, 2000);
  EXPECT_EQ(d->replication.swap_attempts, 5);
  auto e = LoadJobOptions({{"POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", "500"},
                           {"POSTGRES_SIGNALS_SWAP_ATTEMPTS", "9"}}, "");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->replication.lock_timeout_ms, 500);
  EXPECT_EQ(e->replication.swap_attempts, 9);
  EXPECT_EQ(job::ConnectionOptionsFor(e->replication).lock_timeout_ms, 500);
  EXPECT_EQ(job::ConnectionOptionsFor(e->replication).swap_attempts, 9);
  auto bad = LoadJobOptions({{"POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", "0"}}, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "POSTGRES_SIGNALS_LOCK_TIMEOUT_MS='0' is not a whole number from 1 to 600000");
}

// Issue 22, item 8: RANKING_THREADS had no upper bound, and TOP_N's refusal
// did not say its real range.
TEST(LoadJobOptionsTest, Issue22ThreadsAndTopNSayTheirRange) {
  auto threads = LoadJobOptions({{"RANKING_THREADS", "100000"}}, "");
  ASSERT_FALSE(threads.ok());
  EXPECT_EQ(threads.status().message(), "RANKING_THREADS='100000' is not a whole number from 0 to 256");
  auto top = LoadJobOptions({{"RANKING_SIGNALS_TOP_N", "2147483647"}}, "");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(),
            "RANKING_SIGNALS_TOP_N='2147483647' is not a whole number from 1 to 1000000000");
  EXPECT_EQ(LoadJobOptions({{"RANKING_THREADS", "256"}}, "")->compute.threads, 256);
}

}  // namespace
}  // namespace rs::cli
