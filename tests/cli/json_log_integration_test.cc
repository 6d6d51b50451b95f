// Issue 19: JSON logs through the real binary. Every stderr line of every
// command is one JSON object starting with ts, level, run_id and event, and
// every line of one event kind has exactly the same keys (null when a value
// does not apply), so a log pipeline can rely on an event's fields.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_harness.h"
#include "common/test_services.h"

namespace rs::testing {
namespace {

using nlohmann::ordered_json;

// The keys of one event kind, as first seen, with the line and the command.
struct FirstSeen {
  std::set<std::string> keys;
  std::string line;
  std::string command;
};

class JsonLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = MakeTempDir("json-log-lake");
    dsn_ = CreateDatabase("jsonlog");
    ASSERT_EQ(Cli("migrate", {"migrate"}), 0);
  }
  void TearDown() override { std::filesystem::remove_all(lake_); }

  // Runs `args` with --log-format json, checks each stderr line and adds
  // its keys to `events_`. Returns the exit code.
  int Cli(const std::string& name, std::vector<std::string> args) {
    args.push_back("--log-format");
    args.push_back("json");
    CliResult r =
        RunCli(args, {{"POSTGRES_DSN", dsn_},
                      {"RANKING_MIGRATIONS_DIR", SourcePath("deploy/sql/postgres/migrations")},
                      {"RANKING_THREADS", "2"}});
    for (const std::string& line : Lines(r.err)) Check(name, line);
    return r.exit_code;
  }

  void Check(const std::string& command, const std::string& line) {
    ordered_json j = ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << command << ": a stderr line that is not a JSON object: " << line;
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    ASSERT_GE(keys.size(), 4u) << command << ": " << line;
    EXPECT_EQ((std::vector<std::string>(keys.begin(), keys.begin() + 4)),
              (std::vector<std::string>{"ts", "level", "run_id", "event"}))
        << command << ": " << line;
    ASSERT_TRUE(j["event"].is_string()) << command << ": " << line;
    const std::string event = j["event"];
    std::set<std::string> key_set(keys.begin(), keys.end());
    ++lines_[event];
    auto [seen, first] = events_.try_emplace(event, FirstSeen{key_set, line, command});
    if (first) return;
    EXPECT_EQ(key_set, seen->second.keys)
        << "event \"" << event << "\" has other keys than its first line:\n  " << command << ": "
        << line << "\n  " << seen->second.command << ": " << seen->second.line;
  }

  std::string lake_;
  std::string dsn_;
  std::map<std::string, FirstSeen> events_;
  std::map<std::string, int> lines_;
};

// sample-data, run (windowed read of Delta inputs, then a full read of a
// folder of Parquet files in a dry run), a second run with replication
// skipped or replaced, verify with a drifted month (WARN lines), sync of the
// given months, materialize: each event kind keeps one key set throughout.
TEST_F(JsonLogTest, Issue19EveryLineOfAnEventKindHasTheSameKeys) {
  ASSERT_EQ(Cli("sample-data", {"sample-data", "--lake", lake_, "--symbols", "10", "--start",
                                "2023-01-02", "--end", "2024-03-31", "--seed", "5"}),
            0);
  ASSERT_EQ(Cli("run", {"run", "--lake", lake_, "--months", "2024-01..2024-03"}), 0);
  // The same input as a folder of Parquet files (no Delta log): a full read.
  std::string folder = lake_ + "/plain_market";
  std::filesystem::copy(lake_ + "/gold/market_daily", folder,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(folder + "/_delta_log");
  ASSERT_EQ(Cli("run --dry-run (folder input)", {"run", "--lake", lake_, "--market-table", folder,
                                                 "--months", "2024-02..2024-03", "--dry-run"}),
            0);
  ASSERT_EQ(Cli("run (one month again)", {"run", "--lake", lake_, "--months", "2024-02"}), 0);
  Sql(dsn_, "DELETE FROM ranking.ranking_signal WHERE year_month = '2024-01'");
  EXPECT_EQ(Cli("verify (2024-01 drifted)", {"verify", "--lake", lake_}), 3);
  ASSERT_EQ(Cli("sync", {"sync", "--lake", lake_, "--months", "2024-01..2024-02"}), 0);
  ASSERT_EQ(Cli("materialize", {"materialize", "--lake", lake_, "--months", "2024-03"}), 0);
  ASSERT_EQ(Cli("verify", {"verify", "--lake", lake_}), 0);

  // The test saw the lines it is about, more than once each.
  for (const char* event :
       {"read market_daily", "read finance_daily", "prepared inputs", "month written",
        "committed Delta table", "replicated month", "verified month", "summary"}) {
    EXPECT_GE(lines_[event], 2) << event;
  }
  EXPECT_EQ(events_.count("replicating to PostgreSQL"), 1u);
  // Replication states rows and rows/s per month (issue 19: "replicating
  // (per month, rows/s)").
  for (const char* key : {"month", "signals_rows", "composite_rows", "rows_per_s", "seconds"}) {
    EXPECT_EQ(events_["replicated month"].keys.count(key), 1u) << key;
  }
}

}  // namespace
}  // namespace rs::testing
