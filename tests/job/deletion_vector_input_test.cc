// Issue 21: a market_daily written with deletion vectors (as Spark on
// Databricks writes it) gives the job the same rankings and ranking_signals
// as a plain table holding only the rows the DVs keep.
#include <gtest/gtest.h>

#include <algorithm>

#include "delta/batch_internal.h"
#include "delta/dv_test_writer.h"
#include "delta/row_json.h"
#include "job/job_test_lake.h"
#include "job/run.h"
#include "parquet/reader.h"

namespace rs::job {
namespace {

using testing::NewMemoryLake;
using testing::TestLog;
using testing::WriteSampleInputs;

// The rows of a table's latest snapshot, as sorted JSON lines.
std::vector<std::string> SortedRows(const Lake& lake, const std::string& path) {
  std::vector<std::string> rows;
  auto table = lake.OpenTable(path);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  auto snapshot = table->LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  Status s = table->ScanEach(*snapshot, {}, [&rows](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows; ++i) rows.push_back(delta::RowToJson(b, i));
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::sort(rows.begin(), rows.end());
  return rows;
}

void RunThreeMonths(const Lake& lake) {
  TestLog log;
  JobRequest req;
  req.months_spec = "2024-01..2024-03";
  req.run_id = "run-dv";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << log.text.str();
}

// Whether row `i` of a data file is deleted: about 3% of rows, spread over
// every file and row group.
bool Deleted(int64_t i) { return i % 33 == 7; }

TEST(DeletionVectorInputTest, Issue21JobOutputEqualsARunOnTheKeptRows) {
  Lake with_dv = NewMemoryLake("dv");
  Lake plain = NewMemoryLake("dv-plain");
  WriteSampleInputs(with_dv);
  WriteSampleInputs(plain);
  auto market = with_dv.OpenTable(with_dv.layout().market).value();
  delta::Snapshot s = market.LoadSnapshot().value();
  ASSERT_GT(s.files.size(), 2u);
  auto plain_market = plain.OpenTable(plain.layout().market).value();
  std::vector<std::string> months;
  for (const auto& f : s.files) months.push_back(f.partition_values.at("year_month").value());
  auto tx = plain_market.BeginOverwrite(s.metadata.schema, s.metadata.partition_columns, months, {})
                .value();
  std::map<std::string, delta::DeletionVectorDescriptor> dvs;
  delta::testing::DvFile dv_file(7, "dv");
  int64_t total = 0, deleted = 0;
  for (size_t n = 0; n < s.files.size(); ++n) {
    const delta::AddFile& f = s.files[n];
    // The kept rows, read from the data file itself (not through the DV reader).
    auto reader = parquet::FileReader::Open(market.shared_store(), market.Key(f.path)).value();
    RecordBatch rows = reader->Read().value();
    std::vector<uint64_t> del;
    std::vector<uint8_t> keep(rows.num_rows, 1);
    for (size_t i = 0; i < rows.num_rows; ++i) {
      if (Deleted(static_cast<int64_t>(i))) {
        del.push_back(i);
        keep[i] = 0;
      }
    }
    total += static_cast<int64_t>(rows.num_rows);
    deleted += static_cast<int64_t>(del.size());
    // Files alternate between one shared DV file and inline DVs.
    dvs[f.path] = n % 2 == 0 ? dv_file.Add(del) : delta::testing::InlineDv(del);
    RecordBatch kept;
    kept.schema = rows.schema;
    for (ColumnVector& col : rows.columns) {
      delta::FilterColumn(&col, keep);
      kept.columns.push_back(std::move(col));
    }
    kept.num_rows = rows.num_rows - del.size();
    ASSERT_TRUE(tx.WritePartition(f.partition_values.at("year_month").value(), kept).ok());
  }
  ASSERT_TRUE(tx.Commit().ok());
  ASSERT_TRUE(dv_file.WriteTo(market).ok());
  ASSERT_TRUE(delta::testing::CommitDeletionVectors(market, dvs).ok());

  auto input = with_dv.ReadInput(with_dv.layout().market, {"date", "symbol"}, nullptr);
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(input->num_rows), total - deleted);
  EXPECT_GT(deleted, 0);
  EXPECT_EQ(SortedRows(with_dv, with_dv.layout().market), SortedRows(plain, plain.layout().market));

  RunThreeMonths(with_dv);
  RunThreeMonths(plain);
  for (const auto& path : {with_dv.layout().rankings, with_dv.layout().signals}) {
    std::vector<std::string> got = SortedRows(with_dv, path);
    EXPECT_FALSE(got.empty()) << path;
    EXPECT_EQ(got, SortedRows(plain, path)) << path;
  }
}

}  // namespace
}  // namespace rs::job
