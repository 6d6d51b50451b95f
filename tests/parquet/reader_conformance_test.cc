// Every Parquet file of the shared Delta conformance corpus (data files and
// checkpoints, written by Spark) opens and reads completely. Read in place
// from $RS_CONFORMANCE_DIR; never modified.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/test_services.h"
#include "parquet/reader.h"
#include "parquet/reader_fixture_compare.h"

namespace rs::parquet {
namespace {

std::vector<std::string> CorpusParquetFiles() {
  std::vector<std::string> files;
  const std::filesystem::path root = std::filesystem::path(rs::testing::ConformanceDir()) / "delta";
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ReaderConformanceTest, EveryCorpusFileReadsCompletely) {
  const auto files = CorpusParquetFiles();
  ASSERT_GT(files.size(), 50u) << "conformance corpus missing under " << rs::testing::ConformanceDir();
  int checkpoints = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path);
    auto reader = FileReader::OpenBuffer(testing::ReadWholeFile(path), path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto batch = (*reader)->Read();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_EQ(static_cast<int64_t>(batch->num_rows), (*reader)->num_rows());
    for (const auto& column : batch->columns) EXPECT_EQ(column.size(), batch->num_rows);
    if (path.find("_delta_log") != std::string::npos) ++checkpoints;
  }
  EXPECT_GT(checkpoints, 0);
}

// A Spark checkpoint: add.partitionValues is a map and add.stats a string;
// the rows that carry an add action have a path.
TEST(ReaderConformanceTest, CheckpointAddActionsHavePaths) {
  int checked = 0;
  for (const auto& path : CorpusParquetFiles()) {
    if (path.find(".checkpoint.") == std::string::npos) continue;
    auto reader = FileReader::OpenBuffer(testing::ReadWholeFile(path), path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    ReadOptions options;
    options.columns = {"add"};
    auto batch = (*reader)->Read(options);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    const ColumnVector& add = batch->columns[0];
    ASSERT_EQ(add.field.type.id, TypeId::kStruct) << path;
    const auto& fields = add.field.type.children;
    ASSERT_FALSE(fields.empty());
    EXPECT_EQ(fields[0].name, "path");
    int pv = -1;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == "partitionValues") pv = static_cast<int>(i);
    }
    ASSERT_GE(pv, 0) << path;
    EXPECT_EQ(fields[static_cast<size_t>(pv)].type.id, TypeId::kMap);
    for (size_t row = 0; row < add.size(); ++row) {
      if (!add.IsValid(row)) continue;
      const Value& v = add.As<Value>()[row];
      ASSERT_EQ(v.kind, Value::Kind::kStruct);
      EXPECT_EQ(v.children[0].kind, Value::Kind::kBytes) << path << " row " << row;
      EXPECT_FALSE(v.children[0].bytes.empty());
      const Value& map = v.children[static_cast<size_t>(pv)];
      EXPECT_TRUE(map.kind == Value::Kind::kMap || map.is_null());
      EXPECT_EQ(map.children.size() % 2, 0u);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace rs::parquet
