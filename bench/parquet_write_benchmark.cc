// Parquet writer throughput on the ranking_signal shape: one month of
// 5,000 symbols x 6 strategies x 21 trading days = 630,000 rows, written as
// one file. Reports rows/s (items_per_second). The DuckDB baseline for the
// same rows is bench/parquet_write_duckdb.mjs.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "parquet/writer.h"

namespace rs::parquet {
namespace {

constexpr int kSymbols = 5000;
constexpr int kStrategies = 6;
constexpr int kDays = 21;
const char* const kStrategyNames[kStrategies] = {"LowVol_63D", "Momentum_12_1", "Momentum_60D",
                                                  "Reversal_21D", "Trend_50_200", "Value_PE"};

std::string Symbol(int s) {
  std::string n = std::to_string(s);
  return "SYM" + std::string(4 - n.size(), '0') + n;
}

// Same formulas as the SQL in bench/parquet_write_duckdb.mjs, rows ordered
// by date, strategy, symbol.
RecordBatch RankingSignalMonth() {
  Schema schema = {
      {"date", DataType::Primitive(TypeId::kDate), false},
      {"year_month", DataType::Primitive(TypeId::kString), false},
      {"symbol", DataType::Primitive(TypeId::kString), false},
      {"strategy", DataType::Primitive(TypeId::kString), false},
      {"rank", DataType::Primitive(TypeId::kInteger), false},
      {"rank_percentile", DataType::Primitive(TypeId::kDouble), false},
      {"n_symbols", DataType::Primitive(TypeId::kInteger), false},
      {"score", DataType::Primitive(TypeId::kDouble), true},
  };
  RecordBatch b;
  b.schema = schema;
  for (const Field& f : schema) b.columns.push_back(ColumnVector::Make(f));
  std::vector<std::string> symbols;
  for (int s = 0; s < kSymbols; ++s) symbols.push_back(Symbol(s));
  auto& score_valid = b.columns[7].validity;
  for (int d = 0; d < kDays; ++d) {
    for (int k = 0; k < kStrategies; ++k) {
      for (int s = 0; s < kSymbols; ++s) {
        int rank = (s * 7919 + d * 31 + k) % kSymbols + 1;
        b.columns[0].As<int32_t>().push_back(19723 + d);  // 2024-01-01 + d
        b.columns[1].As<std::string>().push_back("2024-01");
        b.columns[2].As<std::string>().push_back(symbols[static_cast<size_t>(s)]);
        b.columns[3].As<std::string>().push_back(kStrategyNames[k]);
        b.columns[4].As<int32_t>().push_back(rank);
        b.columns[5].As<double>().push_back(1.0 - (rank - 1) / double{kSymbols - 1});
        b.columns[6].As<int32_t>().push_back(kSymbols);
        bool null_score = (s + d) % 50 == 0;
        b.columns[7].As<double>().push_back(
            null_score ? 0.0 : ((s * 131 + d * 17 + k) % 10007) / 10007.0 - 0.5);
        score_valid.push_back(null_score ? 0 : 1);
      }
    }
  }
  b.num_rows = b.columns[0].size();
  return b;
}

void BM_WriteRankingSignalMonth(benchmark::State& state) {
  static const RecordBatch batch = RankingSignalMonth();
  WriterOptions options;
  options.compression = static_cast<Compression>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    auto writer = FileWriter::Create(batch.schema, options);
    if (!writer.ok() || !(*writer)->WriteBatch(batch).ok()) {
      state.SkipWithError("write failed");
      if (writer.ok()) (*writer)->Abandon();
      return;
    }
    auto file = (*writer)->Finish();
    if (!file.ok()) return state.SkipWithError("finish failed");
    bytes = file->size();
    benchmark::DoNotOptimize(file->data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.num_rows));
  state.counters["file_bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_WriteRankingSignalMonth)
    ->ArgName("codec")  // 0 none, 1 snappy, 2 gzip, 3 zstd
    ->Arg(static_cast<int>(Compression::kSnappy))
    ->Arg(static_cast<int>(Compression::kNone))
    ->Arg(static_cast<int>(Compression::kZstd))
    ->Arg(static_cast<int>(Compression::kGzip))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace rs::parquet

BENCHMARK_MAIN();
