// Registration of every subcommand of `ranking-signals` (one file each).
#ifndef RS_CLI_COMMANDS_H_
#define RS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace rs::cli {

// Runs the whole command line; returns the process exit code.
int RunCli(int argc, char** argv, CliContext& ctx);

}  // namespace rs::cli

#endif  // RS_CLI_COMMANDS_H_
