#include "common/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace rs {
namespace {

std::atomic<bool> g_armed{false};
std::mutex g_mu;
std::string g_name;
long g_remaining = 1;

}  // namespace

void ArmCrashPoint(const std::string& spec) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (spec.empty()) {
    g_armed.store(false);
    return;
  }
  auto colon = spec.rfind(':');
  g_name = spec.substr(0, colon);
  g_remaining = 1;
  if (colon != std::string::npos) {
    long n = std::strtol(spec.c_str() + colon + 1, nullptr, 10);
    g_remaining = n > 0 ? n : 1;
  }
  g_armed.store(true);
}

void CrashPoint(std::string_view name) {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(g_mu);
  if (name != g_name || --g_remaining > 0) return;
  std::fprintf(stderr, "crash point reached: %.*s (SIGKILL)\n", static_cast<int>(name.size()),
               name.data());
  std::fflush(stderr);
  kill(getpid(), SIGKILL);
}

}  // namespace rs
