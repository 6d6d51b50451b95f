#include "cli/subcommands.h"

#include "cli/table_command.h"

namespace rs::cli {

void AddRunCommand(CLI::App& app, CliContext& ctx);
void AddMaterializeCommand(CLI::App& app, CliContext& ctx);
void AddVerifyCommand(CLI::App& app, CliContext& ctx);
void AddSyncCommand(CLI::App& app, CliContext& ctx);
void AddMigrateCommand(CLI::App& app, CliContext& ctx);
void AddSampleDataCommand(CLI::App& app, CliContext& ctx);

void RegisterSubcommands(CLI::App& app, CliContext& ctx) {
  AddRunCommand(app, ctx);
  AddMaterializeCommand(app, ctx);
  AddVerifyCommand(app, ctx);
  AddSyncCommand(app, ctx);
  AddMigrateCommand(app, ctx);
  AddSampleDataCommand(app, ctx);
  AddTableCommand(app, ctx);
}

}  // namespace rs::cli
