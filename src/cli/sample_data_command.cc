// `sample-data`: deterministic synthetic gold tables (market_daily and
// finance_daily) as Delta tables under a lake, partitioned by year_month.
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "cli/command_support.h"
#include "common/settings.h"
#include "common/calendar.h"
#include "cli/subcommands.h"
#include "job/sample_data.h"
#include "signals/months.h"
#include "signals/sample_data.h"

namespace rs::cli {
namespace {

struct SampleCommandOptions {
  CommonOptions common;
  job::LakeLayout layout;
  int symbols = 50;
  std::string start = "2023-01-01";
  std::string end = "2024-12-31";
  uint64_t seed = 42;
};

void SampleDataCommand(CliContext& ctx, const SampleCommandOptions& o) {
  if (!LogSettingsOrFail(ctx, o.common)) return;
  signals::SampleOptions so;
  so.symbols = o.symbols;
  so.seed = o.seed;
  auto start = ParseDate(o.start);
  auto end = ParseDate(o.end);
  if (!start.ok()) return ctx.Fail(start.status().Annotate("--start"), kExitUsage);
  if (!end.ok()) return ctx.Fail(end.status().Annotate("--end"), kExitUsage);
  if (*end < *start) {
    return ctx.Fail(Status::InvalidArgument("--end must not be before --start"), kExitUsage);
  }
  constexpr int kMaxSymbols = 1'000'000;
  if (Status s = CheckBounds("--symbols", o.symbols, 1, kMaxSymbols); !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  so.start_date = *start;
  so.end_date = *end;
  std::string run_id = NewRunId();
  auto log = MakeLogger(ctx, o.common, run_id);
  auto lake = job::Lake::Open(o.layout, ctx.storage_options);
  if (!lake.ok()) return FailCommand(ctx, *log, lake.status());
  auto written = job::WriteSampleData(*lake, so, run_id);
  if (!written.ok()) return FailCommand(ctx, *log, written.status());
  log->Info("sample data written",
            {{"market_daily", lake->Describe(o.layout.market)},
             {"market_rows", written->market_rows}, {"market_version", written->market_version},
             {"finance_daily", lake->Describe(o.layout.finance)},
             {"finance_rows", written->finance_rows}, {"finance_version", written->finance_version}});
  ctx.exit_code = kExitOk;
}

}  // namespace

void AddSampleDataCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<SampleCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sample-data",
      "Write deterministic synthetic gold/market_daily and gold/finance_daily Delta tables "
      "(random-walk closes, gaps, halts, a few invalid rows, sparse P/E) under a lake.");
  cmd->footer("Examples:\n  ranking-signals sample-data --lake /tmp/lake\n"
              "  ranking-signals sample-data --lake /tmp/lake --symbols 500 --start 2015-01-01 "
              "--end 2024-12-31 --seed 7");
  AddLakeOptions(cmd, &o->layout, LakeTables::kInputs);
  AddCommonOptions(cmd, &o->common, /*with_config=*/false);
  cmd->add_option("--symbols", o->symbols, "Number of symbols")->capture_default_str();
  cmd->add_option("--start", o->start, "First calendar day (YYYY-MM-DD)")->capture_default_str();
  cmd->add_option("--end", o->end, "Last calendar day (YYYY-MM-DD)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same data)")->capture_default_str();
  cmd->callback([&ctx, o] { SampleDataCommand(ctx, *o); });
}

}  // namespace rs::cli
