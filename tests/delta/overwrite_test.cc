// Partition overwrites refusing what Parquet and Delta cannot hold
// (src/delta/overwrite.cc).
#include <gtest/gtest.h>

#include "delta/table.h"

namespace rs::delta {
namespace {

RecordBatch Symbols(const std::vector<std::string>& symbols) {
  Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
  Field symbol{"symbol", DataType::Primitive(TypeId::kString), true};
  RecordBatch b;
  b.schema = {ym, symbol};
  b.columns = {ColumnVector::Make(ym), ColumnVector::Make(symbol)};
  for (const auto& s : symbols) {
    b.columns[0].As<std::string>().push_back("2024-01");
    b.columns[1].As<std::string>().push_back(s);
  }
  b.num_rows = symbols.size();
  return b;
}

// Issue 10 (hostile input): a symbol read from a damaged file was not UTF-8;
// the stats JSON of the new data file then threw from nlohmann::json and the
// job aborted with data files of earlier months left behind.
TEST(OverwriteTest, Issue10StringsThatAreNotUtf8AreRefusedBeforeWriting) {
  auto store = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
  auto table = std::move(Table::Open(store, "t")).value();
  RecordBatch batch = Symbols({"AAPL", "Z\xC3\xBCrich", "\xAC\x41"});
  auto tx = table->BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
  Status s = tx->WritePartition("2024-01", batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "overwrite year_month=2024-01: column symbol row 2: not UTF-8 (byte 0xAC at offset "
            "0); strings must be UTF-8");
  EXPECT_TRUE(store->List("t/").value().empty());  // no data file written

  EXPECT_TRUE(tx->Abandon().ok());
  auto part = table->BeginOverwrite(batch.schema, {"year_month"}, {"2024-01", "2024-0\xFF"}, {});
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(part.status().message(),
            "begin overwrite of t: a partition value is not UTF-8 (byte 0xFF at offset 6)");

  // Valid UTF-8, including non-ASCII, is written and read back unchanged.
  auto ok = table->BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
  ASSERT_TRUE(ok->WritePartition("2024-01", Symbols({"AAPL", "Z\xC3\xBCrich"})).ok());
  ASSERT_TRUE(ok->Commit().ok());
  auto rows = table->Scan(table->LoadSnapshot().value()).value();
  EXPECT_EQ(rows.columns[1].As<std::string>(), (std::vector<std::string>{"AAPL", "Z\xC3\xBCrich"}));
}

}  // namespace
}  // namespace rs::delta
