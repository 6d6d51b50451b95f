// Months computed and written by several workers at once (src/job/run.cc):
// the output is the serial run's, file for file and row for row.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "delta/row_json.h"
#include "delta/table.h"
#include "job/job_test_lake.h"
#include "job/run.h"

namespace rs::job {
namespace {

using testing::NewMemoryLake;
using testing::TestLog;
using testing::WriteSampleInputs;

struct RunOutcome {
  Status status;
  JobReport report;
  std::string log;
};

RunOutcome RunWithThreads(const Lake& lake, const std::string& months, int threads,
                          const StopFlag* stop = nullptr) {
  TestLog log;
  JobRequest req;
  req.options.compute.threads = threads;
  req.months_spec = months;
  req.run_id = "run-parallel-test";
  req.stop = stop;
  RunOutcome out;
  out.status = RunJob(lake, req, log.log, &out.report);
  out.log = log.text.str();
  return out;
}

// What a table holds: data files per partition, the rows as JSON in scan
// order, and the number of commits.
struct TableContent {
  std::map<std::string, int> files_per_month;
  std::vector<std::string> rows;
  int64_t version = -1;
};

TableContent ContentOf(const Lake& lake, const std::string& path) {
  TableContent out;
  auto table = lake.OpenTable(path);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return out;
  auto snapshot = table->LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return out;
  out.version = snapshot->version;
  for (const auto& f : snapshot->files) {
    ++out.files_per_month[f.partition_values.at("year_month").value_or("null")];
  }
  auto rows = table->Scan(*snapshot);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return out;
  for (size_t r = 0; r < rows->num_rows; ++r) out.rows.push_back(delta::RowToJson(*rows, r));
  return out;
}

// The same sample inputs in two lakes, `months` run on one with one thread
// and on the other with four.
struct OneAndFour {
  Lake serial;
  Lake parallel;
  RunOutcome one;
  RunOutcome four;
};

OneAndFour RunWithOneAndFourThreads(const std::string& name, const std::string& months) {
  OneAndFour r{NewMemoryLake("serial" + name), NewMemoryLake("parallel" + name), {}, {}};
  WriteSampleInputs(r.serial);
  WriteSampleInputs(r.parallel);
  r.one = RunWithThreads(r.serial, months, 1);
  r.four = RunWithThreads(r.parallel, months, 4);
  return r;
}

std::vector<std::string> TablesOf(const Lake& lake) {
  return {lake.layout().rankings, lake.layout().signals, lake.layout().composite};
}

// Issue 18, item 1: one worker and four write the same files per partition,
// the same rows in the same order and one commit per table.
TEST(RunParallelTest, SeveralWorkersWriteWhatOneWrites) {
  auto [serial, parallel, one, four] = RunWithOneAndFourThreads("", "2023-10..2024-03");
  ASSERT_TRUE(one.status.ok()) << one.status.ToString() << "\n" << one.log;
  ASSERT_TRUE(four.status.ok()) << four.status.ToString() << "\n" << four.log;

  ASSERT_EQ(four.report.rows.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(four.report.rows[i].month, four.report.months[i]);  // month order
    EXPECT_EQ(four.report.rows[i].rankings, one.report.rows[i].rankings);
    EXPECT_EQ(four.report.rows[i].signals, one.report.rows[i].signals);
    EXPECT_EQ(four.report.rows[i].composite, one.report.rows[i].composite);
  }
  ASSERT_EQ(four.report.commits.size(), 3u);
  for (const std::string& path : TablesOf(serial)) {
    TableContent a = ContentOf(serial, path);
    TableContent b = ContentOf(parallel, path);
    EXPECT_EQ(a.version, 0) << path;  // one commit
    EXPECT_EQ(b.version, 0) << path;
    EXPECT_EQ(b.files_per_month.size(), 6u) << path;
    EXPECT_EQ(a.files_per_month, b.files_per_month) << path;
    EXPECT_FALSE(a.rows.empty()) << path;
    EXPECT_EQ(a.rows, b.rows) << path;
  }
  // Every month is logged once.
  size_t lines = 0;
  for (size_t at = four.log.find("month written"); at != std::string::npos;
       at = four.log.find("month written", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 6u) << four.log;
}

// A single month gets every thread for the engine: the same output as with
// one thread.
TEST(RunParallelTest, OneMonthWithSeveralThreadsWritesWhatOneThreadWrites) {
  auto [serial, parallel, one, four] = RunWithOneAndFourThreads("-one", "latest");
  ASSERT_TRUE(one.status.ok()) << one.status.ToString();
  ASSERT_TRUE(four.status.ok()) << four.status.ToString();
  for (const std::string& path : TablesOf(serial)) {
    TableContent a = ContentOf(serial, path);
    TableContent b = ContentOf(parallel, path);
    EXPECT_EQ(a.files_per_month, b.files_per_month) << path;
    EXPECT_EQ(a.rows, b.rows) << path;
    EXPECT_EQ(b.version, 0) << path;
  }
}

// A stop requested before the run: no month is handed out, the first is
// named, and no table is created.
TEST(RunParallelTest, AStopWithSeveralWorkersCommitsNothing) {
  Lake lake = NewMemoryLake("stopped");
  WriteSampleInputs(lake);
  StopFlag stop;
  stop.Request(15);  // SIGTERM
  RunOutcome run = RunWithThreads(lake, "2023-10..2024-03", 4, &stop);
  EXPECT_EQ(run.status.code(), StatusCode::kCancelled) << run.status.ToString();
  EXPECT_NE(run.status.message().find("before month 2023-10 was computed: nothing was committed"),
            std::string::npos)
      << run.status.ToString();
  EXPECT_TRUE(run.report.rows.empty());
  EXPECT_TRUE(run.report.commits.empty());
  for (const std::string& path : TablesOf(lake)) {
    auto table = lake.OpenTable(path);
    ASSERT_TRUE(table.ok());
    EXPECT_FALSE(table->LoadSnapshot().ok()) << path;
  }
}

}  // namespace
}  // namespace rs::job
