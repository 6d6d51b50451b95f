// Every subcommand's registration function, called by RunCli.
#ifndef RS_CLI_SUBCOMMANDS_H_
#define RS_CLI_SUBCOMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace rs::cli {

void RegisterSubcommands(CLI::App& app, CliContext& ctx);

}  // namespace rs::cli

#endif  // RS_CLI_SUBCOMMANDS_H_
