// Scans of damaged tables (src/delta/scan.cc): what the error says about the
// data file that does not read.
#include <gtest/gtest.h>

#include "delta/table.h"

namespace rs::delta {
namespace {

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
    table_ = std::move(Table::Open(store_, "lake/t")).value();
    Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
    Field value{"value", DataType::Primitive(TypeId::kLong), false};
    RecordBatch b;
    b.schema = {ym, value};
    b.columns = {ColumnVector::Make(ym), ColumnVector::Make(value)};
    for (int64_t i = 0; i < 200; ++i) {
      b.columns[0].As<std::string>().push_back("2024-01");
      b.columns[1].As<int64_t>().push_back(i * 7919);
    }
    b.num_rows = 200;
    auto tx = table_->BeginOverwrite(b.schema, {"year_month"}, {"2024-01"}, {}).value();
    ASSERT_TRUE(tx.WritePartition("2024-01", b).ok());
    ASSERT_TRUE(tx.Commit().ok());
    snapshot_ = table_->LoadSnapshot().value();
    ASSERT_EQ(snapshot_.files.size(), 1u);
    key_ = table_->Key(snapshot_.files[0].path);
    bytes_ = store_->Get(key_).value();
  }

  std::shared_ptr<storage::Storage> store_;
  std::optional<Table> table_;
  Snapshot snapshot_;
  std::string key_, bytes_;
};

// Issue 10 (hostile input): a truncated data file read only as "bad magic
// (not Parquet)"; the size the log recorded says what happened.
TEST_F(ScanTest, Issue10TruncatedDataFileComparesItsSizeWithTheLog) {
  ASSERT_TRUE(store_->Put(key_, bytes_.substr(0, bytes_.size() / 2)).ok());
  auto b = table_->Scan(snapshot_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCorruption);
  EXPECT_NE(b.status().message().find("read " + key_ + ": "), std::string::npos)
      << b.status().message();
  std::string note = "(the file has " + std::to_string(bytes_.size() / 2) +
                     " bytes, the Delta log recorded " + std::to_string(bytes_.size()) +
                     ": truncated or replaced)";
  EXPECT_NE(b.status().message().find(note), std::string::npos) << b.status().message();
}

TEST_F(ScanTest, DamagedDataFileOfTheRecordedSizeHasNoSizeNote) {
  std::string damaged = bytes_;
  damaged.replace(damaged.size() - 4, 4, "XXXX");
  ASSERT_TRUE(store_->Put(key_, damaged).ok());
  auto b = table_->Scan(snapshot_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCorruption);
  EXPECT_NE(b.status().message().find("bad magic at end of file"), std::string::npos)
      << b.status().message();
  EXPECT_EQ(b.status().message().find("truncated or replaced"), std::string::npos)
      << b.status().message();
}

// Issue 19: a scan reports its progress over the files left after pruning:
// once before reading, then after every file, with the log's file sizes.
TEST(ScanProgressTest, Issue19ReportsEveryFileReadOfThePrunedTotal) {
  auto store = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
  Table table = std::move(Table::Open(store, "t")).value();
  Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
  Field value{"value", DataType::Primitive(TypeId::kLong), false};
  std::vector<std::string> months = {"2024-01", "2024-02", "2024-03"};
  auto tx = table.BeginOverwrite({ym, value}, {"year_month"}, months, {}).value();
  for (size_t m = 0; m < months.size(); ++m) {
    RecordBatch b;
    b.schema = {ym, value};
    b.columns = {ColumnVector::Make(ym), ColumnVector::Make(value)};
    for (size_t i = 0; i < 50 * (m + 1); ++i) {
      b.columns[0].As<std::string>().push_back(months[m]);
      b.columns[1].As<int64_t>().push_back(static_cast<int64_t>(i * 31 + m));
    }
    b.num_rows = 50 * (m + 1);
    ASSERT_TRUE(tx.WritePartition(months[m], b).ok());
  }
  ASSERT_TRUE(tx.Commit().ok());
  Snapshot snapshot = table.LoadSnapshot().value();
  ASSERT_EQ(snapshot.files.size(), 3u);
  int64_t bytes_02_03 = 0;
  for (const AddFile& f : snapshot.files) {
    if (f.partition_values.at("year_month") != "2024-01") bytes_02_03 += f.size_bytes;
  }
  ASSERT_GT(bytes_02_03, 0);

  ScanOptions options;
  options.ranges.push_back({"year_month", Value::Bytes("2024-02"), Value()});
  std::vector<ScanProgress> reports;
  options.on_progress = [&](const ScanProgress& p) { reports.push_back(p); };
  ScanStats stats;
  auto rows = table.Scan(snapshot, options, &stats);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->num_rows, 250u);
  ASSERT_EQ(reports.size(), 3u);  // planned, then one per file read
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].files_done, static_cast<int64_t>(i));
    EXPECT_EQ(reports[i].files_total, 2);
    EXPECT_EQ(reports[i].bytes_total, bytes_02_03);
  }
  EXPECT_EQ(reports[0].bytes_done, 0);
  EXPECT_GT(reports[1].bytes_done, 0);
  EXPECT_EQ(reports[2].bytes_done, bytes_02_03);
  EXPECT_EQ(reports[2].files_done, stats.files_read);
}

}  // namespace
}  // namespace rs::delta
