// A stop the operator asked for with a signal (SIGTERM from Container Apps
// or Kubernetes when a job is stopped, SIGINT from a terminal). The CLI's
// signal handler records the signal; long work checks the flag between units
// it can finish or undo whole (a month, a table's set of commits) and ends
// with a Cancelled status, so nothing is left half done.
//
// Thread-safety: Request() is async-signal-safe (one lock-free atomic store);
// every method may be called from any thread.
#ifndef RS_COMMON_STOP_H_
#define RS_COMMON_STOP_H_

#include <atomic>
#include <string_view>

#include "common/status.h"

namespace rs {

class StopFlag {
 public:
  void Request(int signal) noexcept { signal_.store(signal, std::memory_order_relaxed); }
  bool requested() const noexcept { return signal_.load(std::memory_order_relaxed) != 0; }
  // The signal that asked to stop; 0 when none did.
  int signal() const noexcept { return signal_.load(std::memory_order_relaxed); }

  // OK, or Cancelled "stopped by SIGTERM before <what>" once a stop was requested.
  Status Check(std::string_view what) const;

 private:
  static_assert(std::atomic<int>::is_always_lock_free);
  std::atomic<int> signal_{0};
};

// `stop` may be null (nobody can ask to stop): OK.
inline Status CheckStop(const StopFlag* stop, std::string_view what) {
  return stop == nullptr ? Status::OK() : stop->Check(what);
}

}  // namespace rs

#endif  // RS_COMMON_STOP_H_
