// The job layer driven directly, without the binary: run against a lake in
// the in-memory store.
#include "job/run.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "job/job_test_lake.h"

namespace rs::job {
namespace {

using testing::NewMemoryLake;
using testing::TestLog;
using testing::WriteSampleInputs;

struct TableFiles {
  int64_t rows = 0;
  int64_t bytes = 0;
  std::vector<std::string> paths;
};

TableFiles FilesOf(const Lake& lake, const std::string& path) {
  TableFiles out;
  auto table = lake.OpenTable(path);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  auto snapshot = (*table)->LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  for (const auto& f : snapshot->files) {
    out.rows += f.num_records.value_or(0);
    out.bytes += f.size_bytes;
    out.paths.push_back(f.path);
  }
  return out;
}

JobReport RunMonths(const Lake& lake, const std::string& months, const JobOptions& options) {
  TestLog log;
  JobRequest req;
  req.options = options;
  req.months_spec = months;
  req.run_id = "run-test";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << log.text.str();
  return report;
}

TEST(RunJobTest, WritesTheTargetMonthsOfAllThreeTablesWithoutReplication) {
  Lake lake = NewMemoryLake("run");
  WriteSampleInputs(lake);
  JobReport report = RunMonths(lake, "2024-01..2024-03", JobOptions{});
  EXPECT_EQ(report.months, (std::vector<std::string>{"2024-01", "2024-02", "2024-03"}));
  ASSERT_EQ(report.commits.size(), 3u);
  EXPECT_FALSE(report.replication_ran);
  int64_t rankings = 0, signals = 0, composite = 0;
  for (const auto& r : report.rows) {
    rankings += r.rankings;
    signals += r.signals;
    composite += r.composite;
  }
  EXPECT_GT(composite, 0);
  EXPECT_EQ(FilesOf(lake, lake.layout().rankings).rows, rankings);
  EXPECT_EQ(FilesOf(lake, lake.layout().signals).rows, signals);
  EXPECT_EQ(FilesOf(lake, lake.layout().composite).rows, composite);
}

TEST(RunJobTest, CompressionAndRowGroupOptionsReachTheDataFiles) {
  Lake none_lake = NewMemoryLake("codec-none");
  Lake zstd_lake = NewMemoryLake("codec-zstd");
  WriteSampleInputs(none_lake);
  WriteSampleInputs(zstd_lake);
  JobOptions none;
  none.output.compression = parquet::Compression::kNone;
  JobOptions zstd;
  zstd.output.compression = parquet::Compression::kZstd;
  zstd.output.row_group_bytes = 4096;  // many small row groups
  RunMonths(none_lake, "2024-02", none);
  RunMonths(zstd_lake, "2024-02", zstd);
  for (const std::string* path : {&none_lake.layout().rankings, &none_lake.layout().signals,
                                  &none_lake.layout().composite}) {
    TableFiles plain = FilesOf(none_lake, *path);
    TableFiles packed = FilesOf(zstd_lake, *path);
    ASSERT_FALSE(plain.paths.empty());
    EXPECT_EQ(plain.rows, packed.rows) << *path;
    for (const auto& p : plain.paths) {
      EXPECT_TRUE(p.ends_with(".c000.parquet")) << p;
    }
    for (const auto& p : packed.paths) EXPECT_TRUE(p.ends_with(".c000.zstd.parquet")) << p;
    EXPECT_LT(packed.bytes, plain.bytes) << *path;
  }
}

TEST(RunJobTest, AMalformedWeightIsAnErrorBeforeAnythingIsWritten) {
  Lake lake = NewMemoryLake("weights");
  WriteSampleInputs(lake);
  TestLog log;
  JobRequest req;
  req.options.compute.weights_json = "{\"Momentum_60D\": \"heavy\"}";
  req.months_spec = "2024-01";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("RANKING_COMPOSITE_STRATEGY_WEIGHTS"), std::string::npos)
      << s.message();
  auto has_log = lake.HasDeltaLog(lake.layout().signals);
  ASSERT_TRUE(has_log.ok());
  EXPECT_FALSE(*has_log);
}

}  // namespace
}  // namespace rs::job
