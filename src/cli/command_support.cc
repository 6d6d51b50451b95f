#include "cli/command_support.h"

#include <ostream>

#include "postgres/migrations.h"

namespace rs::cli {

void AddCommonOptions(CLI::App* cmd, CommonOptions* options) {
  cmd->add_option("--log-format", options->log_format, "Log format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--config", options->config_path,
                  "Optional JSON config file (weights, top_n, compression, row_group_bytes, ...); "
                  "flags and environment take precedence");
}

std::optional<JobConfig> LoadConfigOrFail(CliContext& ctx, const CommonOptions& options) {
  auto cfg = LoadJobConfig(ctx.env, options.config_path);
  if (!cfg.ok()) {
    ctx.Fail(cfg.status(), kExitUsage);
    return std::nullopt;
  }
  if (options.top_n) {
    if (*options.top_n < 1) {
      ctx.Fail(Status::InvalidArgument("--top-n must be >= 1"), kExitUsage);
      return std::nullopt;
    }
    cfg->engine.top_n = *options.top_n;
  }
  if (options.threads) cfg->engine.threads = *options.threads;
  if (!options.dsn_flag.empty()) cfg->replication.dsn = options.dsn_flag;
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

std::unique_ptr<Logger> MakeLogger(CliContext& ctx, const CommonOptions& options,
                                   const std::string& run_id) {
  LogFormat format = options.log_format == "json" ? LogFormat::kJson : LogFormat::kText;
  return std::make_unique<Logger>(*ctx.err, format, run_id, ctx.stderr_is_terminal);
}

void FailCommand(CliContext& ctx, Logger& log, const Status& status) {
  log.Error("failed", {{"error", status.message()}, {"code", StatusCodeName(status.code())}});
  ctx.exit_code = kExitFailure;
}

}  // namespace rs::cli
