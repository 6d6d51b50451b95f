#include "cli/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/test_services.h"
#include "job/replicate.h"

namespace rs::cli {
namespace {

using rs::testing::MakeTempDir;
using rs::testing::SourcePath;

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

// A config file holding `text`, removed when the test ends.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) : path_(MakeTempDir("config") + "/rs.json") {
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove_all(std::filesystem::path(path_).parent_path()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Issue 19: "compresion" and "dsn" were silently accepted.
TEST(LoadJobOptionsTest, Issue19UnknownConfigKeyIsAnErrorNamingItAndTheClosestKey) {
  ConfigFile file(R"({"compresion": "zstd"})");
  auto cfg = LoadJobOptions({}, file.path());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cfg.status().message().find("config file " + file.path() +
                                        ": unknown key 'compresion' (did you mean 'compression'?)"),
            std::string::npos)
      << cfg.status().message();
  EXPECT_NE(cfg.status().message().find("row_group_bytes"), std::string::npos);
}

TEST(LoadJobOptionsTest, Issue19DsnInAConfigFileIsRefusedWithoutEchoingIt) {
  ConfigFile file(R"({"dsn": "postgresql://u:s3cret@db/x"})");
  auto cfg = LoadJobOptions({}, file.path());
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("unknown key 'dsn'"), std::string::npos);
  EXPECT_NE(cfg.status().message().find("POSTGRES_DSN"), std::string::npos);
  EXPECT_EQ(cfg.status().message().find("s3cret"), std::string::npos);
}

TEST(LoadJobOptionsTest, Issue19ValueErrorSaysWhereTheValueCameFrom) {
  ConfigFile file(R"({"top_n": 0, "compression": "lz5"})");
  auto from_file = LoadJobOptions({}, file.path());
  ASSERT_FALSE(from_file.ok());
  EXPECT_EQ(
      from_file.status().message(),
      "config file " + file.path() + ": top_n='0' is not a whole number from 1 to 1000000000");
  // The environment wins over the file, and its error names the variable.
  auto from_env = LoadJobOptions(
      {{"RANKING_SIGNALS_TOP_N", "5"}, {"RANKING_PARQUET_COMPRESSION", "lz4"}}, file.path());
  ASSERT_FALSE(from_env.ok());
  EXPECT_EQ(from_env.status().message(),
            "RANKING_PARQUET_COMPRESSION='lz4' is not one of snappy, zstd, gzip, none");
  ConfigFile codec(R"({"compression": "lz5"})");
  auto codec_file = LoadJobOptions({}, codec.path());
  ASSERT_FALSE(codec_file.ok());
  EXPECT_EQ(
      codec_file.status().message(),
      "config file " + codec.path() + ": compression='lz5' is not one of snappy, zstd, gzip, none");
}

TEST(LoadJobOptionsTest, EveryConfigKeyOfTheSettingsTableIsReadAndChecked) {
  // A value no setting accepts: each key must be read (and refused), proving
  // that every documented key reaches LoadJobOptions.
  for (const SettingSpec& s : JobSettings()) {
    if (s.file_key.empty()) continue;
    ConfigFile file("{\"" + s.file_key + "\": \"not a value\"}");
    auto cfg = LoadJobOptions({}, file.path());
    EXPECT_FALSE(cfg.ok()) << s.file_key << " was not read";
    if (!s.env.empty()) {
      auto env = LoadJobOptions({{s.env, "not a value"}}, "");
      EXPECT_FALSE(env.ok()) << s.env << " was not read";
    }
  }
}

// Rows of the first table after "## Settings" in docs/operations.md, as
// (flag, variable, key, default) with backquotes and "—" removed.
std::set<std::tuple<std::string, std::string, std::string, std::string>> DocumentedSettings() {
  std::ifstream in(SourcePath("docs/operations.md"));
  std::string line;
  bool in_section = false;
  std::set<std::tuple<std::string, std::string, std::string, std::string>> rows;
  auto cell = [](std::string c) {
    size_t b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
    c = b == std::string::npos ? "" : c.substr(b, e - b + 1);
    if (c == "—") return std::string();
    if (c.size() >= 2 && c.front() == '`' && c.back() == '`') c = c.substr(1, c.size() - 2);
    return c;
  };
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      if (in_section) break;
      in_section = line == "## Settings";
      continue;
    }
    if (!in_section) continue;
    if (!line.starts_with("|")) {
      if (!rows.empty()) break;  // the end of the first table
      continue;
    }
    if (line.starts_with("| flag") || line.starts_with("|---")) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string c;
    while (std::getline(ss, c, '|')) cells.push_back(cell(c));
    if (cells.size() < 5) continue;
    rows.emplace(cells[0], cells[1], cells[2], cells[3]);
  }
  return rows;
}

// Issue 19: one table of every setting, and a test that fails when the code
// and that table disagree.
TEST(JobSettingsTest, DocsSettingsTableMatchesTheCode) {
  auto documented = DocumentedSettings();
  ASSERT_FALSE(documented.empty()) << "no Settings table in " << SourcePath("docs/operations.md");
  std::set<std::tuple<std::string, std::string, std::string, std::string>> code;
  for (const SettingSpec& s : JobSettings())
    code.emplace(s.flag, s.env, s.file_key, s.default_text);
  for (const auto& row : code) {
    EXPECT_TRUE(documented.count(row))
        << "not in docs/operations.md: " << std::get<0>(row) << " " << std::get<1>(row) << " "
        << std::get<2>(row) << " " << std::get<3>(row);
  }
  for (const auto& row : documented) {
    EXPECT_TRUE(code.count(row)) << "documented but not in JobSettings(): " << std::get<0>(row)
                                 << " " << std::get<1>(row) << " " << std::get<2>(row) << " "
                                 << std::get<3>(row);
  }
}

// The defaults the table shows are the ones LoadJobOptions gives.
TEST(JobSettingsTest, DocumentedDefaultsAreTheLoadedOnes) {
  auto cfg = LoadJobOptions({}, "");
  ASSERT_TRUE(cfg.ok());
  std::map<std::string, std::string> loaded = {
      {"POSTGRES_SIGNALS_WRITE_REQUIRED", cfg->replication.write_required ? "true" : "false"},
      {"POSTGRES_SIGNALS_VERIFY_COUNTS", cfg->replication.verify_counts ? "true" : "false"},
      {"POSTGRES_SIGNALS_CONNECTIONS", std::to_string(cfg->replication.connections)},
      {"POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", std::to_string(cfg->replication.lock_timeout_ms)},
      {"POSTGRES_SIGNALS_SWAP_ATTEMPTS", std::to_string(cfg->replication.swap_attempts)},
      {"POSTGRES_CONNECT_TIMEOUT_SECONDS", std::to_string(cfg->replication.connect_timeout_s)},
      {"POSTGRES_STATEMENT_TIMEOUT_MS", std::to_string(cfg->replication.statement_timeout_ms)},
      {"RANKING_SIGNALS_TOP_N", std::to_string(cfg->compute.top_n)},
      {"RANKING_THREADS", std::to_string(cfg->compute.threads)},
      {"RANKING_PARQUET_COMPRESSION",
       cfg->output.compression == parquet::Compression::kSnappy ? "snappy" : "other"},
      {"RANKING_ROW_GROUP_BYTES", std::to_string(cfg->output.row_group_bytes)},
  };
  for (const SettingSpec& s : JobSettings()) {
    auto it = loaded.find(s.env);
    if (it != loaded.end()) {
      EXPECT_EQ(s.default_text, it->second) << s.env;
    }
  }
}

}  // namespace
}  // namespace rs::cli
