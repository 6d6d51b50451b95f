// ranking-signals: command-line entry point. The environment is read here,
// once, and handed down; each subcommand lives in its own file.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <new>
#include <string>

#include "cli/commands.h"
#include "cli/config.h"
#include "common/allocator.h"
#include "common/crash_point.h"
#include "common/stop.h"

extern char** environ;

// The program's operator new: large buffers (the engine's and the writers'
// columns) get huge pages (common/allocator.h). operator delete stays the
// library's, which calls free(). Sanitizer builds keep the sanitizer's.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RS_SANITIZER_NEW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RS_SANITIZER_NEW 1
#endif
#endif
#if !defined(RS_SANITIZER_NEW)
void* operator new(std::size_t n) {
  for (;;) {
    if (void* p = rs::AllocateForBatchWork(n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}
#endif

namespace {

rs::StopFlag g_stop;

// The first SIGTERM or SIGINT asks the job to stop after the work in flight;
// SA_RESETHAND makes a second one end the process at once.
void OnStopSignal(int signal) { g_stop.Request(signal); }

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  rs::TuneAllocatorForBatchWork();
  rs::cli::CliContext ctx;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) ctx.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  ctx.storage_options = rs::cli::StorageOptionsFromEnv(ctx.env);
  // Failure tests only (docs/operations.md): kill the job at a named point.
  if (auto it = ctx.env.find("RS_CRASH_POINT"); it != ctx.env.end()) rs::ArmCrashPoint(it->second);
  InstallStopHandlers();
  ctx.stop = &g_stop;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  ctx.stderr_is_terminal = isatty(STDERR_FILENO) != 0;
  return rs::cli::RunCli(argc, argv, ctx);
}
