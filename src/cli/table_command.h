// `ranking-signals table info|scan|history|vacuum URI`: inspect and maintain
// any Delta table (ours or another engine's). Output is JSON on ctx.out:
// info prints one object, scan one object per row (conformance/README.md
// value encoding), history one object per version, vacuum one object.
// Exit codes: 0 success, 1 failure ("error: ..." on ctx.err), 2 usage error.
#ifndef RS_CLI_TABLE_COMMAND_H_
#define RS_CLI_TABLE_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace rs::cli {

void AddTableCommand(CLI::App& app, CliContext& ctx);

}  // namespace rs::cli

#endif  // RS_CLI_TABLE_COMMAND_H_
