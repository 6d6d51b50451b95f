// `verify`, `sync` and `migrate`: the operator's tools around PostgreSQL.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/command_support.h"
#include "cli/result_output.h"
#include "cli/subcommands.h"
#include "job/replicate.h"
#include "job/sync.h"
#include "job/verify.h"
#include "postgres/migrations.h"
#include "signals/months.h"

namespace rs::cli {
namespace {

struct OpsOptions {
  CommonOptions common;
  ResultOptions result;  // verify, sync
  job::LakeLayout layout;
  std::string months;
  std::string migrations_dir;
  bool force = false;  // sync --force
  bool status = false;   // migrate --status
  bool dry_run = false;  // sync --dry-run, migrate --dry-run
};

// A malformed --months is a usage error, before anything is read.
bool MonthsValidOrFail(CliContext& ctx, const std::string& months) {
  if (months.empty()) return true;
  auto spec = signals::ResolveMonthSpec(months, {});
  if (!spec.ok() && spec.status().code() == StatusCode::kInvalidArgument) {
    ctx.Fail(spec.status(), kExitUsage);
    return false;
  }
  return true;
}

Status RequireDsn(const job::JobOptions& options, const std::string& command) {
  if (options.replication.dsn) return Status::OK();
  return Status::InvalidArgument(command + " needs PostgreSQL: set POSTGRES_DSN or pass --dsn");
}

// Prints the verification table to `out`: one row per month, each column
// labelled, then what the columns mean.
void PrintMonthChecks(const std::vector<job::MonthCheck>& checks, std::ostream& out) {
  constexpr std::string_view kRow = "{:<8} {:<8} {:>13} {:>13} {:>15} {:>15} {:>13} {:>14}  {}\n";
  out << fmt::format(kRow, "month", "state", "signals_delta", "signals_pg", "composite_delta",
                     "composite_pg", "delta_version", "ledger_version", "detail");
  for (const auto& m : checks) {
    out << fmt::format(kRow, m.month, job::MonthStateName(m.state), m.delta_signals_rows,
                       m.pg_signals_rows, m.delta_composite_rows, m.pg_composite_rows,
                       m.delta_version,
                       m.ledger_version ? std::to_string(*m.ledger_version) : "-", m.detail);
  }
  out << "rows: ranking_signals and composite rows of the month in Delta and in PostgreSQL; "
         "delta_version: the newest ranking_signals version that wrote the month; "
         "ledger_version: the version the ledger records as synced (- none). "
         "--format json adds the content checksums.\n";
}

void VerifyCommand(CliContext& ctx, const OpsOptions& o) {
  ResultScope result(ctx, o.result, "verify");
  auto options = LoadOptionsOrFail(ctx, o.common);
  if (!options) return;
  if (Status s = RequireDsn(*options, "verify"); !s.ok()) return ctx.Fail(s, kExitUsage);
  if (!MonthsValidOrFail(ctx, o.months)) return;
  std::string run_id = NewRunId();
  result.SetRunId(run_id);
  auto log = MakeLogger(ctx, o.common, run_id);
  auto lake = OpenLakeOrFail(ctx, *log, o.layout, /*rank=*/false);
  if (!lake) return;
  auto checks =
      job::VerifyMonths(*lake, o.months.empty() ? "all" : o.months, options->replication, *log);
  if (!checks.ok()) return FailCommand(ctx, *log, checks.status());
  ResultJson months = ResultJson::array();
  for (const auto& c : *checks) months.push_back(MonthCheckJson(c));
  result.Set({{"months", std::move(months)}});
  if (!result.json_on_stdout()) PrintMonthChecks(*checks, *ctx.out);
  int out_of_sync = 0;
  for (const auto& c : *checks) out_of_sync += c.state != job::MonthState::kInSync;
  log->Info("verify finished", {{"months", checks->size()}, {"out_of_sync", out_of_sync}});
  ctx.exit_code = out_of_sync > 0 ? kExitDrift : kExitOk;
}

void SyncCommand(CliContext& ctx, const OpsOptions& o) {
  ResultScope result(ctx, o.result, "sync");
  auto options = LoadOptionsOrFail(ctx, o.common);
  if (!options) return;
  if (Status s = RequireDsn(*options, "sync"); !s.ok()) return ctx.Fail(s, kExitUsage);
  if (!MonthsValidOrFail(ctx, o.months)) return;
  job::SyncRequest request;
  request.months_spec = o.months;
  request.run_id = NewRunId();
  request.force = o.force;
  request.stop = ctx.stop;
  request.dry_run = o.dry_run;
  result.SetRunId(request.run_id);
  auto log = MakeLogger(ctx, o.common, request.run_id);
  auto lake = OpenLakeOrFail(ctx, *log, o.layout, /*rank=*/false);
  if (!lake) return;
  job::SyncReport report;
  Status s = job::SyncMonths(*lake, request, options->replication, *log, &report);
  result.Set(SyncReportJson(report));
  if (!s.ok()) return FailCommand(ctx, *log, s);
  if (report.months.empty()) {
    log->Info("nothing to sync: every month is in sync");
    ctx.exit_code = kExitOk;
    return;
  }
  if (o.dry_run) {
    result.Set({{"dry_run", true}, {"would_replicate", report.months}});
    ctx.exit_code = kExitOk;
    return;
  }
  if (!report.still_out_of_sync.empty()) {
    log->Warn("sync finished; months still out of sync (see the warnings above)",
              {{"months", report.months.size()},
               {"out_of_sync", fmt::format("{}", fmt::join(report.still_out_of_sync, ","))}});
    ctx.exit_code = kExitDrift;
    return;
  }
  log->Info("sync finished", {{"months", report.months.size()}});
  ctx.exit_code = kExitOk;
}

// The migrations shipped with this build: --migrations-dir, else
// RANKING_MIGRATIONS_DIR, else deploy/sql/postgres/migrations found from the
// working directory or the executable's location.
std::string FindMigrationsDir(const CliContext& ctx, const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto it = ctx.env.find("RANKING_MIGRATIONS_DIR"); it != ctx.env.end()) return it->second;
  namespace fs = std::filesystem;
  const fs::path rel = "deploy/sql/postgres/migrations";
  std::vector<fs::path> bases = {fs::current_path()};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      bases.push_back(p);
    }
  }
  for (const auto& b : bases) {
    if (fs::is_directory(b / rel, ec)) return (b / rel).string();
  }
  return rel.string();
}

const char* MigrationAction(postgres::MigrationStep::Action action) {
  switch (action) {
    case postgres::MigrationStep::Action::kApplied: return "applied";
    case postgres::MigrationStep::Action::kAdopted: return "adopted (predecessor's ledger)";
    case postgres::MigrationStep::Action::kReapplied: return "applied again (restored objects)";
    case postgres::MigrationStep::Action::kAlreadyApplied: break;
  }
  return "already applied";
}

// migrate --status / --dry-run: one line per migration on stdout
// ("0003 applied 0003_ranking_signals.sql"), read only. --dry-run also says
// what `migrate` would do; a changed file fails (as migrate would).
void MigrateStatusCommand(CliContext& ctx, Logger& log, const postgres::ConnectionOptions& co,
                          const std::string& dir, bool dry_run) {
  auto report = postgres::MigrationStatus(co, dir);
  if (!report.ok()) return FailCommand(ctx, log, report.status());
  using State = postgres::MigrationState::State;
  int pending = 0, changed = 0;
  for (const auto& e : report->entries) {
    *ctx.out << fmt::format("{} {:<8} {}\n", e.version, postgres::MigrationStateName(e.state),
                            e.file.empty() ? "(no file in " + dir + ")" : e.file);
    pending += e.state == State::kPending;
    changed += e.state == State::kChanged;
  }
  if (dry_run) {
    log.Info("migrate --dry-run: nothing was changed",
             {{"target", report->target}, {"would_apply", pending}, {"migrations_dir", dir}});
  } else {
    log.Info("migrate --status",
             {{"target", report->target}, {"pending", pending}, {"migrations_dir", dir}});
  }
  if (changed > 0) {
    ctx.exit_code = kExitFailure;
    log.Error(
        "an applied migration file was changed: migrate refuses to run; restore the file "
        "as applied and put the change in a new migration",
        {{"changed", changed}});
    return;
  }
  ctx.exit_code = kExitOk;
}

void MigrateCommand(CliContext& ctx, const OpsOptions& o) {
  auto options = LoadOptionsOrFail(ctx, o.common);
  if (!options) return;
  if (Status s = RequireDsn(*options, "migrate"); !s.ok()) return ctx.Fail(s, kExitUsage);
  auto log = MakeLogger(ctx, o.common, NewRunId());
  postgres::ConnectionOptions co = job::ConnectionOptionsFor(options->replication);
  std::string dir = FindMigrationsDir(ctx, o.migrations_dir);
  if (o.status || o.dry_run) return MigrateStatusCommand(ctx, *log, co, dir, o.dry_run);
  auto report = postgres::Migrate(co, dir);
  if (!report.ok()) return FailCommand(ctx, *log, report.status());  // says "migrate: ..."
  for (const auto& step : report->steps) {
    log->Info("migration", {{"file", step.file}, {"action", MigrationAction(step.action)}});
  }
  for (const auto& r : report->restored) {
    log->Warn("restored an object dropped by hand (its migration was applied again)",
              {{"object", r}});
  }
  for (const auto& v : report->unknown_versions) {
    log->Warn("the database has a migration this build does not know (a newer release ran)",
              {{"version", v}});
  }
  log->Info("migrate finished", {{"target", report->target}, {"applied", report->applied_count()},
                                 {"migrations_dir", dir}});
  ctx.exit_code = kExitOk;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<OpsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Compare Delta with PostgreSQL per month (row counts, content checksums, Delta versions, "
      "ledger) and print months in_sync / drifted / missing / stale. Exit 3 when any is out of sync.");
  cmd->footer("Examples:\n  ranking-signals verify --lake /data/lake\n"
              "  ranking-signals verify --lake /data/lake --months 2024-01..2024-06");
  AddLakeOptions(cmd, &o->layout, LakeTables::kServed);
  AddCommonOptions(cmd, &o->common);
  AddResultOptions(cmd, &o->result);
  cmd->add_option("--months", o->months, "Months to check (default: all on either side)");
  cmd->add_option("--dsn", o->common.dsn_flag, "PostgreSQL DSN (default: POSTGRES_DSN)");
  cmd->callback([&ctx, o] { VerifyCommand(ctx, *o); });
}

void AddSyncCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<OpsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sync",
      "Replicate again from Delta, with no recompute, the months that are missing, drifted or "
      "stale in PostgreSQL (or exactly the months given).");
  cmd->footer("Examples:\n  ranking-signals sync --lake /data/lake\n"
              "  ranking-signals sync --lake /data/lake --months 2024-03\n"
              "  ranking-signals sync --lake /data/lake --months 2024-03 --force");
  AddLakeOptions(cmd, &o->layout, LakeTables::kServed);
  AddCommonOptions(cmd, &o->common);
  AddResultOptions(cmd, &o->result);
  cmd->add_option("--months", o->months, "Months to replicate (default: those out of sync)");
  cmd->add_flag("--dry-run", o->dry_run,
                "Verify and list the months that would be replicated; replicate nothing");
  cmd->add_flag("--force", o->force,
                "Replace the months whatever the ledger records (even when it records a newer "
                "Delta version of the same tables)");
  cmd->add_option("--dsn", o->common.dsn_flag, "PostgreSQL DSN (default: POSTGRES_DSN)");
  cmd->callback([&ctx, o] { SyncCommand(ctx, *o); });
}

void AddMigrateCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<OpsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "migrate",
      "Apply pending SQL migrations (deploy/sql/postgres/migrations) in order, each in its own "
      "transaction, under an advisory lock. Running it again changes nothing.");
  cmd->footer(
      "Examples:\n  POSTGRES_DSN=... ranking-signals migrate\n"
      "  ranking-signals migrate --dsn \"$ADMIN_DSN\"\n"
      "  ranking-signals migrate --status");
  AddCommonOptions(cmd, &o->common, /*with_config=*/false);
  cmd->add_option("--dsn", o->common.dsn_flag,
                  "Admin DSN (default: POSTGRES_DSN); may differ from the job's");
  cmd->add_flag("--status", o->status,
                "List each migration as applied, pending, adopted (the predecessor's), changed "
                "(file edited after it was applied) or unknown (no file here); changes nothing");
  cmd->add_flag("--dry-run", o->dry_run,
                "Say what migrate would apply (the --status list), changing nothing");
  cmd->add_option("--migrations-dir", o->migrations_dir,
                  "Folder of NNNN_name.sql files (default: RANKING_MIGRATIONS_DIR or the shipped one)");
  cmd->callback([&ctx, o] { MigrateCommand(ctx, *o); });
}

}  // namespace rs::cli
