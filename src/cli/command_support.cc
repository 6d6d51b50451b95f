#include "cli/command_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "common/settings.h"
#include "postgres/migrations.h"

namespace rs::cli {

void AddCommonOptions(CLI::App* cmd, CommonOptions* options, bool with_config) {
  cmd->add_option("--log-format", options->log_format,
                  "Log format on stderr: text (default) or json, one object per line "
                  "(RANKING_LOG_FORMAT)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--log-level", options->log_level,
                  "Lowest level logged: debug, info (default), warn, error (RANKING_LOG_LEVEL)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd->add_flag("--quiet", options->quiet,
                "Warnings and errors only, no progress bars (same as --log-level warn)");
  if (!with_config) return;
  cmd->add_option("--config", options->config_path,
                  "Optional JSON config file (weights, top_n, compression, row_group_bytes, ...; "
                  "docs/operations.md, Settings); flags and environment take precedence");
}

void AddLakeOptions(CLI::App* cmd, job::LakeLayout* layout, LakeTables tables) {
  cmd->add_option("--lake", layout->lake,
                  "Lake root: a local path, file://, abfss://container@account.dfs.core.windows.net/path "
                  "or az://container/path")
      ->required();
  if (tables != LakeTables::kServed) {
    cmd->add_option("--market-table", layout->market, "market_daily input table (Delta, or Parquet folder)")
        ->capture_default_str();
    // Named explicitly, finance_daily is required: a table that is not
    // there fails the run instead of a WARN (issue 22).
    cmd->add_option("--finance-table", layout->finance,
                    "finance_daily input table (optional input; when given, it must be readable)")
        ->capture_default_str()
        ->each([layout](const std::string&) { layout->finance_required = true; });
  }
  if (tables == LakeTables::kInputs) return;
  cmd->add_option("--rankings-table", layout->rankings, "rankings Delta table")->capture_default_str();
  cmd->add_option("--signals-table", layout->signals, "ranking_signals Delta table")->capture_default_str();
  cmd->add_option("--composite-table", layout->composite, "composite signals Delta table")
      ->capture_default_str();
}

bool LogSettingsOrFail(CliContext& ctx, const CommonOptions& options) {
  auto env = [&ctx](const char* name) -> std::optional<std::string> {
    auto it = ctx.env.find(name);
    if (it == ctx.env.end()) return std::nullopt;
    return it->second;
  };
  std::optional<std::string> format = options.log_format;
  if (format->empty()) format = env("RANKING_LOG_FORMAT");
  if (format && (*format == "json" || *format == "JSON")) {
    ctx.log_format = LogFormat::kJson;
  } else if (format && !format->empty() && *format != "text" && *format != "TEXT") {
    ctx.Fail(Status::InvalidArgument("RANKING_LOG_FORMAT='" + *format + "' is not text or json"),
             kExitUsage);
    return false;
  }
  std::optional<std::string> level = options.log_level;
  if (level->empty()) level = env("RANKING_LOG_LEVEL");
  if (level && !level->empty()) {
    auto parsed = ParseLogLevel(*level);
    if (!parsed) {
      ctx.Fail(Status::InvalidArgument("RANKING_LOG_LEVEL='" + *level +
                                       "' is not one of debug, info, warn, error"),
               kExitUsage);
      return false;
    }
    ctx.log_level = *parsed;
  }
  if (options.quiet) ctx.log_level = std::max(ctx.log_level, LogLevel::kWarn);
  return true;
}

std::optional<job::JobOptions> LoadOptionsOrFail(CliContext& ctx, const CommonOptions& options) {
  if (!LogSettingsOrFail(ctx, options)) return std::nullopt;
  auto cfg = LoadJobOptions(ctx.env, options.config_path);
  if (!cfg.ok()) {
    ctx.Fail(cfg.status(), kExitUsage);
    return std::nullopt;
  }
  // The flags have the bounds of their variables (job/options.h).
  auto apply = [&ctx](const char* flag, const std::optional<int>& value, int min, int max,
                      int* target) {
    if (!value) return true;
    if (Status s = CheckBounds(flag, *value, min, max); !s.ok()) {
      ctx.Fail(s, kExitUsage);
      return false;
    }
    *target = *value;
    return true;
  };
  if (!apply("--top-n", options.top_n, 1, job::kMaxTopN, &cfg->compute.top_n) ||
      !apply("--threads", options.threads, 0, job::kMaxThreads, &cfg->compute.threads)) {
    return std::nullopt;
  }
  if (!options.dsn_flag.empty()) cfg->replication.dsn = options.dsn_flag;
  // POSTGRES_DSN set to an empty string: a deployment whose secret did not
  // arrive. With write_required that must not pass as "replication off".
  if (cfg->replication.dsn && cfg->replication.dsn->find_first_not_of(" \t\r\n") == std::string::npos) {
    if (cfg->replication.write_required) {
      ctx.Fail(Status::InvalidArgument(
                   "POSTGRES_DSN is set but empty while POSTGRES_SIGNALS_WRITE_REQUIRED=true: set "
                   "it to the database's connection string, or unset it to run without "
                   "replication"),
               kExitUsage);
      return std::nullopt;
    }
    ctx.pending_warnings.push_back(
        "POSTGRES_DSN is set but empty: replication is off for this run "
        "(POSTGRES_SIGNALS_WRITE_REQUIRED=false)");
    cfg->replication.dsn.reset();
  }
  // A malformed DSN is a bad setting like any other: found before any work,
  // not after the Delta commits when replication first connects.
  if (cfg->replication.dsn) {
    Status dsn = postgres::ValidateDsn(*cfg->replication.dsn);
    if (!dsn.ok()) {
      ctx.Fail(dsn.Annotate(options.dsn_flag.empty() ? "POSTGRES_DSN" : "--dsn"), kExitUsage);
      return std::nullopt;
    }
  }
  return std::move(cfg).value();
}

// The format and level were resolved into ctx by LogSettingsOrFail.
std::unique_ptr<Logger> MakeLogger(CliContext& ctx, const CommonOptions& /*options*/,
                                   const std::string& run_id) {
  auto log = std::make_unique<Logger>(*ctx.err, ctx.log_format, run_id, ctx.stderr_is_terminal,
                                      ctx.log_level);
  for (const std::string& warning : ctx.pending_warnings) {
    log->Warn("setting", {{"warning", warning}});
  }
  ctx.pending_warnings.clear();
  return log;
}

void FailCommand(CliContext& ctx, Logger& log, const Status& status) {
  log.Error("failed", {{"error", status.message()}, {"code", StatusCodeName(status.code())}});
  ctx.exit_code = ExitCodeFor(status, ctx.stop ? ctx.stop->signal() : 0);
  ctx.error_message = status.message();
  ctx.error_code = StatusCodeName(status.code());
}

std::optional<job::Lake> OpenLakeOrFail(CliContext& ctx, Logger& log,
                                        const job::LakeLayout& layout, bool rank) {
  auto lake = job::Lake::Open(layout, ctx.storage_options);
  if (!lake.ok()) {
    FailCommand(ctx, log, lake.status());
    return std::nullopt;
  }
  if (Status distinct = lake->CheckTablesDistinct(rank); !distinct.ok()) {
    FailCommand(ctx, log, distinct);
    ctx.exit_code = kExitUsage;
    return std::nullopt;
  }
  return std::move(lake).value();
}

}  // namespace rs::cli
