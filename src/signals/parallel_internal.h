// A minimal fork-join helper: work on [0, n) in chunks pulled from a shared
// counter by a fixed set of threads, joined before returning.
#ifndef RS_SIGNALS_PARALLEL_INTERNAL_H_
#define RS_SIGNALS_PARALLEL_INTERNAL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace rs::signals::internal {

// `requested` threads, or the hardware concurrency (at least 1) when <= 0.
inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Calls fn(begin, end) for consecutive chunks of at most `grain` items
// covering [0, n), on up to `threads` threads (the caller's included).
// REQUIRES: fn does not throw.
template <typename Fn>
void ParallelFor(size_t n, size_t grain, int threads, const Fn& fn) {
  grain = std::max<size_t>(grain, 1);
  size_t chunks = (n + grain - 1) / grain;
  size_t workers = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), chunks);
  if (workers <= 1) {
    if (n > 0) fn(size_t{0}, n);
    return;
  }
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      fn(c * grain, std::min(n, (c + 1) * grain));
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(run);
  run();
  for (auto& th : pool) th.join();
}

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_PARALLEL_INTERNAL_H_
