#include "common/retry.h"

#include <algorithm>
#include <random>
#include <thread>

namespace rs {

const RetryEnv& SystemRetryEnv() {
  static const RetryEnv env{
      [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); },
      [] {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      }};
  return env;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform) {
  const int64_t max_ms = std::max<int64_t>(policy.max_delay.count(), 0);
  const int64_t base_ms = std::clamp<int64_t>(policy.base_delay.count(), 0, max_ms);
  // Doubling stops at the cap; the shift is bounded so it cannot overflow.
  int64_t ceiling = base_ms;
  for (int k = 0; k < std::min(retry, 62) && ceiling < max_ms; ++k) ceiling *= 2;
  ceiling = std::min(ceiling, max_ms);
  const double u = std::clamp(uniform, 0.0, 1.0);
  const double low = policy.jitter == Jitter::kEqual ? static_cast<double>(ceiling) / 2 : 0.0;
  const double ms = low + (static_cast<double>(ceiling) - low) * u;
  return std::chrono::milliseconds(std::min(static_cast<int64_t>(ms), ceiling));
}

Backoff::Backoff(const RetryPolicy& policy, const RetryEnv& env) : policy_(policy), env_(env) {}

bool Backoff::Next(std::optional<std::chrono::milliseconds> requested) {
  if (attempt_ >= std::max(policy_.max_attempts, 1)) return false;
  std::chrono::milliseconds delay =
      requested ? std::max(std::min(*requested, policy_.max_delay), std::chrono::milliseconds(0))
                : BackoffDelay(policy_, attempt_ - 1, env_.uniform());
  env_.sleep(delay);
  ++attempt_;
  return true;
}

Status Retry(const RetryPolicy& policy, const std::function<bool(const Status&)>& retryable,
             const std::function<Status(int)>& attempt, const RetryEnv& env) {
  Backoff backoff(policy, env);
  Status s;
  do {
    s = attempt(backoff.attempt());
  } while (!s.ok() && retryable(s) && backoff.Next());
  return s;
}

bool IsUnavailable(const Status& status) { return status.IsUnavailable(); }

}  // namespace rs
