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
int g_signal = SIGKILL;  // what the point sends; SIGTERM/SIGINT let the process go on

}  // namespace

void ArmCrashPoint(const std::string& spec) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (spec.empty()) {
    g_armed.store(false);
    return;
  }
  std::string rest = spec;
  g_signal = SIGKILL;
  if (rest.ends_with(":TERM") || rest.ends_with(":INT")) {
    g_signal = rest.ends_with(":TERM") ? SIGTERM : SIGINT;
    rest.resize(rest.rfind(':'));
  }
  auto colon = rest.rfind(':');
  g_name = rest.substr(0, colon);
  g_remaining = 1;
  if (colon != std::string::npos) {
    long n = std::strtol(rest.c_str() + colon + 1, nullptr, 10);
    g_remaining = n > 0 ? n : 1;
  }
  g_armed.store(true);
}

void CrashPoint(std::string_view name) {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(g_mu);
  if (name != g_name || --g_remaining > 0) return;
  const char* signal_name = g_signal == SIGKILL   ? "SIGKILL"
                            : g_signal == SIGTERM ? "SIGTERM"
                                                  : "SIGINT";
  std::fprintf(stderr, "crash point reached: %.*s (%s)\n", static_cast<int>(name.size()),
               name.data(), signal_name);
  std::fflush(stderr);
  // SIGKILL ends the process from any thread. A stop signal is raised on this
  // thread, so its handler has run when CrashPoint returns: the stop is seen
  // at this point whichever thread reached it, as if the operator's signal
  // arrived exactly here.
  if (g_signal == SIGKILL) {
    kill(getpid(), g_signal);
  } else {
    raise(g_signal);
  }
}

}  // namespace rs
