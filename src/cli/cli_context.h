// What every subcommand receives from main(): the process environment (read
// once, here, and nowhere below the CLI), storage settings derived from it,
// and the streams to print to. Each subcommand file exposes
//   void Add<Name>Command(CLI::App& app, CliContext& ctx);
// registering its CLI11 subcommand with a callback that sets ctx.exit_code.
#ifndef RS_CLI_CLI_CONTEXT_H_
#define RS_CLI_CLI_CONTEXT_H_

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "common/stop.h"
#include "storage/storage.h"

namespace rs::cli {

// Exit codes (docs/operations.md): 0 success, 1 failure, 2 usage error,
// 3 drift found by `verify`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDrift = 3;
// A temporary failure (Unavailable, Aborted: connection lost, service busy,
// a lost commit race): the same command may succeed when retried later.
// 75 is EX_TEMPFAIL of sysexits.h, which schedulers and mail systems treat
// as "retry".
inline constexpr int kExitTemporary = 75;
// Stopped by the operator's signal, after finishing or undoing the work in
// flight (128 + SIGTERM, 128 + SIGINT).
inline constexpr int kExitStoppedBySigint = 130;
inline constexpr int kExitStoppedBySigterm = 143;

// kExitTemporary for Unavailable and Aborted; for Cancelled (a stop asked
// for by a signal) 128 + the signal (143 for SIGTERM, 130 for SIGINT), as a
// shell reports a process the signal ended; else kExitFailure.
int ExitCodeFor(const Status& status, int stop_signal = 0);

struct CliContext {
  std::map<std::string, std::string> env;  // a snapshot of the process environment
  storage::StorageOptions storage_options; // AZURE_* and friends, taken from env
  std::ostream* out = nullptr;              // results (JSON, tables)
  std::ostream* err = nullptr;              // logs and errors
  bool stderr_is_terminal = false;          // progress bars only on a terminal
  int exit_code = kExitOk;
  // Warnings found while loading options, before the logger exists;
  // MakeLogger logs them first.
  std::vector<std::string> pending_warnings;
  // The failure the command ends with (message and code name), for the
  // --format json result; empty while the command has not failed.
  std::string error_message;
  std::string error_code;
  // The resolved --log-format / --log-level (LogSettingsOrFail); Fail writes
  // a JSON line when the format is JSON.
  // Set by main's SIGTERM/SIGINT handler; the commands pass it to the job.
  const StopFlag* stop = nullptr;
  LogFormat log_format = LogFormat::kText;
  LogLevel log_level = LogLevel::kInfo;

  // Prints "error: <message>" to err and sets exit_code to `code`; a
  // kExitFailure becomes ExitCodeFor(status), so a temporary failure says so.
  void Fail(const Status& status, int code = kExitFailure);
};

}  // namespace rs::cli

#endif  // RS_CLI_CLI_CONTEXT_H_
