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

// --log-format, --log-level, --quiet, and --config unless `with_config` is
// false (commands that read no setting a config file can hold).
void AddCommonOptions(CLI::App* cmd, CommonOptions* options, bool with_config = true);

// Resolves the log format and level (flag, then environment) into ctx; a bad
// value is a usage error (exit 2) reported through ctx. LoadOptionsOrFail
// calls it first; commands that do not load job options call it themselves.
bool LogSettingsOrFail(CliContext& ctx, const CommonOptions& options);

// Which tables of the lake a command names (and so offers flags for).
enum class LakeTables {
  kServed,           // rankings, ranking_signals, composite (verify, sync, materialize)
  kInputsAndServed,  // the gold inputs too (run)
  kInputs,           // the gold inputs only (sample-data)
};

// Adds --lake and the overrides of `tables` to `cmd`.
void AddLakeOptions(CLI::App* cmd, job::LakeLayout* layout, LakeTables tables);

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
