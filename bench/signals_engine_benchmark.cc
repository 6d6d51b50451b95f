// Ranking engine throughput on generated data, both stages. Size from the
// environment: RS_BENCH_SYMBOLS (default 5,000) x RS_BENCH_YEARS (default 10)
// years of weekdays ending 2024-12-31 (about 12 million market_daily rows at
// the defaults).
//
//   RS_BENCH_SYMBOLS=5000 RS_BENCH_YEARS=10 bench_signals_engine --benchmark_filter=.
//
// The same data as CSV, for bench/signals_duckdb.mjs:
//   build/tests/signals/signals_sample_csv <dir> <symbols> <years> 42
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/allocator.h"
#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_data.h"

namespace rs::signals {
namespace {

constexpr int32_t kEndDate = 20088;  // 2024-12-31, as signals_sample_csv

// A positive integer from the environment, or `fallback`; exits on a bad value.
int SizeFromEnv(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n <= 0 || n > 1'000'000) {
    std::fprintf(stderr, "bench_signals_engine: %s must be a positive integer, got '%s'\n", name, v);
    std::exit(2);
  }
  return static_cast<int>(n);
}

const SampleData& Data() {
  static const SampleData* data = [] {
    SampleOptions opt;
    opt.symbols = SizeFromEnv("RS_BENCH_SYMBOLS", 5000);
    int years = SizeFromEnv("RS_BENCH_YEARS", 10);
    opt.end_date = kEndDate;
    opt.start_date = kEndDate + 1 - static_cast<int32_t>(years * 365.25);
    opt.seed = 42;
    auto r = GenerateSampleData(opt);
    if (!r.ok()) std::abort();
    return new SampleData(std::move(r).value());
  }();
  return *data;
}

const PreparedInput& Input() {
  static const PreparedInput* input = [] {
    auto r = Prepare(Data().market_daily, &Data().finance_daily, nullptr);
    if (!r.ok()) std::abort();
    return new PreparedInput(std::move(r).value());
  }();
  return *input;
}

// Ranks and materializes each month in turn, as the job does; returns rows written.
size_t RunMonths(const std::vector<std::string>& months, int threads) {
  size_t rows = 0;
  for (const std::string& m : months) {
    auto ranked = RankMonth(Input(), m, EngineOptions{threads});
    MaterializeOptions opt;
    opt.threads = threads;
    auto derived = Materialize(*ranked, opt);
    rows += ranked->num_rows + derived->ranking_signals.num_rows +
            derived->composite_signals.num_rows;
  }
  return rows;
}

void BM_Prepare(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Prepare(Data().market_daily, &Data().finance_daily, nullptr);
    benchmark::DoNotOptimize(r);
  }
  state.counters["market_rows"] = static_cast<double>(Data().market_daily.num_rows);
}

void BM_AllMonthsBothStages(benchmark::State& state) {
  std::vector<std::string> months = AvailableMonths(Input());
  size_t rows = 0;
  for (auto _ : state) rows = RunMonths(months, static_cast<int>(state.range(0)));
  state.counters["rows_out"] = static_cast<double>(rows);
  state.counters["months"] = static_cast<double>(months.size());
}

void BM_AllMonthsRankOnly(benchmark::State& state) {
  std::vector<std::string> months = AvailableMonths(Input());
  for (auto _ : state) {
    for (const std::string& m : months) {
      auto r = RankMonth(Input(), m, EngineOptions{static_cast<int>(state.range(0))});
      benchmark::DoNotOptimize(r);
    }
  }
}

void BM_LatestBothStages(benchmark::State& state) {
  auto latest = ResolveMonthSpec("latest", AvailableMonths(Input()));
  size_t rows = 0;
  for (auto _ : state) rows = RunMonths(*latest, static_cast<int>(state.range(0)));
  state.counters["rows_out"] = static_cast<double>(rows);
}

// Process CPU time is reported next to wall time: on a shared machine it is
// the comparable figure (bench/signals_duckdb.mjs reports the same).
BENCHMARK(BM_Prepare)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_AllMonthsBothStages)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_AllMonthsRankOnly)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_LatestBothStages)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
}  // namespace rs::signals

// As the ranking-signals program does (src/cli/main.cc).
int main(int argc, char** argv) {
  rs::TuneAllocatorForBatchWork();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
