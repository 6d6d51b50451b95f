// Pieces shared by the job subcommands: common options (--log-format,
// --config, the lake and its tables), loading job::JobOptions with flag
// overrides, and logger setup.
#ifndef RS_CLI_COMMAND_SUPPORT_H_
#define RS_CLI_COMMAND_SUPPORT_H_

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"
#include "cli/config.h"
#include "common/log.h"
#include "job/lake.h"
#include "job/options.h"

namespace rs::cli {

struct CommonOptions {
  std::string log_format;  // --log-format; else RANKING_LOG_FORMAT; else text
  std::string log_level;   // --log-level; else RANKING_LOG_LEVEL; else info
  bool quiet = false;      // --quiet: warnings and errors only, no progress bars
  std::string config_path;
  std::optional<int> top_n;     // --top-n
  std::optional<int> threads;   // --threads
  std::string dsn_flag;         // --dsn (migrate/verify/sync); else POSTGRES_DSN
};

void AddCommonOptions(CLI::App* cmd, CommonOptions* options);

// Resolves the log format and level (flag, then environment) into ctx; a bad
// value is a usage error (exit 2) reported through ctx. LoadOptionsOrFail
// calls it first; commands that do not load job options call it themselves.
bool LogSettingsOrFail(CliContext& ctx, const CommonOptions& options);

// Adds --lake and the per-table overrides to `cmd`. `with_inputs` adds the
// gold input overrides too.
void AddLakeOptions(CLI::App* cmd, job::LakeLayout* layout, bool with_inputs);

// Flags, then environment, then the config file. A bad value, including a
// malformed DSN, is a usage error (exit 2), reported through ctx.
std::optional<job::JobOptions> LoadOptionsOrFail(CliContext& ctx, const CommonOptions& options);

std::unique_ptr<Logger> MakeLogger(CliContext& ctx, const CommonOptions& options,
                                   const std::string& run_id);

// Logs `status` as the command's failure and sets the exit code.
void FailCommand(CliContext& ctx, Logger& log, const Status& status);

// Opens the lake of a command that reads the served tables (`rank`: also
// the inputs) and checks that no two of its tables share a location, which
// is a usage error (exit 2) found before anything is read or written.
std::optional<job::Lake> OpenLakeOrFail(CliContext& ctx, Logger& log,
                                        const job::LakeLayout& layout, bool rank);

}  // namespace rs::cli

#endif  // RS_CLI_COMMAND_SUPPORT_H_
