// Checkpoints we write, read by independent implementations: the job writes
// the three platinum tables eleven times (a checkpoint at version 10, with
// live files and tombstones), and check_checkpoint_with_independent_readers.mjs
// decodes each checkpoint with DuckDB and arrow-rs (the Parquet reader of
// delta-rs), compares its nested schema with a checkpoint written by Spark +
// Delta (the conformance corpus) and its content with a replay of the JSON
// commits.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/test_services.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

CommandRun RunCommand(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& a : argv) command += Quote(a) + " ";
  CommandRun run;
  FILE* pipe = popen((command + "2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Cli() {
  const char* dir = std::getenv("RS_BINARY_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/src/cli/ranking-signals";
}

// A checkpoint written by Spark + Delta, the reference implementation.
std::string SparkCheckpoint() {
  return testing::ConformanceDir() +
         "/delta/basic-with-inserts-deletes-checkpoint/_delta_log/00000000000000000010.checkpoint.parquet";
}

TEST(CheckpointInteropTest, DuckDbAndArrowRsReadOurCheckpointsLikeSparkOnes) {
  std::string lake = testing::MakeTempDir("checkpoint-interop");
  auto sample = RunCommand({Cli(), "sample-data", "--lake", lake, "--symbols", "6", "--start",
                            "2023-11-01", "--end", "2024-03-31", "--seed", "3"});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  // Version 0 writes every month; versions 1..10 replace one month each, so
  // the checkpoint at 10 holds live files and tombstones.
  for (int i = 0; i <= 10; ++i) {
    std::string months = i == 0 ? "all" : "2024-0" + std::to_string(1 + i % 3);
    auto run = RunCommand({Cli(), "run", "--lake", lake, "--months", months});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  std::string script = testing::SourcePath("tests/delta/check_checkpoint_with_independent_readers.mjs");
  std::string reference = SparkCheckpoint();
  ASSERT_TRUE(fs::exists(reference)) << reference;
  for (const char* table : {"platinum/rankings", "platinum/signals/ranking_signals",
                            "platinum/signals/daily"}) {
    std::string dir = lake + "/" + table;
    ASSERT_TRUE(fs::exists(dir + "/_delta_log/00000000000000000010.checkpoint.parquet")) << table;
    auto check = RunCommand({"node", script, dir, reference});
    EXPECT_EQ(check.exit_code, 0) << table << ":\n" << check.output;
  }
  fs::remove_all(lake);
}

// The checker itself must be able to fail: a commit that adds a file the
// checkpoint does not hold is reported by both readers.
TEST(CheckpointInteropTest, CheckerReportsACheckpointThatMissesAFile) {
  std::string lake = testing::MakeTempDir("checkpoint-interop-bad");
  auto sample = RunCommand({Cli(), "sample-data", "--lake", lake, "--symbols", "4", "--start",
                            "2024-01-01", "--end", "2024-02-29", "--seed", "5"});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  for (int i = 0; i <= 10; ++i) {
    auto run = RunCommand({Cli(), "run", "--lake", lake, "--months", i == 0 ? "all" : "2024-02"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  std::string log = lake + "/platinum/rankings/_delta_log/";
  // Append a second copy of an add action, under another path, to commit 10.
  FILE* f = fopen((log + "00000000000000000010.json").c_str(), "a");
  ASSERT_NE(f, nullptr);
  fputs(
      "{\"add\":{\"path\":\"year_month=2024-02/extra.parquet\",\"partitionValues\":{\"year_month\":"
      "\"2024-02\"},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n",
      f);
  fclose(f);
  std::string script = testing::SourcePath("tests/delta/check_checkpoint_with_independent_readers.mjs");
  std::string reference = SparkCheckpoint();
  auto check = RunCommand({"node", script, lake + "/platinum/rankings", reference});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("DuckDB: 2 adds in the checkpoint, the JSON replay has 3"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("arrow-rs: 2 adds in the checkpoint, the JSON replay has 3"), std::string::npos) << check.output;
  fs::remove_all(lake);
}

}  // namespace
}  // namespace rs::delta
