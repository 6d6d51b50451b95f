// Retry with exponential backoff: the one way ranking-signals waits before
// trying again (HTTP requests, PostgreSQL connects, the partition swap, Delta
// commits).
//
// The backoff before retry k (0-based, so before attempt k + 2) has the
// ceiling min(max_delay, base_delay * 2^k) and is jittered so that clients
// failing together do not retry together:
//   Jitter::kFull   uniform in [0, ceiling]
//   Jitter::kEqual  uniform in [ceiling / 2, ceiling]: never less than half,
//                   for waits that must give the other side time (a lock
//                   holder, a throttling server)
// A delay the other side asked for (HTTP Retry-After) replaces the jittered
// one, capped at max_delay.
//
// Whether a failure is worth another attempt is the caller's decision, by
// StatusCode or a structured field (SQLSTATE, HTTP status), never by message
// text: Retry takes it as a predicate; loops that decide inline use Backoff.
//
// Sleeping and randomness come from a RetryEnv, so tests observe the delays
// without waiting.
//
// Thread-safety: Retry and BackoffDelay are reentrant; a Backoff belongs to
// one loop on one thread. The default RetryEnv is safe from any thread.
#ifndef RS_COMMON_RETRY_H_
#define RS_COMMON_RETRY_H_

#include <chrono>
#include <functional>
#include <optional>

#include "common/status.h"

namespace rs {

enum class Jitter { kFull, kEqual };

struct RetryPolicy {
  // Attempts in all, the first included; below 1 means 1 (no retry).
  int max_attempts = 1;
  // Ceiling of the first backoff; doubles per retry up to max_delay.
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{15'000};
  Jitter jitter = Jitter::kFull;
};

// Where backoff sleeps and draws its jitter. Tests pass their own.
struct RetryEnv {
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> uniform;  // a number in [0, 1)
};

// std::this_thread::sleep_for and a per-thread random engine.
const RetryEnv& SystemRetryEnv();

// The backoff before retry `retry` (0-based) for a draw `uniform` in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform);

// The state of one retry loop:
//   Backoff backoff(policy);
//   do {
//     s = Try();
//   } while (!s.ok() && Retryable(s) && backoff.Next());
class Backoff {
 public:
  // `env` must outlive the Backoff.
  explicit Backoff(const RetryPolicy& policy, const RetryEnv& env = SystemRetryEnv());

  // The attempt in progress, 1-based.
  int attempt() const { return attempt_; }

  // When another attempt is allowed, sleeps the backoff before it (or
  // `requested`, capped at max_delay, when the other side asked for a delay),
  // counts it and returns true; otherwise returns false without sleeping.
  bool Next(std::optional<std::chrono::milliseconds> requested = std::nullopt);

 private:
  RetryPolicy policy_;
  const RetryEnv& env_;
  int attempt_ = 1;
};

// Calls `attempt` (with the 1-based attempt number) until it succeeds, fails
// with a status `retryable` rejects, or policy.max_attempts were made,
// backing off between attempts; returns the last attempt's Status.
Status Retry(const RetryPolicy& policy, const std::function<bool(const Status&)>& retryable,
             const std::function<Status(int attempt)>& attempt,
             const RetryEnv& env = SystemRetryEnv());

// The usual predicate: retry what is temporary (StatusCode::kUnavailable).
bool IsUnavailable(const Status& status);

}  // namespace rs

#endif  // RS_COMMON_RETRY_H_
