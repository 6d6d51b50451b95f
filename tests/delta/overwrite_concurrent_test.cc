// Concurrent WritePartition() calls on one overwrite transaction
// (src/delta/overwrite.cc): the job writes several months at once.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "delta/table.h"

namespace rs::delta {
namespace {

RecordBatch Rows(const std::string& month, int count) {
  Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
  Field id{"id", DataType::Primitive(TypeId::kLong), true};
  RecordBatch b;
  b.schema = {ym, id};
  b.columns = {ColumnVector::Make(ym), ColumnVector::Make(id)};
  for (int i = 0; i < count; ++i) {
    b.columns[0].As<std::string>().push_back(month);
    b.columns[1].As<int64_t>().push_back(i);
  }
  b.num_rows = static_cast<size_t>(count);
  return b;
}

// The add actions of commit `version`, as (partition value, path) in log order.
std::vector<std::pair<std::string, std::string>> AddsOf(storage::Storage& store, int64_t version) {
  std::vector<std::pair<std::string, std::string>> adds;
  auto text = store.Get(fmt::format("t/_delta_log/{:020d}.json", version));
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  std::istringstream lines(text.ok() ? *text : "");
  for (std::string line; std::getline(lines, line);) {
    auto action = nlohmann::json::parse(line);
    if (!action.contains("add")) continue;
    adds.emplace_back(action["add"]["partitionValues"]["year_month"].get<std::string>(),
                      action["add"]["path"].get<std::string>());
  }
  return adds;
}

// Twelve partitions, two files each, written from four threads in whatever
// order they get to them: every file is in the commit, in the order
// (partition, then write order within the partition), and every row reads back.
TEST(OverwriteConcurrentTest, ConcurrentWritesOfDistinctPartitionsCommitEveryFileInOrder) {
  auto store = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
  Table table = Table::Open(store, "t").value();
  std::vector<std::string> months;
  for (int m = 1; m <= 12; ++m) months.push_back(fmt::format("2024-{:02d}", m));
  auto tx = table.BeginOverwrite(Rows("2024-01", 0).schema, {"year_month"}, months, {}).value();
  // Later months first: the order the writes finish in is not the month order.
  Status written = ParallelFor(months.size(), ParallelOptions{4}, [&](size_t i) -> Status {
    const std::string& month = months[months.size() - 1 - i];
    RS_RETURN_IF_ERROR(tx.WritePartition(month, Rows(month, 100 + static_cast<int>(i))));
    return tx.WritePartition(month, Rows(month, 1));
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  auto outcome = tx.Commit();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->num_added, 24);

  auto adds = AddsOf(*store, outcome->version);
  ASSERT_EQ(adds.size(), 24u);
  for (size_t i = 0; i < adds.size(); ++i) {
    EXPECT_EQ(adds[i].first, months[i / 2]) << i;
    EXPECT_TRUE(adds[i].second.starts_with(
        fmt::format("year_month={}/part-{:05d}-", months[i / 2], static_cast<int>(i % 2))))
        << adds[i].second;
  }
  auto rows = table.Scan(table.LoadSnapshot().value());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  size_t expected = 0;
  for (size_t i = 0; i < months.size(); ++i) expected += 100 + i + 1;
  EXPECT_EQ(rows->num_rows, expected);
}

// A failed write among concurrent ones: Abandon() deletes every file the
// others wrote, and nothing is committed.
TEST(OverwriteConcurrentTest, AbandonAfterConcurrentWritesDeletesEveryFile) {
  auto store = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
  Table table = Table::Open(store, "t").value();
  std::vector<std::string> months = {"2024-01", "2024-02", "2024-03", "2024-04"};
  auto tx = table.BeginOverwrite(Rows("2024-01", 0).schema, {"year_month"}, months, {}).value();
  Status written = ParallelFor(6, ParallelOptions{3, ErrorPolicy::kRunAll}, [&](size_t i) {
    // Items 4 and 5 write a partition the transaction does not replace.
    std::string month = i < 4 ? months[i] : "2025-0" + std::to_string(i);
    return tx.WritePartition(month, Rows(month, 10));
  });
  EXPECT_EQ(written.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(written.message().find("year_month=2025-04"), std::string::npos) << written.ToString();
  ASSERT_TRUE(tx.Abandon().ok());
  auto listed = store->List("t/");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace rs::delta
