#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace rs {
namespace {

// Runs worker(w) for w in [0, threads): w = 0 on the caller's thread, the
// others on threads of their own, all joined before returning. A thread the
// system refuses to start is skipped: the started workers take its items.
void RunWorkers(int threads, const std::function<void(int)>& worker) {
  std::vector<std::thread> started;
  started.reserve(static_cast<size_t>(std::max(threads - 1, 0)));
  for (int w = 1; w < threads; ++w) {
    try {
      started.emplace_back(worker, w);
    } catch (const std::system_error&) {
      break;  // out of threads: fewer workers, same items
    }
  }
  worker(0);
  for (auto& t : started) t.join();
}

}  // namespace

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int ParallelThreads(size_t items, const ParallelOptions& options) {
  return static_cast<int>(std::min(items, static_cast<size_t>(std::max(options.max_threads, 1))));
}

Status ParallelForWorkers(size_t n, const ParallelOptions& options,
                          const std::function<Status(int, size_t)>& task) noexcept {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  size_t first_index = n;  // guarded by mu
  Status first_error;      // guarded by mu
  const bool stop_early = options.on_error == ErrorPolicy::kStopAtFirstError;
  auto worker = [&](int w) {
    while (!(stop_early && failed.load(std::memory_order_acquire))) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = task(w, i);
      if (s.ok()) continue;
      std::lock_guard lock(mu);
      if (i < first_index) {
        first_index = i;
        first_error = std::move(s);
      }
      failed.store(true, std::memory_order_release);
    }
  };
  RunWorkers(ParallelThreads(n, options), worker);
  return first_error;
}

Status ParallelFor(size_t n, const ParallelOptions& options,
                   const std::function<Status(size_t)>& task) noexcept {
  return ParallelForWorkers(n, options, [&](int, size_t i) { return task(i); });
}

void ParallelForChunks(size_t n, size_t grain, int max_threads,
                       const std::function<void(size_t, size_t)>& fn) noexcept {
  grain = std::max<size_t>(grain, 1);
  const size_t chunks = (n + grain - 1) / grain;
  const int threads = ParallelThreads(chunks, ParallelOptions{max_threads});
  if (threads <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::atomic<size_t> next{0};
  RunWorkers(threads, [&](int) {
    for (size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      fn(c * grain, std::min(n, (c + 1) * grain));
    }
  });
}

}  // namespace rs
