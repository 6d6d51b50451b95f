#include "cli/cli_context.h"

#include <signal.h>

#include <ostream>

namespace rs::cli {

int ExitCodeFor(const Status& status, int stop_signal) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kAborted: return kExitTemporary;
    case StatusCode::kCancelled:
      return 128 + (stop_signal > 0 ? stop_signal : SIGTERM);
    default: return kExitFailure;
  }
}

void CliContext::Fail(const Status& status, int code) {
  exit_code = code == kExitFailure ? ExitCodeFor(status, stop ? stop->signal() : 0) : code;
  if (err != nullptr) {
    if (log_format == LogFormat::kJson) {
      *err << FormatLogLine(LogFormat::kJson, LogLevel::kError, "",
                            exit_code == kExitUsage ? "usage error" : "failed",
                            {{"error", status.message()},
                             {"code", StatusCodeName(status.code())},
                             {"exit_code", exit_code}})
           << '\n';
    } else {
      *err << "error: " << status.message() << '\n';
    }
  }
  error_message = status.message();
  error_code = StatusCodeName(status.code());
}

}  // namespace rs::cli
