#include "common/crash_point.h"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(CrashPointTest, UnarmedPointsDoNothing) {
  ArmCrashPoint("");
  CrashPoint("delta.commit.before_put");
  SUCCEED();
}

TEST(CrashPointDeathTest, ArmedPointKillsTheProcessAtTheNthHit) {
  EXPECT_EXIT(
      {
        ArmCrashPoint("job.after_month:2");
        CrashPoint("job.after_month");  // first hit survives
        CrashPoint("other.point");
        CrashPoint("job.after_month");  // second hit kills
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "crash point reached: job.after_month");
}

}  // namespace
}  // namespace rs
