#include <ostream>

#include "cli/commands.h"
#include "cli/subcommands.h"

namespace rs::cli {

int RunCli(int argc, char** argv, CliContext& ctx) {
  CLI::App app{
      "ranking-signals: ranking strategies over gold market data, written to Delta Lake and "
      "replicated to PostgreSQL.\nExit codes: 0 success, 1 failure, 2 usage error, 3 drift found "
      "by verify."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ranking-signals 0.1.0");
  RegisterSubcommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, *ctx.out, *ctx.err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace rs::cli
