// `table info` / `table scan` (tools/table_tool.cc runs AddTableCommand, as
// `ranking-signals table` does) on a table with deletion vectors written by
// the test writer: deleted rows are neither counted nor printed, and a
// missing DV file is an error naming the data file and the DV.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "delta/dv_test_writer.h"
#include "delta/table.h"
#include "delta/table_tool_run.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunTableTool;
using testing::ToolRun;

class DeletionVectorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("dv_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    table_dir_ = (dir_ / "t").string();
    auto store = storage::OpenStorage(table_dir_, {});
    table_ = std::move(Table::Open(std::move(store).value(), "")).value();
    Field ym{"year_month", DataType::Primitive(TypeId::kString), true};
    Field n{"n", DataType::Primitive(TypeId::kLong), true};
    auto tx = table_->BeginOverwrite({ym, n}, {"year_month"}, {"2024-01"}, {}).value();
    RecordBatch b;
    b.schema = {ym, n};
    b.columns = {ColumnVector::Make(ym), ColumnVector::Make(n)};
    for (int64_t i = 0; i < 5; ++i) {
      b.columns[0].As<std::string>().push_back("2024-01");
      b.columns[1].As<int64_t>().push_back(i * 10);
    }
    b.num_rows = 5;
    ASSERT_TRUE(tx.WritePartition("2024-01", b).ok());
    ASSERT_TRUE(tx.Commit().ok());
    path_ = table_->LoadSnapshot().value().files.at(0).path;
    DeletionVectorDescriptor dv = file_.Add({1, 3});
    ASSERT_TRUE(file_.WriteTo(*table_).ok());
    ASSERT_TRUE(testing::CommitDeletionVectors(*table_, {{path_, dv}}).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  ToolRun Tool(const std::string& args) { return RunTableTool(args, dir_); }

  fs::path dir_;
  std::string table_dir_;
  std::optional<Table> table_;
  std::string path_;
  testing::DvFile file_{5, ""};
};

TEST_F(DeletionVectorCliTest, InfoAndScanLeaveOutDeletedRows) {
  ToolRun info = Tool("table info " + table_dir_);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(json::parse(info.out)["num_rows"], 3);
  EXPECT_EQ(json::parse(info.out)["min_reader_version"], 3);
  ToolRun scan = Tool("table scan " + table_dir_ + " --columns n");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, "{\"n\":0}\n{\"n\":20}\n{\"n\":40}\n");
}

TEST_F(DeletionVectorCliTest, AMissingDvFileFailsNamingTheDataFileAndTheDv) {
  fs::remove(fs::path(table_dir_) / file_.RelativePath());
  ToolRun scan = Tool("table scan " + table_dir_);
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  EXPECT_TRUE(scan.out.empty()) << scan.out;
  EXPECT_NE(scan.err.find(path_), std::string::npos) << scan.err;
  EXPECT_NE(scan.err.find("deletion vector u:"), std::string::npos) << scan.err;
  EXPECT_NE(scan.err.find("is missing"), std::string::npos) << scan.err;
}

}  // namespace
}  // namespace rs::delta
