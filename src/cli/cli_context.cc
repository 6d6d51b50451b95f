#include "cli/cli_context.h"

#include <ostream>

namespace rs::cli {

void CliContext::Fail(const Status& status, int code) {
  if (err != nullptr) *err << "error: " << status.message() << '\n';
  exit_code = code;
}

}  // namespace rs::cli
