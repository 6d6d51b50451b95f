// `table info` and `table scan` (the `ranking-signals table` command, run in
// a process by tools/table_tool.cc) on tables with V2 checkpoints this test
// writes on local disk: a JSON UUID-named checkpoint with sidecars named by
// _last_checkpoint, a Parquet one, and one whose sidecar is gone.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "delta/table_tool_run.h"
#include "v2_table_builder.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;
using testing::RunTableTool;
using testing::ToolRun;
using v2test::json;
using v2test::V2Table;

class V2CheckpointCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("v2_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "t");
    table_dir_ = (dir_ / "t").string();
    auto store = storage::OpenStorage(table_dir_, {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    v2_.emplace(std::shared_ptr<storage::Storage>(std::move(store).value()), "");
  }
  void TearDown() override { fs::remove_all(dir_); }

  ToolRun Tool(const std::string& args) { return RunTableTool(args, dir_); }

  // `table info` and `table scan` show version 1 (ids 2..5 in two files),
  // read from checkpoint `checkpoint_version` (null: JSON replay).
  void ExpectVersion1(const json& checkpoint_version) {
    ToolRun info = Tool("table info '" + table_dir_ + "'");
    ASSERT_EQ(info.exit_code, 0) << info.err;
    json parsed = json::parse(info.out);
    EXPECT_EQ(parsed["version"], 1);
    EXPECT_EQ(parsed["num_files"], 2);
    EXPECT_EQ(parsed["num_rows"], 4);
    EXPECT_EQ(parsed["min_reader_version"], 3);
    EXPECT_EQ(parsed["reader_features"], json({"v2Checkpoint"}));
    EXPECT_EQ(parsed["checkpoint_version"], checkpoint_version);
    ToolRun scan = Tool("table scan '" + table_dir_ + "'");
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    std::vector<int64_t> ids;
    std::stringstream lines(scan.out);
    for (std::string line; std::getline(lines, line);) ids.push_back(json::parse(line)["id"]);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<int64_t>{2, 3, 4, 5}));
  }

  fs::path dir_;
  std::string table_dir_;
  std::optional<V2Table> v2_;
};

const std::string kJsonCheckpoint =
    std::string("00000000000000000001.checkpoint.") + v2test::kUuidA + ".json";

TEST_F(V2CheckpointCliTest, JsonCheckpointWithSidecarsNamedByLastCheckpoint) {
  v2_->Put("_delta_log/" + kJsonCheckpoint,
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  v2_->Put(
      "_delta_log/_last_checkpoint",
      json({{"version", 1}, {"size", 5}, {"v2Checkpoint", {{"path", kJsonCheckpoint}}}}).dump());
  v2_->Delete("_delta_log/00000000000000000000.json");
  ExpectVersion1(1);
}

TEST_F(V2CheckpointCliTest, ParquetUuidCheckpointWithSidecars) {
  v2test::PutParquetActions(
      *v2_->store(),
      std::string("_delta_log/00000000000000000001.checkpoint.") + v2test::kUuidB + ".parquet",
      V2Table::TopLevel(v2_->WriteSidecars("sc")));
  v2_->Delete("_delta_log/00000000000000000000.json");
  ExpectVersion1(1);
}

TEST_F(V2CheckpointCliTest, MissingSidecarFallsBackToTheJsonCommits) {
  v2_->Put("_delta_log/" + kJsonCheckpoint,
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  v2_->Delete("_delta_log/_sidecars/sc-2.parquet");
  ExpectVersion1(nullptr);
  // Without them the table cannot be read: exit 1 naming the missing sidecar.
  v2_->Delete("_delta_log/00000000000000000000.json");
  ToolRun info = Tool("table info '" + table_dir_ + "'");
  EXPECT_EQ(info.exit_code, 1);
  EXPECT_EQ(info.err.rfind("error: ", 0), 0u) << info.err;
  EXPECT_NE(info.err.find("_delta_log/_sidecars/sc-2.parquet"), std::string::npos) << info.err;
}

}  // namespace
}  // namespace rs::delta
