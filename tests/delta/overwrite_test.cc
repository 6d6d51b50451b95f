// Partition overwrites refusing what Parquet and Delta cannot hold
// (src/delta/overwrite.cc).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

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
  auto tx = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
  Status s = tx.WritePartition("2024-01", batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "overwrite year_month=2024-01: column symbol row 2: not UTF-8 (byte 0xAC at offset "
            "0); strings must be UTF-8");
  EXPECT_TRUE(store->List("t/").value().empty());  // no data file written

  EXPECT_TRUE(tx.Abandon().ok());
  auto part = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01", "2024-0\xFF"}, {});
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(part.status().message(),
            "begin overwrite of t: a partition value is not UTF-8 (byte 0xFF at offset 6)");

  // Valid UTF-8, including non-ASCII, is written and read back unchanged.
  auto ok = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
  ASSERT_TRUE(ok.WritePartition("2024-01", Symbols({"AAPL", "Z\xC3\xBCrich"})).ok());
  ASSERT_TRUE(ok.Commit().ok());
  auto rows = table.Scan(table.LoadSnapshot().value()).value();
  EXPECT_EQ(rows.columns[1].As<std::string>(), (std::vector<std::string>{"AAPL", "Z\xC3\xBCrich"}));
}

// Issue 24: lifetimes as types. The transaction is a move-only value holding
// its own Table, finished only by Commit() or Abandon().

std::shared_ptr<storage::Storage> NewStore() {
  return std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
}

std::vector<std::string> Keys(storage::Storage& store, const std::string& prefix) {
  std::vector<std::string> keys;
  auto listed = store.List(prefix);
  for (const auto& o : listed.value()) keys.push_back(o.key);
  return keys;
}

TEST(OverwriteTest, Issue24TransactionMovesAndOutlivesTheTableItWasBegunFrom) {
  auto store = NewStore();
  RecordBatch batch = Symbols({"AAPL", "MSFT"});
  std::optional<OverwriteTransaction> kept;
  {
    Table table = Table::Open(store, "t").value();
    OverwriteTransaction tx =
        table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
    kept.emplace(std::move(tx));
    EXPECT_TRUE(tx.finished());  // moved from: nothing left to finish
    EXPECT_EQ(tx.Commit().status().code(), StatusCode::kFailedPrecondition);
  }  // the Table is gone; the transaction has its own copy
  ASSERT_TRUE(kept->WritePartition("2024-01", batch).ok());
  auto outcome = kept->Commit();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->version, 0);
  EXPECT_TRUE(kept->finished());
  Table copy = Table::Open(store, "t").value();
  Table again = copy;  // a copyable value: both see the same table
  EXPECT_EQ(again.LoadSnapshot().value().files.size(), 1u);
}

TEST(OverwriteTest, Issue24AbandonDeletesTheWrittenFilesAndFinishes) {
  auto store = NewStore();
  Table table = Table::Open(store, "t").value();
  RecordBatch batch = Symbols({"AAPL"});
  auto tx = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
  ASSERT_TRUE(tx.WritePartition("2024-01", batch).ok());
  ASSERT_TRUE(tx.WritePartition("2024-01", batch).ok());
  EXPECT_EQ(Keys(*store, "t/").size(), 2u);
  EXPECT_FALSE(tx.finished());
  ASSERT_TRUE(tx.Abandon().ok());
  EXPECT_TRUE(tx.finished());
  EXPECT_TRUE(Keys(*store, "t/").empty());
  EXPECT_TRUE(tx.Abandon().ok());  // already finished: nothing to do
  EXPECT_EQ(tx.Commit().status().message(), "commit: transaction already finished");
}

std::vector<std::string>* unfinished_seen = nullptr;

TEST(OverwriteTest, Issue24DestructorOfAnUnfinishedTransactionDoesNoIoAndIsReported) {
  std::vector<std::string> seen;
  unfinished_seen = &seen;
  auto previous = internal::SetUnfinishedTransactionHook(
      [](const std::string& root) { unfinished_seen->push_back(root); });
  auto store = NewStore();
  Table table = Table::Open(store, "lake/t").value();
  RecordBatch batch = Symbols({"AAPL"});
  {
    auto tx = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
    ASSERT_TRUE(tx.WritePartition("2024-01", batch).ok());
  }  // neither Commit() nor Abandon()
  EXPECT_EQ(seen, (std::vector<std::string>{"lake/t"}));
  EXPECT_EQ(Keys(*store, "lake/t/").size(), 1u);  // the destructor deleted nothing
  {
    auto committed = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
    ASSERT_TRUE(committed.Commit().ok());
    auto abandoned = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
    ASSERT_TRUE(abandoned.Abandon().ok());
    auto replaced = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value();
    ASSERT_TRUE(replaced.Abandon().ok());
    replaced = std::move(abandoned);  // assigning over a finished one is fine
  }
  EXPECT_EQ(seen.size(), 1u);  // finished transactions are not reported
  internal::SetUnfinishedTransactionHook(previous);
  unfinished_seen = nullptr;
}

#ifndef NDEBUG
TEST(OverwriteDeathTest, Issue24DestructorAssertsWithoutCommitOrAbandon) {
  auto store = NewStore();
  Table table = Table::Open(store, "t").value();
  RecordBatch batch = Symbols({"AAPL"});
  EXPECT_DEATH(
      { auto tx = table.BeginOverwrite(batch.schema, {"year_month"}, {"2024-01"}, {}).value(); },
      "OverwriteTransaction needs Commit\\(\\) or Abandon\\(\\)");
}
#endif

}  // namespace
}  // namespace rs::delta
