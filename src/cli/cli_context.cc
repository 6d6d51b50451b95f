#include "cli/cli_context.h"

#include <ostream>

namespace rs::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kAborted: return kExitTemporary;
    default: return kExitFailure;
  }
}

void CliContext::Fail(const Status& status, int code) {
  exit_code = code == kExitFailure ? ExitCodeFor(status) : code;
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
