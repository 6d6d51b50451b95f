#include "common/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace rs {
namespace {

ParallelOptions Options(int threads, ErrorPolicy policy) {
  ParallelOptions o;
  o.max_threads = threads;
  o.on_error = policy;
  return o;
}

TEST(ParallelForTest, CallsEveryItemOnce) {
  std::vector<std::atomic<int>> calls(1000);
  Status s = ParallelFor(calls.size(), Options(4, ErrorPolicy::kStopAtFirstError), [&](size_t i) {
    calls[i]++;
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (auto& c : calls) EXPECT_EQ(c.load(), 1);
}

TEST(ParallelForTest, ZeroItemsCallsNothingAndSucceeds) {
  bool called = false;
  Status s = ParallelFor(0, Options(8, ErrorPolicy::kRunAll), [&](size_t) {
    called = true;
    return Status::Internal("unreachable");
  });
  EXPECT_TRUE(s.ok());
  EXPECT_FALSE(called);
  ParallelForChunks(0, 4, 8, [&](size_t, size_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ParallelForTest, NeverMoreThreadsThanItems) {
  EXPECT_EQ(ParallelThreads(3, Options(64, ErrorPolicy::kRunAll)), 3);
  EXPECT_EQ(ParallelThreads(0, Options(64, ErrorPolicy::kRunAll)), 0);
  EXPECT_EQ(ParallelThreads(10, Options(0, ErrorPolicy::kRunAll)), 1);
  std::mutex mu;
  std::set<int> workers;
  Status s = ParallelForWorkers(3, Options(64, ErrorPolicy::kRunAll), [&](int w, size_t) {
    std::lock_guard lock(mu);
    workers.insert(w);
    return Status::OK();
  });
  ASSERT_TRUE(s.ok());
  for (int w : workers) EXPECT_LT(w, 3);
}

TEST(ParallelForTest, AtMostMaxThreadsRunAtOnce) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  Status s = ParallelFor(64, Options(3, ErrorPolicy::kRunAll), [&](size_t) {
    int now = ++running;
    for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --running;
    return Status::OK();
  });
  ASSERT_TRUE(s.ok());
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
}

TEST(ParallelForTest, ReturnsLowestIndexFailureWhateverFinishesFirst) {
  for (ErrorPolicy policy : {ErrorPolicy::kStopAtFirstError, ErrorPolicy::kRunAll}) {
    // Item 7 fails at once; item 2 fails late, after 7 has been recorded.
    Status s = ParallelFor(10, Options(10, policy), [&](size_t i) {
      if (i == 7) return Status::NotFound("item 7");
      if (i == 2) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return Status::IOError("item 2");
      }
      return Status::OK();
    });
    EXPECT_EQ(s.code(), StatusCode::kIOError);
    EXPECT_EQ(s.message(), "item 2");
  }
}

TEST(ParallelForTest, StopAtFirstErrorHandsOutNoFurtherItems) {
  std::atomic<size_t> calls{0};
  Status s = ParallelFor(1000, Options(1, ErrorPolicy::kStopAtFirstError), [&](size_t i) {
    calls++;
    return i == 3 ? Status::Unavailable("item 3") : Status::OK();
  });
  EXPECT_EQ(s.message(), "item 3");
  EXPECT_EQ(calls.load(), 4u);
}

TEST(ParallelForTest, RunAllRunsEveryItemAfterAFailure) {
  std::atomic<size_t> calls{0};
  Status s = ParallelFor(100, Options(4, ErrorPolicy::kRunAll), [&](size_t i) {
    calls++;
    return i % 10 == 9 ? Status::Aborted("item " + std::to_string(i)) : Status::OK();
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(s.message(), "item 9");
  EXPECT_EQ(calls.load(), 100u);
}

TEST(ParallelForTest, WorkerCallsNeverOverlap) {
  constexpr int kThreads = 4;
  std::vector<std::atomic<int>> busy(kThreads);
  std::atomic<bool> overlap{false};
  Status s = ParallelForWorkers(200, Options(kThreads, ErrorPolicy::kRunAll), [&](int w, size_t) {
    if (busy[w]++ != 0) overlap = true;
    std::this_thread::yield();
    busy[w]--;
    return Status::OK();
  });
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(overlap.load());
}

TEST(ParallelForTest, ErrorsAreStatusNotExceptions) {
  static_assert(noexcept(ParallelFor(0, ParallelOptions{}, nullptr)));
  static_assert(noexcept(ParallelForWorkers(0, ParallelOptions{}, nullptr)));
  static_assert(noexcept(ParallelForChunks(0, 1, 1, nullptr)));
  Status s = ParallelFor(2, Options(2, ErrorPolicy::kRunAll),
                         [](size_t i) { return i == 1 ? Status::Internal("x") : Status::OK(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
}

TEST(ParallelForChunksTest, CoversTheRangeInConsecutiveChunks) {
  std::vector<std::atomic<int>> hits(1001);
  std::mutex mu;
  std::vector<std::pair<size_t, size_t>> chunks;
  ParallelForChunks(hits.size(), 64, 4, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) hits[i]++;
    std::lock_guard lock(mu);
    chunks.emplace_back(lo, hi);
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  for (auto [lo, hi] : chunks) {
    EXPECT_EQ(lo % 64, 0u);
    EXPECT_LE(hi - lo, 64u);
  }
}

TEST(ParallelForChunksTest, OneThreadRunsTheWholeRangeInOneCall) {
  std::vector<std::pair<size_t, size_t>> calls;
  ParallelForChunks(500, 16, 1, [&](size_t lo, size_t hi) { calls.emplace_back(lo, hi); });
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::make_pair(size_t{0}, size_t{500}));
}

TEST(ResolveThreadsTest, NonPositiveMeansHardwareConcurrency) {
  EXPECT_EQ(ResolveThreads(3), 3);
  EXPECT_GE(ResolveThreads(0), 1);
  EXPECT_GE(ResolveThreads(-1), 1);
}

}  // namespace
}  // namespace rs
