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
  if (err != nullptr) *err << "error: " << status.message() << '\n';
  exit_code = code == kExitFailure ? ExitCodeFor(status) : code;
  error_message = status.message();
  error_code = StatusCodeName(status.code());
}

}  // namespace rs::cli
