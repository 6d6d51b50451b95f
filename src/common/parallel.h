// ParallelFor: the one way ranking-signals runs work on threads.
//
// Work is a count of items [0, n); a task is called once per item (or per
// chunk of items) on a bounded set of threads, the caller's thread included,
// and every call has returned before ParallelFor does. There is no pool that
// outlives a call: threads start and are joined inside it.
//
// Items are handed out in increasing index order. With
// ErrorPolicy::kStopAtFirstError no item is handed out after a task failed;
// items already running finish. Because every item below a failed one was
// handed out before it, the Status returned under either policy is the failure
// with the lowest index, as a serial loop would report it, whatever the
// scheduling.
//
// Thread-safety: the task is called concurrently from up to `max_threads`
// threads, each call with a distinct item; it must synchronize whatever the
// calls share. Everything a task wrote is visible to the caller when
// ParallelFor returns. Tasks report failure by Status and must not throw
// (ParallelFor is noexcept). When the system refuses to start a thread, the
// items run on the threads that did start (at least the caller's).
#ifndef RS_COMMON_PARALLEL_H_
#define RS_COMMON_PARALLEL_H_

#include <cstddef>
#include <functional>

#include "common/status.h"

namespace rs {

enum class ErrorPolicy {
  kStopAtFirstError,  // hand out no further item once a task failed
  kRunAll,            // run every item; still return the lowest-index failure
};

struct ParallelOptions {
  // Upper bound on threads, the caller's included; values below 1 mean 1.
  // Never more threads than items (or chunks) are started.
  int max_threads = 1;
  ErrorPolicy on_error = ErrorPolicy::kStopAtFirstError;
};

// `requested` threads, or the hardware concurrency (at least 1) when <= 0.
int ResolveThreads(int requested);

// The number of threads ParallelFor uses for `items` items: min(items,
// max(options.max_threads, 1)); 0 when there are no items.
int ParallelThreads(size_t items, const ParallelOptions& options);

// Calls task(i) for every i in [0, n) and returns OK or the lowest-index
// failure (see the file comment for the policy).
Status ParallelFor(size_t n, const ParallelOptions& options,
                   const std::function<Status(size_t item)>& task) noexcept;

// As above, also passing the worker (0 <= worker < ParallelThreads(n,
// options)) that runs the item: calls with the same worker never overlap, so
// per-worker state (a connection, scratch buffers) needs no lock.
Status ParallelForWorkers(size_t n, const ParallelOptions& options,
                          const std::function<Status(int worker, size_t item)>& task) noexcept;

// For infallible work on many small items: calls fn(begin, end) for
// consecutive chunks of at most `grain` items covering [0, n), on up to
// `max_threads` threads (<= 0 is taken as 1). With one thread or one chunk,
// fn(0, n) runs on the caller's thread alone.
void ParallelForChunks(size_t n, size_t grain, int max_threads,
                       const std::function<void(size_t begin, size_t end)>& fn) noexcept;

}  // namespace rs

#endif  // RS_COMMON_PARALLEL_H_
