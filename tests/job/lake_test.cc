// Lake::ReadInput's progress (src/job/lake.cc): what an input read reports
// for its progress bar, for a Delta input and a folder of Parquet files.
#include "job/lake.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/calendar.h"
#include "job/job_test_lake.h"

namespace rs::job {
namespace {

using testing::NewMemoryLake;
using testing::WriteSampleInputs;

const std::vector<std::string> kColumns = {"date", "symbol", "close", "volume"};

// Every report of one read: the first before any file, then one per file
// read, each with the same totals, ending at them.
void ExpectEveryFileReported(const std::vector<delta::ScanProgress>& reports, int64_t files_read,
                             int64_t bytes) {
  ASSERT_EQ(reports.size(), static_cast<size_t>(files_read) + 1);
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].files_done, static_cast<int64_t>(i));
    EXPECT_EQ(reports[i].files_total, files_read);
    EXPECT_EQ(reports[i].bytes_total, bytes);
    if (i > 0) {
      EXPECT_GT(reports[i].bytes_done, reports[i - 1].bytes_done);
    }
  }
  EXPECT_EQ(reports.front().bytes_done, 0);
  EXPECT_EQ(reports.back().bytes_done, bytes);
}

// Issue 19: a Delta input's progress counts the files left after pruning by
// date, with the sizes the log records.
TEST(ReadInputProgressTest, Issue19DeltaInputReportsEveryFileOfThePrunedTotal) {
  Lake lake = NewMemoryLake("read-progress-delta");
  WriteSampleInputs(lake, 5);
  auto table = lake.OpenTable(lake.layout().market);
  ASSERT_TRUE(table.ok());
  auto snapshot = table->LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  int64_t bytes_2024 = 0;  // the files of 2024-01 .. 2024-03
  for (const delta::AddFile& f : snapshot->files) {
    if (f.partition_values.at("year_month")->starts_with("2024-")) bytes_2024 += f.size_bytes;
  }
  ASSERT_GT(bytes_2024, 0);

  std::vector<delta::ScanProgress> reports;
  InputReadInfo info;
  DateRange dates{*ParseDate("2024-01-01"), std::nullopt};
  auto rows = lake.ReadInput(lake.layout().market, kColumns, &info, dates, nullptr,
                             [&](const delta::ScanProgress& p) { reports.push_back(p); });
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(info.files_read, 3);
  EXPECT_EQ(info.files_total, static_cast<int64_t>(snapshot->files.size()));
  ExpectEveryFileReported(reports, info.files_read, bytes_2024);
}

// Issue 19: a folder of Parquet files (no Delta log) reports each file with
// the size its listing gives.
TEST(ReadInputProgressTest, Issue19ParquetFolderReportsEveryFileWithItsListedSize) {
  Lake lake = NewMemoryLake("read-progress-folder");
  WriteSampleInputs(lake, 5);
  storage::Storage& store = lake.job_store();
  auto entries = store.List("gold/market_daily/");
  ASSERT_TRUE(entries.ok());
  int64_t files = 0, bytes = 0;
  for (const storage::ObjectInfo& e : *entries) {
    if (!e.key.ends_with(".parquet") || e.key.find("_delta_log") != std::string::npos) continue;
    auto data = store.Get(e.key);
    ASSERT_TRUE(data.ok());
    ASSERT_TRUE(store.Put("plain/market/part-" + std::to_string(files) + ".parquet", *data).ok());
    ++files;
    bytes += static_cast<int64_t>(data->size());
  }
  ASSERT_GT(files, 1);

  std::vector<delta::ScanProgress> reports;
  InputReadInfo info;
  auto rows = lake.ReadInput("plain/market", kColumns, &info, {}, nullptr,
                             [&](const delta::ScanProgress& p) { reports.push_back(p); });
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(info.files_read, files);
  ExpectEveryFileReported(reports, files, bytes);
}

}  // namespace
}  // namespace rs::job
