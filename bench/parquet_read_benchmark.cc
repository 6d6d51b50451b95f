// Parquet read hot path: the four columns the ranking job needs (date,
// symbol, close, volume) of a 12-million-row market_daily file, read through
// local-disk Storage with ranged reads. Compare with DuckDB reading the same
// columns of the same file: bench/parquet_read_duckdb.mjs (which also writes
// the file with DuckDB COPY, snappy, when it is missing).
//
//   node bench/parquet_read_duckdb.mjs /tmp/rs_bench/market_daily_12m.parquet
//   RS_BENCH_MARKET_DAILY=/tmp/rs_bench/market_daily_12m.parquet \
//     build/bench/bench_parquet_read --benchmark_min_time=3x
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "parquet/reader.h"
#include "storage/local.h"

namespace rs::parquet {
namespace {

std::string BenchFile() {
  const char* env = std::getenv("RS_BENCH_MARKET_DAILY");
  return env != nullptr ? env : "/tmp/rs_bench/market_daily_12m.parquet";
}

void ReadProjected(benchmark::State& state, int threads) {
  const std::filesystem::path file = BenchFile();
  if (!std::filesystem::exists(file)) {
    state.SkipWithError(("missing " + file.string() +
                         ": run node bench/parquet_read_duckdb.mjs <file> first").c_str());
    return;
  }
  auto store = storage::OpenLocalStorage(file.parent_path().string());
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  std::shared_ptr<storage::Storage> shared = std::move(store).value();
  ReadOptions options;
  options.columns = {"date", "symbol", "close", "volume"};
  options.num_threads = threads;
  size_t rows = 0;
  for (auto _ : state) {
    auto reader = FileReader::Open(shared, file.filename().string());
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    auto batch = (*reader)->Read(options);
    if (!batch.ok()) {
      state.SkipWithError(batch.status().ToString().c_str());
      return;
    }
    rows = batch->num_rows;
    double close_sum = 0;
    for (double c : batch->columns[2].As<double>()) close_sum += c;
    benchmark::DoNotOptimize(close_sum);
    benchmark::DoNotOptimize(batch->columns[1].As<std::string>().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows) * state.iterations());
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_ReadMarketDaily4Columns(benchmark::State& state) {
  ReadProjected(state, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_ReadMarketDaily4Columns)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rs::parquet

BENCHMARK_MAIN();
