#include "common/retry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace rs {
namespace {

using std::chrono::milliseconds;

// Records the sleeps instead of sleeping; draws a fixed value.
struct FakeEnv {
  explicit FakeEnv(double draw) {
    env.sleep = [this](milliseconds d) { slept.push_back(d.count()); };
    env.uniform = [draw] { return draw; };
  }
  RetryEnv env;
  std::vector<int64_t> slept;
};

RetryPolicy Policy(int attempts, int64_t base_ms, int64_t max_ms, Jitter jitter) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base_delay = milliseconds(base_ms);
  p.max_delay = milliseconds(max_ms);
  p.jitter = jitter;
  return p;
}

TEST(BackoffDelayTest, CeilingDoublesUpToTheCap) {
  RetryPolicy p = Policy(10, 100, 1000, Jitter::kFull);
  // A draw just below 1 gives (almost) the ceiling.
  std::vector<int64_t> ceilings;
  for (int k = 0; k < 6; ++k) ceilings.push_back(BackoffDelay(p, k, 0.999999).count());
  EXPECT_EQ(ceilings, (std::vector<int64_t>{99, 199, 399, 799, 999, 999}));
  EXPECT_EQ(BackoffDelay(p, 1000, 0.999999).count(), 999);  // no overflow
}

TEST(BackoffDelayTest, FullJitterSpansZeroToTheCeiling) {
  RetryPolicy p = Policy(10, 100, 1000, Jitter::kFull);
  EXPECT_EQ(BackoffDelay(p, 2, 0.0).count(), 0);
  EXPECT_EQ(BackoffDelay(p, 2, 0.5).count(), 200);
}

TEST(BackoffDelayTest, EqualJitterNeverWaitsLessThanHalf) {
  RetryPolicy p = Policy(10, 100, 1000, Jitter::kEqual);
  EXPECT_EQ(BackoffDelay(p, 2, 0.0).count(), 200);
  EXPECT_EQ(BackoffDelay(p, 2, 0.5).count(), 300);
  EXPECT_EQ(BackoffDelay(p, 9, 0.0).count(), 500);
}

TEST(RetryTest, RetriesUntilSuccessSleepingBetweenAttempts) {
  FakeEnv fake(0.5);
  std::vector<int> seen;
  Status s = Retry(
      Policy(5, 100, 10'000, Jitter::kFull), IsUnavailable,
      [&](int attempt) {
        seen.push_back(attempt);
        return attempt < 3 ? Status::Unavailable("busy") : Status::OK();
      },
      fake.env);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(fake.slept, (std::vector<int64_t>{50, 100}));
}

// Runs Retry with an attempt that always fails with `failure`; returns the
// calls made and the delays slept.
struct Outcome {
  Status status;
  int calls = 0;
  std::vector<int64_t> slept;
};
Outcome AlwaysFailing(const RetryPolicy& policy, const Status& failure) {
  FakeEnv fake(0.0);
  Outcome out;
  out.status = Retry(
      policy, IsUnavailable,
      [&](int) {
        ++out.calls;
        return failure;
      },
      fake.env);
  out.slept = fake.slept;
  return out;
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithoutAFinalSleep) {
  Outcome out =
      AlwaysFailing(Policy(3, 10, 100, Jitter::kEqual), Status::Unavailable("connection refused"));
  EXPECT_EQ(out.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.calls, 3);
  EXPECT_EQ(out.slept, (std::vector<int64_t>{5, 10}));
}

TEST(RetryTest, PredicateStopsAtAFailureARetryCannotFix) {
  Outcome out = AlwaysFailing(Policy(5, 10, 100, Jitter::kFull),
                              Status::InvalidArgument("password authentication failed"));
  EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.calls, 1);
  EXPECT_TRUE(out.slept.empty());
}

TEST(RetryTest, ZeroOrOneAttemptMeansNoRetry) {
  for (int attempts : {0, 1}) {
    Outcome out = AlwaysFailing(Policy(attempts, 10, 100, Jitter::kFull), Status::Unavailable("x"));
    EXPECT_FALSE(out.status.ok());
    EXPECT_EQ(out.calls, 1);
    EXPECT_TRUE(out.slept.empty());
  }
}

TEST(BackoffTest, RequestedDelayReplacesJitterAndIsCapped) {
  FakeEnv fake(0.0);
  Backoff backoff(Policy(4, 100, 1000, Jitter::kFull), fake.env);
  EXPECT_EQ(backoff.attempt(), 1);
  EXPECT_TRUE(backoff.Next(milliseconds(300)));
  EXPECT_TRUE(backoff.Next(milliseconds(60'000)));
  EXPECT_TRUE(backoff.Next());
  EXPECT_EQ(backoff.attempt(), 4);
  EXPECT_FALSE(backoff.Next());
  EXPECT_EQ(fake.slept, (std::vector<int64_t>{300, 1000, 0}));
}

}  // namespace
}  // namespace rs
