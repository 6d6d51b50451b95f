// run, verify and sync driven through the job layer against a real
// PostgreSQL (the ctest fixture): every state verify reports, sync heals.
#include <gtest/gtest.h>

#include "job/job_test_lake.h"
#include "job/run.h"
#include "job/sync.h"
#include "job/verify.h"
#include "postgres/pg_test_db.h"

namespace rs::job {
namespace {

using postgres::testing::MigrationsDir;
using postgres::testing::TestDatabase;
using testing::NewMemoryLake;
using testing::TestLog;
using testing::WriteSampleInputs;

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrated = postgres::Migrate(db_.options(), MigrationsDir());
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    WriteSampleInputs(lake_);
    options_.replication.dsn = db_.dsn();
  }

  Status Run(const std::string& months) {
    JobRequest req;
    req.options = options_;
    req.months_spec = months;
    req.run_id = "run-" + months;
    JobReport report;
    return RunJob(lake_, req, log_.log, &report);
  }

  std::map<std::string, MonthState> States() {
    auto checks = VerifyMonths(lake_, "all", options_.replication, log_.log);
    EXPECT_TRUE(checks.ok()) << checks.status().ToString();
    std::map<std::string, MonthState> out;
    for (const auto& c : *checks) out[c.month] = c.state;
    return out;
  }

  SyncReport Sync(const std::string& months = "") {
    SyncRequest req;
    req.months_spec = months;
    req.run_id = "sync";
    SyncReport report;
    Status s = SyncMonths(lake_, req, options_.replication, log_.log, &report);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << log_.text.str();
    return report;
  }

  TestDatabase db_{"job_sync"};
  Lake lake_ = NewMemoryLake("sync");
  JobOptions options_;
  TestLog log_;
};

TEST_F(SyncTest, RunReplicatesAndEveryMonthVerifiesInSync) {
  ASSERT_TRUE(Run("2024-01..2024-03").ok()) << log_.text.str();
  auto states = States();
  ASSERT_EQ(states.size(), 3u);
  for (const auto& [month, state] : states) EXPECT_EQ(state, MonthState::kInSync) << month;
  EXPECT_TRUE(Sync().months.empty());
}

TEST_F(SyncTest, SyncHealsMissingDriftedAndStaleMonths) {
  ASSERT_TRUE(Run("2024-01..2024-03").ok()) << log_.text.str();
  db_.Value("DELETE FROM ranking.ranking_signal WHERE year_month = '2024-01'");
  db_.Value("DELETE FROM ranking.composite_signal_daily WHERE year_month = '2024-01'");
  db_.Value("UPDATE ranking.composite_signal_daily SET composite_rank = composite_rank + 1 "
            "WHERE year_month = '2024-02'");
  db_.Value("DELETE FROM ranking.signal_sync_state WHERE year_month = '2024-03'");
  auto states = States();
  EXPECT_EQ(states["2024-01"], MonthState::kMissing);
  EXPECT_EQ(states["2024-02"], MonthState::kDrifted);
  EXPECT_EQ(states["2024-03"], MonthState::kStale);
  SyncReport report = Sync();
  EXPECT_EQ(report.months, (std::vector<std::string>{"2024-01", "2024-02", "2024-03"}));
  EXPECT_TRUE(report.still_out_of_sync.empty());
  for (const auto& [month, state] : States()) EXPECT_EQ(state, MonthState::kInSync) << month;
}

// Issue 22, item 2: a month whose Delta partition became empty while
// PostgreSQL was unreachable is "in PostgreSQL but not in Delta"; sync
// removes the served rows instead of calling every month in sync.
TEST_F(SyncTest, Issue22SyncHealsAMonthWhosePartitionIsNowEmpty) {
  ASSERT_TRUE(Run("2024-01..2024-02").ok()) << log_.text.str();
  // Replace 2024-02 of both derived tables with nothing, as a rerun on an
  // input without rankable rows does, without replicating it.
  for (const std::string* path : {&lake_.layout().signals, &lake_.layout().composite}) {
    auto table = lake_.OpenTable(*path);
    ASSERT_TRUE(table.ok());
    auto snap = table->LoadSnapshot();
    ASSERT_TRUE(snap.ok());
    auto tx = table->BeginOverwrite(snap->metadata.schema, {"year_month"}, {"2024-02"}, {});
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(States()["2024-02"], MonthState::kDrifted);
  SyncReport report = Sync();
  EXPECT_EQ(report.months, (std::vector<std::string>{"2024-02"}));
  EXPECT_EQ(db_.Value("SELECT count(*) FROM ranking.ranking_signal WHERE year_month = '2024-02'"),
            "0");
  for (const auto& [month, state] : States()) EXPECT_EQ(state, MonthState::kInSync) << month;
}

TEST_F(SyncTest, GivenMonthsAreReplicatedWhateverTheirState) {
  ASSERT_TRUE(Run("2024-01..2024-02").ok()) << log_.text.str();
  SyncReport report = Sync("2024-02");
  EXPECT_EQ(report.months, (std::vector<std::string>{"2024-02"}));
  ASSERT_EQ(report.replication.size(), 1u);
  EXPECT_TRUE(report.replication[0].ok);
  EXPECT_EQ(db_.Value("SELECT run_id FROM ranking.signal_sync_state WHERE year_month = '2024-02'"),
            "sync");
}

// Issue 22, item 3: months of years outside 1000-2999 were not recognised in
// the Delta history, so after rerunning one month every other month was
// reported stale, and sync could not clear them.
TEST_F(SyncTest, Issue22MonthsOfFarYearsStayInSyncAfterRerunningOne) {
  Lake far = NewMemoryLake("far-years");
  WriteSampleInputs(far, 8, "9997-01-01", "9997-04-30");
  lake_ = std::move(far);
  ASSERT_TRUE(Run("all").ok()) << log_.text.str();
  ASSERT_TRUE(Run("9997-03").ok()) << log_.text.str();
  auto states = States();
  ASSERT_EQ(states.size(), 4u);
  for (const auto& [month, state] : states) EXPECT_EQ(state, MonthState::kInSync) << month;
  EXPECT_TRUE(Sync().months.empty());
}

// Issue 23: after the lake was recreated, every month was skipped because
// the ledger held higher versions of the old tables; verify then reported
// drift forever. A different table identity is a new source: replaced.
TEST_F(SyncTest, Issue23ANewLakeReplacesMonthsInsteadOfSkippingThem) {
  ASSERT_TRUE(Run("2024-01..2024-03").ok()) << log_.text.str();
  ASSERT_TRUE(Run("2024-02").ok());  // the ledger now holds version 2 for 2024-02
  Lake recreated = NewMemoryLake("recreated");
  WriteSampleInputs(recreated, 9);  // other rows, tables at version 0
  lake_ = std::move(recreated);
  JobRequest req;
  req.options = options_;
  req.months_spec = "2024-02";
  req.run_id = "run-new-lake";
  JobReport report;
  ASSERT_TRUE(RunJob(lake_, req, log_.log, &report).ok()) << log_.text.str();
  ASSERT_EQ(report.replication.size(), 1u);
  EXPECT_FALSE(report.replication[0].skipped) << report.replication[0].skip_reason;
  EXPECT_TRUE(report.replication[0].source_changed);
  EXPECT_NE(log_.text.str().find("the rows served came from other Delta tables"),
            std::string::npos);
  EXPECT_EQ(States()["2024-02"], MonthState::kInSync);
}

// Issue 23: `sync --force` replaces months whatever the ledger records.
TEST_F(SyncTest, Issue23ForceReplacesAMonthTheLedgerWouldSkip) {
  ASSERT_TRUE(Run("2024-01..2024-02").ok()) << log_.text.str();
  db_.Value("UPDATE ranking.signal_sync_state SET signals_delta_version = 99, "
            "composite_delta_version = 99 WHERE year_month = '2024-02'");
  SyncReport plain = Sync("2024-02");
  ASSERT_EQ(plain.replication.size(), 1u);
  EXPECT_TRUE(plain.replication[0].skipped);
  EXPECT_EQ(plain.still_out_of_sync, (std::vector<std::string>{"2024-02"}));
  SyncRequest req;
  req.months_spec = "2024-02";
  req.run_id = "forced";
  req.force = true;
  SyncReport forced;
  ASSERT_TRUE(SyncMonths(lake_, req, options_.replication, log_.log, &forced).ok());
  ASSERT_EQ(forced.replication.size(), 1u);
  EXPECT_FALSE(forced.replication[0].skipped);
  EXPECT_TRUE(forced.still_out_of_sync.empty());
  EXPECT_EQ(db_.Value("SELECT run_id FROM ranking.signal_sync_state WHERE year_month = '2024-02'"),
            "forced");
}

}  // namespace
}  // namespace rs::job
