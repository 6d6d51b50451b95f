// `run` and `materialize`.
#include <memory>

#include "cli/command_support.h"
#include "cli/result_output.h"
#include "cli/subcommands.h"
#include "job/run.h"
#include "signals/months.h"

namespace rs::cli {
namespace {

struct JobCommandOptions {
  CommonOptions common;
  ResultOptions result;
  job::LakeLayout layout;
  std::string months = "latest";
  std::string shard = "0/1";
  std::string shard_group;
  std::string shard_owner;
  bool dry_run = false;
};

// The first of `names` set in the environment, or "".
std::string FirstEnv(const CliContext& ctx, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = ctx.env.find(name);
    if (it != ctx.env.end() && !it->second.empty()) return it->second;
  }
  return std::string();
}

void RunJobCommand(CliContext& ctx, const JobCommandOptions& o, bool rank) {
  ResultScope result(ctx, o.result, rank ? "run" : "materialize");
  auto options = LoadOptionsOrFail(ctx, o.common);
  if (!options) return;
  // A malformed month spec is a usage error, found before any data is read
  // (a well-formed one with no data is found later, against the input).
  if (auto spec = signals::ResolveMonthSpec(o.months, {});
      !spec.ok() && spec.status().code() == StatusCode::kInvalidArgument) {
    return ctx.Fail(spec.status(), kExitUsage);
  }
  auto shard = job::ParseShard(o.shard);
  if (!shard.ok()) return ctx.Fail(shard.status(), kExitUsage);
  job::JobRequest req;
  req.options = *options;
  req.months_spec = o.months;
  req.shard = *shard;
  req.shard_group = o.shard_group;
  if (req.shard_group.empty())
    req.shard_group = FirstEnv(ctx, {"CONTAINER_APP_JOB_EXECUTION_NAME"});
  // A restarted replica keeps its name (the pod's), so it can re-take its claim.
  req.shard_owner = o.shard_owner;
  if (req.shard_owner.empty()) {
    req.shard_owner = FirstEnv(ctx, {"CONTAINER_APP_REPLICA_NAME", "HOSTNAME"});
  }
  req.rank = rank;
  req.run_id = NewRunId();
  req.stop = ctx.stop;
  req.dry_run = o.dry_run;
  result.SetRunId(req.run_id);
  auto log = MakeLogger(ctx, o.common, req.run_id);
  log->Info(rank ? "run started" : "materialize started",
            {{"lake", o.layout.lake}, {"months", o.months}, {"shard", o.shard},
             {"replication", req.options.replication.dsn ? "on" : "off"}});
  // RunJob checks the locations again for other callers.
  auto lake = OpenLakeOrFail(ctx, *log, o.layout, rank);
  if (!lake) return;
  job::JobReport report;
  Status s = job::RunJob(*lake, req, *log, &report);
  job::LogJobSummary(report, *log, s);
  result.Set(JobReportJson(report));
  if (!s.ok()) return FailCommand(ctx, *log, s);
  ctx.exit_code = kExitOk;
}

void AddJobCommand(CLI::App& app, CliContext& ctx, bool rank) {
  auto o = std::make_shared<JobCommandOptions>();
  CLI::App* cmd =
      rank ? app.add_subcommand("run",
                                "Rank, materialize and write the three Delta tables (exactly the "
                                "target months replaced), then replicate them to PostgreSQL when "
                                "POSTGRES_DSN is set.")
           : app.add_subcommand("materialize",
                                "Derive ranking_signals and composite signals from an existing "
                                "rankings table (ours or another tool's), write them, replicate.");
  cmd->footer(rank ? "Examples:\n  ranking-signals run --lake /data/lake --months latest\n"
                     "  ranking-signals run --lake abfss://lake@acct.dfs.core.windows.net/ "
                     "--months 2024-01..2024-06\n"
                     "  ranking-signals run --lake /data/lake --months all --shard 2/4"
                   : "Examples:\n  ranking-signals materialize --lake /data/lake --months 2024-03");
  AddLakeOptions(cmd, &o->layout, rank ? LakeTables::kInputsAndServed : LakeTables::kServed);
  AddCommonOptions(cmd, &o->common);
  AddResultOptions(cmd, &o->result);
  cmd->add_flag("--dry-run", o->dry_run,
                "Compute the target months and show what would be written (months, tables, rows) "
                "and replicated; write nothing anywhere");
  cmd->add_option("--months", o->months,
                  "Target months: YYYY-MM, YYYY-MM..YYYY-MM, latest, all, or a comma list")
      ->capture_default_str();
  cmd->add_option("--top-n", o->common.top_n, "strategies_hit threshold (RANKING_SIGNALS_TOP_N)");
  cmd->add_option("--threads", o->common.threads,
                  "Threads: months computed and written at once, 0 = all cores "
                  "(RANKING_THREADS)");
  if (rank) {
    cmd->add_option("--shard", o->shard,
                    "K/N: take every N-th target month starting at K; auto/N claims a free shard")
        ->capture_default_str();
    cmd->add_option("--shard-group", o->shard_group,
                    "Claim group for --shard auto/N (default: CONTAINER_APP_JOB_EXECUTION_NAME)");
    cmd->add_option("--shard-owner", o->shard_owner,
                    "This replica's name in --shard auto/N claims; a restarted replica re-takes "
                    "its claim (default: CONTAINER_APP_REPLICA_NAME, else HOSTNAME)");
  }
  cmd->callback([&ctx, o, rank] { RunJobCommand(ctx, *o, rank); });
}

}  // namespace

void AddRunCommand(CLI::App& app, CliContext& ctx) { AddJobCommand(app, ctx, true); }
void AddMaterializeCommand(CLI::App& app, CliContext& ctx) { AddJobCommand(app, ctx, false); }

}  // namespace rs::cli
