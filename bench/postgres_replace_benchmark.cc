// Replacing one month in PostgreSQL (630,000 ranking_signal rows and 105,000
// composite rows, the SIGNALS.md scale) with Replicator::ReplaceMonth, against
// the server-side baseline: COPY ... FROM 'file' (FORMAT binary) of the same
// rows (written by our encoder) after the same DELETE, in one transaction.
//
//   scripts/services/pg.sh start /tmp/rs-bench-pg && . /tmp/rs-bench-pg/pg.env
//   RS_BENCH_PG_DSN=$RS_TEST_PG_DSN build/bench/bench_postgres_replace
//
// The DSN must be a superuser (COPY FROM a server file); the server must read /tmp.
// Encoding and checksum benchmarks need no server.
#include <benchmark/benchmark.h>
#include <postgresql/libpq-fe.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "postgres/checksum.h"
#include "postgres/copy_binary_internal.h"
#include "postgres/migrations.h"
#include "postgres/replicator.h"
#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

constexpr char kMonth[] = "2024-03";

struct MonthData {
  RecordBatch signals = testing::MakeSignals(kMonth, 21, 5000, 6, 1);     // 630,000 rows
  RecordBatch composite = testing::MakeComposite(kMonth, 21, 5000, 1);    // 105,000 rows
  int64_t rows() const { return static_cast<int64_t>(signals.num_rows + composite.num_rows); }
};

const MonthData& Data() {
  static const MonthData* data = new MonthData();
  return *data;
}

std::string BenchDsn() {
  const char* dsn = std::getenv("RS_BENCH_PG_DSN");
  return dsn != nullptr ? dsn : "";
}

std::string MigrationsDir() {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "deploy/sql/postgres/migrations")
      .string();
}

struct PgDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

bool Exec(PGconn* c, const std::string& sql, benchmark::State& state) {
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) state.SkipWithError((sql.substr(0, 60) + ": " + PQerrorMessage(c)).c_str());
  PQclear(r);
  return ok;
}

// Migrated database + a raw connection for the baseline and VACUUM.
std::unique_ptr<PGconn, PgDeleter> Prepare(benchmark::State& state) {
  if (BenchDsn().empty()) {
    state.SkipWithError("set RS_BENCH_PG_DSN");
    return nullptr;
  }
  ConnectionOptions o;
  o.dsn = BenchDsn();
  auto m = Migrate(o, MigrationsDir());
  if (!m.ok()) {
    state.SkipWithError(m.status().ToString().c_str());
    return nullptr;
  }
  std::unique_ptr<PGconn, PgDeleter> c(PQconnectdb(BenchDsn().c_str()));
  PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
  return c;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Between iterations, outside the (manual) timing: both runs start from a vacuumed table.
bool Vacuum(PGconn* c, benchmark::State& state) {
  return Exec(c, "VACUUM ranking.ranking_signal", state) &&
         Exec(c, "VACUUM ranking.composite_signal_daily", state);
}

void BM_ReplaceMonth(benchmark::State& state) {
  auto raw = Prepare(state);
  if (raw == nullptr) return;
  ConnectionOptions o;
  o.dsn = BenchDsn();
  auto rep = Replicator::Connect(o);
  if (!rep.ok()) return state.SkipWithError(rep.status().ToString().c_str());
  const MonthData& d = Data();
  int64_t version = 0;
  double copy_s = 0, delete_s = 0, mib = 0;
  for (auto _ : state) {
    MonthPayload p{kMonth, d.signals, d.composite, ++version, version, version, "bench",
                   state.range(0) != 0};
    auto start = std::chrono::steady_clock::now();
    auto r = (*rep)->ReplaceMonth(p);
    state.SetIterationTime(SecondsSince(start));
    if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
    copy_s += r->copy_seconds;
    delete_s += r->delete_seconds;
    mib = static_cast<double>(r->bytes_sent) / (1 << 20);
    if (!Vacuum(raw.get(), state)) return;
  }
  state.counters["copy_s"] = benchmark::Counter(copy_s, benchmark::Counter::kAvgIterations);
  state.counters["delete_s"] = benchmark::Counter(delete_s, benchmark::Counter::kAvgIterations);
  state.counters["MiB_sent"] = mib;
  state.SetItemsProcessed(state.iterations() * d.rows());
}
BENCHMARK(BM_ReplaceMonth)->ArgName("verify_counts")->Arg(0)->Arg(1)->Iterations(3)
    ->Unit(benchmark::kMillisecond)->UseManualTime();

bool WriteCopyFile(const RecordBatch& batch, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Status st = internal::EncodeBinaryCopy(batch, internal::kCopyChunkBytes, [&](std::string_view c) {
    out.write(c.data(), static_cast<std::streamsize>(c.size()));
    return out ? Status::OK() : Status::IOError("write " + path);
  });
  out.close();
  chmod(path.c_str(), 0644);
  return st.ok() && out;
}

std::string ColumnList(const Schema& schema) {
  std::string cols;
  for (const Field& f : schema) cols += (cols.empty() ? "\"" : ", \"") + f.name + "\"";
  return cols;
}

void BM_ServerSideCopyFromFile(benchmark::State& state) {
  auto raw = Prepare(state);
  if (raw == nullptr) return;
  const MonthData& d = Data();
  const std::string sig_path = "/tmp/rs_bench_ranking_signal.pgcopy";
  const std::string comp_path = "/tmp/rs_bench_composite_signal_daily.pgcopy";
  if (!WriteCopyFile(d.signals, sig_path) || !WriteCopyFile(d.composite, comp_path)) {
    return state.SkipWithError("cannot write the COPY files under /tmp");
  }
  const std::string sql =
      std::string("BEGIN;") + "DELETE FROM ranking.ranking_signal WHERE year_month = '" + kMonth +
      "';DELETE FROM ranking.composite_signal_daily WHERE year_month = '" + kMonth + "';" +
      "COPY ranking.ranking_signal (" + ColumnList(SignalsSchema()) + ") FROM '" + sig_path +
      "' (FORMAT binary);COPY ranking.composite_signal_daily (" + ColumnList(CompositeSchema()) +
      ") FROM '" + comp_path + "' (FORMAT binary);COMMIT";
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    if (!Exec(raw.get(), sql, state)) return;
    state.SetIterationTime(SecondsSince(start));
    if (!Vacuum(raw.get(), state)) return;
  }
  state.SetItemsProcessed(state.iterations() * d.rows());
  std::filesystem::remove(sig_path);
  std::filesystem::remove(comp_path);
}
BENCHMARK(BM_ServerSideCopyFromFile)->Iterations(3)->Unit(benchmark::kMillisecond)->UseManualTime();

// Client-side cost alone: encoding both tables into 1 MiB chunks.
void BM_EncodeBinaryCopy(benchmark::State& state) {
  const MonthData& d = Data();
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const RecordBatch* b : {&d.signals, &d.composite}) {
      Status st = internal::EncodeBinaryCopy(*b, internal::kCopyChunkBytes, [&](std::string_view c) {
        bytes += static_cast<int64_t>(c.size());
        benchmark::DoNotOptimize(c.data());
        return Status::OK();
      });
      if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * d.rows());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_EncodeBinaryCopy)->Unit(benchmark::kMillisecond);

void BM_ContentChecksum(benchmark::State& state) {
  const MonthData& d = Data();
  for (auto _ : state) benchmark::DoNotOptimize(ContentChecksum(d.signals));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.signals.num_rows));
}
BENCHMARK(BM_ContentChecksum)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rs::postgres

BENCHMARK_MAIN();
