// delta_table_tool: the `table` subcommand alone, for tests that run the CLI
// path in a process (exit codes, stdout, stderr) without the whole program.
#include <iostream>

#include "cli/cli_context.h"
#include "cli/table_command.h"

int main(int argc, char** argv) {
  CLI::App app{"delta_table_tool"};
  app.require_subcommand(1);
  rs::cli::CliContext ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  rs::cli::AddTableCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : rs::cli::kExitUsage;
  }
  std::cout.flush();
  return ctx.exit_code;
}
