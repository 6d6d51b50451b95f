#include "common/stop.h"

#include <signal.h>
#include <string.h>

#include <string>

namespace rs {

Status StopFlag::Check(std::string_view what) const {
  int sig = signal();
  if (sig == 0) return Status::OK();
  std::string name = sig == SIGTERM  ? "SIGTERM"
                     : sig == SIGINT ? "SIGINT"
                                     : "signal " + std::to_string(sig);
  return Status::Cancelled("stopped by " + name + " before " + std::string(what));
}

}  // namespace rs
