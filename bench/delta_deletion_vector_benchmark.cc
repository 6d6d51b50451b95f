// Scanning a local Delta table with deletion vectors (1% of the rows of every
// file deleted, one DV file holding the DVs of all files) against the same
// table without them, side by side in one run: the cost of reading the DVs
// (one ranged read each, CRC-32, CRoaring) and of dropping their rows.
// 12 monthly files of 200,000 rows (date, symbol, rank, score).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "delta/dv_test_writer.h"
#include "delta/table.h"

namespace {

namespace fs = std::filesystem;
using rs::DataType;
using rs::TypeId;

constexpr int kMonths = 12;
constexpr int kRowsPerFile = 200000;

rs::Schema BenchSchema() {
  return {{"date", DataType::Primitive(TypeId::kDate), true},
          {"year_month", DataType::Primitive(TypeId::kString), true},
          {"symbol", DataType::Primitive(TypeId::kString), true},
          {"rank", DataType::Primitive(TypeId::kInteger), true},
          {"score", DataType::Primitive(TypeId::kDouble), true}};
}

std::string Month(int index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", 2020 + index / 12, 1 + index % 12);
  return buf;
}

rs::RecordBatch Rows(const std::string& ym) {
  rs::RecordBatch b;
  b.schema = BenchSchema();
  for (const auto& f : b.schema) b.columns.push_back(rs::ColumnVector::Make(f));
  for (int i = 0; i < kRowsPerFile; ++i) {
    b.columns[0].As<int32_t>().push_back(18262 + i % 28);
    b.columns[1].As<std::string>().push_back(ym);
    b.columns[2].As<std::string>().push_back("S" + std::to_string(i % 5000));
    b.columns[3].As<int32_t>().push_back(i + 1);
    b.columns[4].As<double>().push_back(i * 0.25);
  }
  b.num_rows = kRowsPerFile;
  return b;
}

void Check(const rs::Status& st) {
  if (!st.ok()) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", st.ToString().c_str());
    std::abort();
  }
}

rs::delta::Table MakeTable(const fs::path& dir, bool with_dvs) {
  auto store = rs::storage::OpenStorage(dir.string(), {});
  Check(store.status());
  auto table = rs::delta::Table::Open(std::move(store).value(), "").value();
  std::vector<std::string> months;
  for (int m = 0; m < kMonths; ++m) months.push_back(Month(m));
  auto tx = table.BeginOverwrite(BenchSchema(), {"year_month"}, months, {}).value();
  for (const std::string& m : months) Check(tx.WritePartition(m, Rows(m)));
  Check(tx.Commit().status());
  if (with_dvs) {
    rs::delta::testing::DvFile file(9, "");
    std::map<std::string, rs::delta::DeletionVectorDescriptor> dvs;
    std::vector<uint64_t> deleted;
    for (uint64_t i = 37; i < kRowsPerFile; i += 100) deleted.push_back(i);  // 1%
    rs::delta::Snapshot snapshot = table.LoadSnapshot().value();
    for (const auto& f : snapshot.files) dvs[f.path] = file.Add(deleted);
    Check(file.WriteTo(table));
    Check(rs::delta::testing::CommitDeletionVectors(table, dvs));
  }
  return table;
}

struct Tables {
  fs::path dir;
  rs::delta::Table plain;
  rs::delta::Table with_dvs;
};

Tables& SharedTables() {
  static Tables* tables = [] {
    fs::path dir = fs::temp_directory_path() / ("rs_delta_dv_bench_" + std::to_string(getpid()));
    fs::remove_all(dir);
    auto* t = new Tables{dir, MakeTable(dir / "plain", false), MakeTable(dir / "dv", true)};
    std::atexit([] { fs::remove_all(SharedTables().dir); });
    return t;
  }();
  return *tables;
}

void Scan(benchmark::State& state, const rs::delta::Table& table) {
  auto snapshot = table.LoadSnapshot().value();
  int64_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    Check(table.ScanEach(snapshot, {}, [&rows](const rs::RecordBatch& b) {
      rows += static_cast<int64_t>(b.num_rows);
      return rs::Status::OK();
    }));
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_ScanWithoutDeletionVectors(benchmark::State& state) { Scan(state, SharedTables().plain); }
void BM_ScanWith1PercentDeleted(benchmark::State& state) { Scan(state, SharedTables().with_dvs); }

// Repetitions come from the command line, so that both sides can be
// interleaved (bench/README.md gives the command).
BENCHMARK(BM_ScanWithoutDeletionVectors)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanWith1PercentDeleted)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
