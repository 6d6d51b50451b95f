// Classify: the state of a month from what Delta, PostgreSQL and the ledger
// hold. Pure, so every branch is checked here without a database.
#include "job/verify.h"

#include <gtest/gtest.h>

namespace rs::job {
namespace {

struct Case {
  MonthCheck m;
  postgres::MonthStats pg;
  std::optional<postgres::LedgerRow> ledger;
  std::string delta_sig = "111", delta_comp = "222";

  Case() {
    m.month = "2024-03";
    m.delta_signals_rows = 10;
    m.delta_composite_rows = 2;
    m.delta_version = 5;
    pg.signals_rows = 10;
    pg.composite_rows = 2;
    pg.signals_checksum = "111";
    pg.composite_checksum = "222";
    postgres::LedgerRow row;
    row.year_month = "2024-03";
    row.status = "success";
    row.signals_delta_version = 5;
    row.signals_checksum = "111";
    row.composite_checksum = "222";
    ledger = row;
  }
  MonthCheck Run() {
    Classify(m, delta_sig, delta_comp, pg, ledger ? &*ledger : nullptr);
    return m;
  }
};

TEST(ClassifyTest, SameRowsAndACurrentSuccessfulLedgerAreInSync) {
  EXPECT_EQ(Case().Run().state, MonthState::kInSync);
}

TEST(ClassifyTest, RowsOnlyInDeltaAreMissing) {
  Case c;
  c.pg = postgres::MonthStats{};
  EXPECT_EQ(c.Run().state, MonthState::kMissing);
}

TEST(ClassifyTest, RowsOnlyInPostgresAreDrifted) {
  Case c;
  c.m.delta_signals_rows = c.m.delta_composite_rows = 0;
  MonthCheck m = c.Run();
  EXPECT_EQ(m.state, MonthState::kDrifted);
  EXPECT_EQ(m.detail, "in PostgreSQL but not in Delta");
}

TEST(ClassifyTest, OtherValuesThanTheLedgerRecordsAreDrifted) {
  Case c;
  c.pg.signals_checksum = "999";
  MonthCheck m = c.Run();
  EXPECT_EQ(m.state, MonthState::kDrifted);
  EXPECT_EQ(m.detail, "values differ (content checksums)");
  c = Case();
  c.pg.signals_rows = 9;
  EXPECT_EQ(c.Run().detail, "row counts differ");
}

TEST(ClassifyTest, ServedRowsOfAnOlderVersionAreStale) {
  Case c;
  c.m.delta_version = 7;  // Delta moved on, PostgreSQL holds what the ledger says
  c.pg.signals_checksum = "100";
  c.ledger->signals_checksum = "100";
  MonthCheck m = c.Run();
  EXPECT_EQ(m.state, MonthState::kStale);
  EXPECT_EQ(m.detail, "PostgreSQL holds Delta version 5, Delta is at 7");
}

TEST(ClassifyTest, SameRowsButNoOrAFailedOrAnOldLedgerRowAreStale) {
  Case c;
  c.ledger.reset();
  EXPECT_EQ(c.Run().state, MonthState::kStale);
  EXPECT_EQ(c.m.detail, "no ledger row");
  c = Case();
  c.ledger->status = "failed";
  c.ledger->error = "boom";
  EXPECT_EQ(c.Run().detail, "ledger status failed: boom");
  c = Case();
  c.ledger->signals_delta_version = 4;
  EXPECT_EQ(c.Run().detail, "ledger records Delta version 4, Delta is at 5");
}

TEST(ClassifyTest, AMonthNeitherSideHoldsIsInSyncWhenTheLedgerSaysSo) {
  Case c;
  c.m.delta_signals_rows = c.m.delta_composite_rows = 0;
  c.pg = postgres::MonthStats{};
  c.delta_sig = c.delta_comp = "0";
  c.pg.signals_checksum = c.pg.composite_checksum = "0";
  EXPECT_EQ(c.Run().state, MonthState::kInSync);
}

}  // namespace
}  // namespace rs::job
