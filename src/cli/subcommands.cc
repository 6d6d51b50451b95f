#include "cli/subcommands.h"

namespace rs::cli {

void RegisterSubcommands(CLI::App& app, CliContext& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace rs::cli
