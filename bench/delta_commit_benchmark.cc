// Committing one month's overwrite to a local table with 300 months of
// history and a checkpoint: snapshot load (checkpoint + JSON tail), data file
// write, commit, and every tenth commit a checkpoint. No data file is read.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "delta/table.h"

namespace {

namespace fs = std::filesystem;
using rs::DataType;
using rs::TypeId;

rs::Schema BenchSchema() {
  return {{"date", DataType::Primitive(TypeId::kDate), true},
          {"year_month", DataType::Primitive(TypeId::kString), true},
          {"symbol", DataType::Primitive(TypeId::kString), true},
          {"rank", DataType::Primitive(TypeId::kInteger), true},
          {"score", DataType::Primitive(TypeId::kDouble), true}};
}

std::string Month(int index) {  // 0 -> 2000-01
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", 2000 + index / 12, 1 + index % 12);
  return buf;
}

rs::RecordBatch Rows(const std::string& ym, int n) {
  rs::RecordBatch b;
  b.schema = BenchSchema();
  for (const auto& f : b.schema) b.columns.push_back(rs::ColumnVector::Make(f));
  for (int i = 0; i < n; ++i) {
    b.columns[0].As<int32_t>().push_back(10957 + i % 28);
    b.columns[1].As<std::string>().push_back(ym);
    b.columns[2].As<std::string>().push_back("S" + std::to_string(i));
    b.columns[3].As<int32_t>().push_back(i + 1);
    b.columns[4].As<double>().push_back(i * 0.25);
  }
  b.num_rows = n;
  return b;
}

void Check(const rs::Status& st) {
  if (!st.ok()) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", st.ToString().c_str());
    std::abort();
  }
}

rs::Status Overwrite(const rs::delta::Table& table, const std::vector<int>& months, int rows) {
  std::vector<std::string> names;
  for (int m : months) names.push_back(Month(m));
  RS_ASSIGN_OR_RETURN(auto tx, table.BeginOverwrite(BenchSchema(), {"year_month"}, names, {}));
  for (const auto& ym : names) {
    rs::Status s = tx.WritePartition(ym, Rows(ym, rows));
    if (!s.ok()) return s.WithCleanupError(tx.Abandon());
  }
  return tx.Commit().status();
}

// A table with 300 months, then 10 one-month commits so a checkpoint exists.
rs::delta::Table MakeTable(const fs::path& dir) {
  fs::remove_all(dir);
  auto store = rs::storage::OpenStorage(dir.string(), {});
  Check(store.status());
  auto table = rs::delta::Table::Open(std::move(store).value(), "");
  Check(table.status());
  std::vector<int> all;
  for (int m = 0; m < 300; ++m) all.push_back(m);
  Check(Overwrite(*table, all, 20));
  for (int i = 0; i < 10; ++i) Check(Overwrite(*table, {i * 7}, 20));
  return std::move(table).value();
}

void BM_CommitOneMonthOverwrite(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / ("rs_delta_commit_bench_" + std::to_string(getpid()));
  auto table = MakeTable(dir);
  int month = 0;
  double commit_seconds = 0;
  for (auto _ : state) {
    std::string ym = Month(month++ % 300);
    auto tx = table.BeginOverwrite(BenchSchema(), {"year_month"}, {ym}, {});
    Check(tx.status());
    Check(tx->WritePartition(ym, Rows(ym, 1000)));
    auto start = std::chrono::steady_clock::now();
    auto outcome = tx->Commit();
    Check(outcome.status());
    commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["commit_ms"] = benchmark::Counter(commit_seconds * 1000 / state.iterations());
  auto snapshot = table.LoadSnapshot();
  Check(snapshot.status());
  state.counters["files"] = static_cast<double>(snapshot->files.size());
  fs::remove_all(dir);
}
BENCHMARK(BM_CommitOneMonthOverwrite)->Unit(benchmark::kMillisecond)->Iterations(30);

void BM_LoadSnapshot300Months(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / ("rs_delta_load_bench_" + std::to_string(getpid()));
  auto table = MakeTable(dir);
  for (auto _ : state) {
    auto snapshot = table.LoadSnapshot();
    Check(snapshot.status());
    benchmark::DoNotOptimize(snapshot->files.size());
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_LoadSnapshot300Months)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
