// ranking-signals: command-line entry point. The environment is read here,
// once, and handed down; each subcommand lives in its own file.
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>

#include "cli/commands.h"
#include "cli/config.h"
#include "common/allocator.h"
#include "common/crash_point.h"

extern char** environ;

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
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  ctx.stderr_is_terminal = isatty(STDERR_FILENO) != 0;
  return rs::cli::RunCli(argc, argv, ctx);
}
