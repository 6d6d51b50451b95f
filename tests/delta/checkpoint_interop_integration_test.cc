// Checkpoints we write, read by independent implementations: the job writes
// the three platinum tables eleven times (a checkpoint at version 10, with
// live files and tombstones), and check_checkpoint_with_independent_readers.mjs
// decodes each checkpoint with DuckDB and arrow-rs (the Parquet reader of
// delta-rs), compares its nested schema with a checkpoint written by Spark +
// Delta (the conformance corpus) and its content with a replay of the JSON
// commits.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/test_services.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;

using testing::RunCommand;

std::string Cli() { return testing::BinaryPath("src/cli/ranking-signals"); }

// A checkpoint written by Spark + Delta, the reference implementation.
std::string SparkCheckpoint() {
  return testing::ConformanceDir() +
         "/delta/basic-with-inserts-deletes-checkpoint/_delta_log/00000000000000000010.checkpoint.parquet";
}

// Sample data from `start` to `end`, then eleven runs: version 0 writes every
// month, versions 1..10 replace `month_of(i)` each, so every platinum table
// has a checkpoint at 10 holding live files and tombstones.
template <typename MonthOf>
void WriteLakeWithCheckpoints(const std::string& lake, const std::string& symbols,
                              const std::string& start, const std::string& end,
                              const std::string& seed, MonthOf month_of) {
  auto sample = RunCommand({Cli(), "sample-data", "--lake", lake, "--symbols", symbols, "--start",
                            start, "--end", end, "--seed", seed});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  for (int i = 0; i <= 10; ++i) {
    auto run = RunCommand({Cli(), "run", "--lake", lake, "--months", i == 0 ? "all" : month_of(i)});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
}

testing::CommandRun Check(const std::string& table_dir) {
  return RunCommand({"node",
                     testing::SourcePath("tests/delta/check_checkpoint_with_independent_readers.mjs"),
                     table_dir, SparkCheckpoint()});
}

TEST(CheckpointInteropTest, DuckDbAndArrowRsReadOurCheckpointsLikeSparkOnes) {
  std::string lake = testing::MakeTempDir("checkpoint-interop");
  ASSERT_NO_FATAL_FAILURE(
      WriteLakeWithCheckpoints(lake, "6", "2023-11-01", "2024-03-31", "3",
                               [](int i) { return "2024-0" + std::to_string(1 + i % 3); }));
  ASSERT_TRUE(fs::exists(SparkCheckpoint())) << SparkCheckpoint();
  for (const char* table : {"platinum/rankings", "platinum/signals/ranking_signals",
                            "platinum/signals/daily"}) {
    std::string dir = lake + "/" + table;
    ASSERT_TRUE(fs::exists(dir + "/_delta_log/00000000000000000010.checkpoint.parquet")) << table;
    auto check = Check(dir);
    EXPECT_EQ(check.exit_code, 0) << table << ":\n" << check.output;
  }
  fs::remove_all(lake);
}

// The checker itself must be able to fail: a commit that adds a file the
// checkpoint does not hold is reported by both readers.
TEST(CheckpointInteropTest, CheckerReportsACheckpointThatMissesAFile) {
  std::string lake = testing::MakeTempDir("checkpoint-interop-bad");
  ASSERT_NO_FATAL_FAILURE(WriteLakeWithCheckpoints(lake, "4", "2024-01-01", "2024-02-29", "5",
                                                   [](int) { return std::string("2024-02"); }));
  std::string log = lake + "/platinum/rankings/_delta_log/";
  // Append a second copy of an add action, under another path, to commit 10.
  FILE* f = fopen((log + "00000000000000000010.json").c_str(), "a");
  ASSERT_NE(f, nullptr);
  fputs(
      "{\"add\":{\"path\":\"year_month=2024-02/extra.parquet\",\"partitionValues\":{\"year_month\":"
      "\"2024-02\"},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n",
      f);
  fclose(f);
  auto check = Check(lake + "/platinum/rankings");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("DuckDB: 2 adds in the checkpoint, the JSON replay has 3"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("arrow-rs: 2 adds in the checkpoint, the JSON replay has 3"), std::string::npos) << check.output;
  fs::remove_all(lake);
}

}  // namespace
}  // namespace rs::delta
