// The `table` CLI (tools/table_tool.cc runs AddTableCommand) on a table this
// test writes: output shapes and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "delta/table.h"
#include "delta/table_tool_run.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunTableTool;
using testing::ToolRun;

class TableCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("table_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    table_dir_ = (dir_ / "t").string();
    auto store = storage::OpenStorage(table_dir_, {});
    auto table = Table::Open(std::move(store).value(), "").value();
    Schema schema = {{"year_month", DataType::Primitive(TypeId::kString), true},
                     {"n", DataType::Primitive(TypeId::kLong), true}};
    for (int round = 0; round < 2; ++round) {
      CommitOptions options;
      options.run_id = "run-" + std::to_string(round);
      auto tx =
          table.BeginOverwrite(schema, {"year_month"}, {"2024-01", "2024-02"}, options).value();
      for (const std::string ym : {"2024-01", "2024-02"}) {
        RecordBatch b;
        b.schema = schema;
        b.columns = {ColumnVector::Make(schema[0]), ColumnVector::Make(schema[1])};
        for (int i = 0; i < 3 + round; ++i) {
          b.columns[0].As<std::string>().push_back(ym);
          b.columns[1].As<int64_t>().push_back(i);
        }
        b.num_rows = 3 + round;
        ASSERT_TRUE(tx.WritePartition(ym, b).ok());
      }
      ASSERT_TRUE(tx.Commit().ok());
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  ToolRun Tool(const std::string& args) { return RunTableTool(args, dir_); }

  fs::path dir_;
  std::string table_dir_;
};

TEST_F(TableCliTest, InfoPrintsOneObject) {
  ToolRun r = Tool("table info " + table_dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json info = json::parse(r.out);
  EXPECT_EQ(info["version"], 1);
  EXPECT_EQ(info["num_files"], 2);
  EXPECT_EQ(info["num_rows"], 8);
  EXPECT_EQ(info["partition_columns"], json::array({"year_month"}));
  EXPECT_EQ(info["schema"][1], json({{"name", "n"}, {"type", "long"}, {"nullable", true}}));
  EXPECT_EQ(info["min_reader_version"], 1);
  EXPECT_EQ(info["min_writer_version"], 2);
  r = Tool("table info " + table_dir_ + " --version 0");
  EXPECT_EQ(json::parse(r.out)["num_rows"], 6);
}

TEST_F(TableCliTest, ScanFiltersAndProjects) {
  ToolRun r = Tool("table scan " + table_dir_ + " --where year_month=2024-02 --where n=3 --columns n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"n\":3}\n");
}

// Issue 19: newest first, --limit, and the operation metrics commits record.
TEST_F(TableCliTest, HistoryListsRunIdsNewestFirstWithOperationMetrics) {
  ToolRun r = Tool("table history " + table_dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(json::parse(second)["run_id"], "run-0");
  EXPECT_EQ(json::parse(second)["operation"], "CREATE TABLE");
  EXPECT_EQ(json::parse(first)["run_id"], "run-1");
  EXPECT_EQ(json::parse(first)["operation"], "WRITE");
  const json metrics = json::parse(first)["operation_metrics"];
  EXPECT_EQ(metrics["numAddedFiles"], 2) << first;
  EXPECT_EQ(metrics["numRemovedFiles"], 2) << first;
  EXPECT_EQ(metrics["numOutputRows"], 8) << first;
  EXPECT_GT(metrics["numOutputBytes"].get<int64_t>(), 0) << first;
  r = Tool("table history " + table_dir_ + " --limit 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, first + "\n");
}

TEST_F(TableCliTest, VacuumDryRunAndRetentionGuard) {
  ToolRun r = Tool("table vacuum " + table_dir_ + " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["num_files"], 0);  // removed files are younger than a week
  r = Tool("table vacuum " + table_dir_ + " --retain-hours 0 --dry-run --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["num_files"], 2);
  r = Tool("table vacuum " + table_dir_ + " --retain-hours 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("below the table's 168 hours"), std::string::npos) << r.err;
}

TEST_F(TableCliTest, ErrorsAndUsageHaveTheirExitCodes) {
  ToolRun r = Tool("table scan " + table_dir_ + " --where nosuch=1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: filter 'nosuch=1': unknown column nosuch\n");
  r = Tool("table info " + (dir_ / "missing").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a Delta table"), std::string::npos) << r.err;
  r = Tool("table info " + table_dir_ + " --version 7");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("version 7 does not exist (latest is 1)"), std::string::npos) << r.err;
  r = Tool("table scan");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace rs::delta
