// `sample-data`: deterministic synthetic gold tables (market_daily and
// finance_daily) as Delta tables under a lake, partitioned by year_month.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <ostream>

#include "cli/command_support.h"
#include "common/dates.h"
#include "cli/lake.h"
#include "cli/subcommands.h"
#include "signals/months.h"
#include "signals/sample_data.h"

namespace rs::cli {
namespace {

struct SampleCommandOptions {
  CommonOptions common;
  LakeLayout layout;
  int symbols = 50;
  std::string start = "2023-01-01";
  std::string end = "2024-12-31";
  uint64_t seed = 42;
};

Result<int32_t> ParseDate(const std::string& flag, const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      m < 1 || m > 12 || d < 1 || d > 31) {
    return Status::InvalidArgument(flag + " '" + text + "': expected a date YYYY-MM-DD");
  }
  auto days = static_cast<int32_t>(
      DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
  if (signals::FormatDate(days) != text) {
    return Status::InvalidArgument(flag + " '" + text + "' is not a real date");
  }
  return days;
}

// Adds year_month and splits the rows by it.
std::map<std::string, RecordBatch> SplitByMonth(const RecordBatch& batch) {
  int date_col = batch.FindColumn("date");
  const auto& dates = batch.columns[date_col].As<int32_t>();
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) rows[signals::YearMonthOf(dates[i])].push_back(i);
  std::map<std::string, RecordBatch> out;
  for (auto& [month, idx] : rows) {
    RecordBatch part = TakeRows(batch, idx);
    Field f{"year_month", DataType::Primitive(TypeId::kString), false};
    ColumnVector ym = ColumnVector::Make(f);
    ym.As<std::string>().assign(idx.size(), month);
    part.schema.push_back(f);
    part.columns.push_back(std::move(ym));
    out.emplace(month, std::move(part));
  }
  return out;
}

Result<int64_t> WriteGoldTable(const Lake& lake, const std::string& path, const RecordBatch& batch,
                               const std::string& run_id) {
  auto parts = SplitByMonth(batch);
  std::vector<std::string> months;
  for (const auto& [m, _] : parts) months.push_back(m);
  Schema schema = batch.schema;
  schema.push_back(Field{"year_month", DataType::Primitive(TypeId::kString), false});
  std::string where = "write " + lake.Describe(path);
  RS_ASSIGN_OR_RETURN_CTX(auto table, lake.OpenTable(path), where);
  delta::CommitOptions opts;
  opts.run_id = run_id;
  RS_ASSIGN_OR_RETURN_CTX(auto tx, table->BeginOverwrite(schema, {"year_month"}, months, opts), where);
  for (const auto& [month, part] : parts) {
    Status s = tx->WritePartition(month, part);
    if (!s.ok()) {
      (void)tx->Abandon();
      return s.Annotate(where);
    }
  }
  RS_ASSIGN_OR_RETURN_CTX(auto outcome, tx->Commit(), where);
  tx.reset();  // before the table it refers to
  return outcome.version;
}

void SampleDataCommand(CliContext& ctx, const SampleCommandOptions& o) {
  signals::SampleOptions so;
  so.symbols = o.symbols;
  so.seed = o.seed;
  auto start = ParseDate("--start", o.start);
  auto end = ParseDate("--end", o.end);
  if (!start.ok()) return ctx.Fail(start.status(), kExitUsage);
  if (!end.ok()) return ctx.Fail(end.status(), kExitUsage);
  if (*end < *start) {
    return ctx.Fail(Status::InvalidArgument("--end must not be before --start"), kExitUsage);
  }
  if (o.symbols < 1) return ctx.Fail(Status::InvalidArgument("--symbols must be >= 1"), kExitUsage);
  so.start_date = *start;
  so.end_date = *end;
  std::string run_id = NewRunId();
  auto log = MakeLogger(ctx, o.common, run_id);
  auto data = signals::GenerateSampleData(so);
  if (!data.ok()) return FailCommand(ctx, *log, data.status());
  auto lake = Lake::Open(o.layout, ctx.storage_options);
  if (!lake.ok()) return FailCommand(ctx, *log, lake.status());
  auto mv = WriteGoldTable(*lake, o.layout.market, data->market_daily, run_id);
  if (!mv.ok()) return FailCommand(ctx, *log, mv.status());
  auto fv = WriteGoldTable(*lake, o.layout.finance, data->finance_daily, run_id);
  if (!fv.ok()) return FailCommand(ctx, *log, fv.status());
  log->Info("sample data written",
            {{"market_daily", lake->Describe(o.layout.market)},
             {"market_rows", data->market_daily.num_rows}, {"market_version", *mv},
             {"finance_daily", lake->Describe(o.layout.finance)},
             {"finance_rows", data->finance_daily.num_rows}, {"finance_version", *fv}});
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
  AddLakeOptions(cmd, &o->layout, true);
  AddCommonOptions(cmd, &o->common);
  cmd->add_option("--symbols", o->symbols, "Number of symbols")->capture_default_str();
  cmd->add_option("--start", o->start, "First calendar day (YYYY-MM-DD)")->capture_default_str();
  cmd->add_option("--end", o->end, "Last calendar day (YYYY-MM-DD)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same data)")->capture_default_str();
  cmd->callback([&ctx, o] { SampleDataCommand(ctx, *o); });
}

}  // namespace rs::cli
