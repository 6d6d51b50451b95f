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

}  // namespace
}  // namespace rs::delta
