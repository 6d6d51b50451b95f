// One month (630,000 ranking_signal + 105,000 composite rows) replaced in
// serving tables already holding N months, three ways side by side, rounds
// interleaved (a, a2, b, c, a, a2, b, c, ...):
//   a. the old design: DELETE the month + COPY into a non-partitioned copy of
//      the tables (server-side COPY FROM a binary file our encoder wrote, in
//      primary-key order: a lower bound of the old ReplaceMonth, which added
//      the client), one transaction, VACUUMed between rounds (untimed);
//  a2. the old ReplaceMonth's statements: the same DELETEs, then COPY FROM
//      STDIN of the rows our encoder streams from this client, one
//      transaction, VACUUMed between rounds (untimed);
//   b. Replicator::ReplaceMonth with the job's defaults (no verify_counts):
//      staging COPY, indexes, ANALYZE, swap;
//   c. server-side COPY of the same files into empty unindexed tables, then
//      building the same three indexes as b (primary key, (symbol, date),
//      BRIN on year_month since 0008; no ANALYZE), rolled back.
// Then as many rounds of a3 (a's statements without the VACUUM between
// rounds, as the old design ran: autovacuum only) interleaved with b.
// Then the conversion of 0005 (and 0008's BRIN): a predecessor database of
// RS_BENCH_CONVERT_MONTHS months (default 4) converted by Migrate, timed per
// 10 M rows.
//
//   scripts/services/pg.sh start /tmp/rs-bench-pg && . /tmp/rs-bench-pg/pg.env
//   cmake --build build --target bench_postgres_partition_swap
//   RS_BENCH_PG_DSN=$RS_TEST_PG_DSN RS_BENCH_MONTHS=24 build/bench/bench_postgres_partition_swap
//
// The DSN must be a superuser URI ending in /dbname (the program creates and
// drops its own databases next to it); the server must read /tmp. A plain
// main, not Google Benchmark: the prefill is shared and the rounds interleave.
#include <postgresql/libpq-fe.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "postgres/copy_binary_internal.h"
#include "postgres/migrations.h"
#include "postgres/replicator.h"
#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

constexpr char kMonth[] = "2024-03";

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct PgDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Pg = std::unique_ptr<PGconn, PgDeleter>;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

Pg Connect(const std::string& dsn) {
  Pg c(PQconnectdb(dsn.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) Die(std::string("connect: ") + PQerrorMessage(c.get()));
  PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
  return c;
}

std::string Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Die(sql.substr(0, 120) + ": " + PQerrorMessage(c));
  }
  std::string v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return v;
}

std::string WithDb(const std::string& dsn, const std::string& db) {
  return dsn.substr(0, dsn.rfind('/') + 1) + db;
}

std::string MigrationsDir() {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() /
          "deploy/sql/postgres/migrations")
      .string();
}

std::vector<uint32_t> KeyOrder(const RecordBatch& b) {
  const auto& date = b.columns[0].As<int32_t>();
  const auto& symbol = b.columns[2].As<std::string>();
  bool strategy = b.schema.size() == 8;
  std::vector<uint32_t> order(b.num_rows);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    if (date[x] != date[y]) return date[x] < date[y];
    int c = symbol[x].compare(symbol[y]);
    if (c != 0 || !strategy) return c < 0;
    return b.columns[3].As<std::string>()[x] < b.columns[3].As<std::string>()[y];
  });
  return order;
}

void WriteCopyFile(const RecordBatch& batch, const std::string& path) {
  std::vector<uint32_t> order = KeyOrder(batch);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Status st = internal::EncodeBinaryCopy(
      batch, internal::kCopyChunkBytes,
      [&](std::string_view c) {
        out.write(c.data(), static_cast<std::streamsize>(c.size()));
        return out ? Status::OK() : Status::IOError("write " + path);
      },
      &order);
  out.close();
  chmod(path.c_str(), 0644);
  if (!st.ok() || !out) Die("write " + path);
}

// COPY FROM STDIN of `batch` in key order, encoded by the replicator's
// encoder: the client half of the old ReplaceMonth.
void ClientCopy(PGconn* c, const std::string& table, const std::string& cols,
                const RecordBatch& batch, const std::vector<uint32_t>& order) {
  PGresult* r = PQexec(c, ("COPY " + table + " (" + cols + ") FROM STDIN (FORMAT binary)").c_str());
  bool started = PQresultStatus(r) == PGRES_COPY_IN;
  PQclear(r);
  if (!started) Die("COPY " + table + ": " + PQerrorMessage(c));
  Status st = internal::EncodeBinaryCopy(
      batch, internal::kCopyChunkBytes,
      [&](std::string_view chunk) {
        return PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size())) == 1
                   ? Status::OK()
                   : Status::IOError(PQerrorMessage(c));
      },
      &order);
  if (!st.ok() || PQputCopyEnd(c, nullptr) != 1) Die("COPY " + table + ": " + st.ToString());
  while ((r = PQgetResult(c)) != nullptr) {
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) Die("COPY " + table + ": " + PQerrorMessage(c));
  }
}

std::string Cols(const Schema& schema) {
  std::string cols;
  for (const Field& f : schema) cols += (cols.empty() ? "" : ", ") + f.name;
  return cols;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// "2024-03" minus k months.
std::string MonthBefore(int k) {
  int index = 2024 * 12 + 2 - k;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04d-%02d", index / 12, index % 12 + 1);
  return buf;
}

// Fills month `ym` of both serving tables from kMonth's rows (dates shifted)
// through the same definer functions the replicator uses.
void FillMonthFromTemplate(PGconn* c, const std::string& ym) {
  const std::string shift = "(DATE '" + ym + "-01' - DATE '" + kMonth + "-01')";
  for (const char* t : {"ranking_signal", "composite_signal_daily"}) {
    std::string staging = Exec(c, std::string("SELECT ranking.replication_create_staging('") + t +
                                      "', '" + ym + "')");
    std::string cols = std::string(t) == "ranking_signal" ? Cols(SignalsSchema())
                                                          : Cols(CompositeSchema());
    std::string rest = cols.substr(cols.find("symbol"));
    Exec(c, "INSERT INTO " + staging + " (" + cols + ") SELECT date + " + shift + ", '" + ym +
                "', " + rest + " FROM ranking." + t + "_" + std::string(kMonth).replace(4, 1, "_") +
                " ORDER BY 1, 3" + (std::string(t) == "ranking_signal" ? ", 4" : ""));
    Exec(c, std::string("SELECT ranking.replication_index_staging('") + t + "', '" + ym + "')");
  }
  Exec(c, "SELECT * FROM ranking.replication_swap_month('" + ym + "')");
}

void RunReplaceComparison(const std::string& admin_dsn, int months, int rounds) {
  const std::string db = "rs_bench_swap";
  Pg admin = Connect(admin_dsn);
  Exec(admin.get(), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  Exec(admin.get(), "CREATE DATABASE " + db);
  const std::string dsn = WithDb(admin_dsn, db);
  ConnectionOptions o;
  o.dsn = dsn;
  if (auto m = Migrate(o, MigrationsDir()); !m.ok()) Die(m.status().ToString());
  Pg c = Connect(dsn);
  RecordBatch signals = testing::MakeSignals(kMonth, 21, 5000, 6, 1);  // 630,000 rows
  RecordBatch composite = testing::MakeComposite(kMonth, 21, 5000, 1);  // 105,000 rows
  auto rep = Replicator::Connect(o);
  if (!rep.ok()) Die(rep.status().ToString());
  int64_t version = 1;
  MonthPayload first{kMonth, signals, composite, version, version, version, "bench", true};
  if (auto r = (*rep)->ReplaceMonth(first); !r.ok()) Die(r.status().ToString());

  auto t = Clock::now();
  for (int k = 1; k < months; ++k) FillMonthFromTemplate(c.get(), MonthBefore(k));
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("prefill: %d months, %s ranking_signal rows, %.0f s\n", months,
              Exec(c.get(), "SELECT count(*) FROM ranking.ranking_signal").c_str(), SecondsSince(t));
  t = Clock::now();
  // The old design's tables: the same rows, not partitioned, indexed as 0003.
  Exec(c.get(), R"(
    CREATE SCHEMA old;
    CREATE TABLE old.ranking_signal (LIKE ranking.ranking_signal);
    CREATE TABLE old.composite_signal_daily (LIKE ranking.composite_signal_daily);
    INSERT INTO old.ranking_signal SELECT * FROM ranking.ranking_signal ORDER BY date, symbol, strategy;
    INSERT INTO old.composite_signal_daily SELECT * FROM ranking.composite_signal_daily ORDER BY date, symbol;
    ALTER TABLE old.ranking_signal ADD PRIMARY KEY (date, symbol, strategy);
    CREATE INDEX ON old.ranking_signal (year_month);
    CREATE INDEX ON old.ranking_signal (symbol, date);
    ALTER TABLE old.composite_signal_daily ADD PRIMARY KEY (date, symbol);
    CREATE INDEX ON old.composite_signal_daily (year_month);
    CREATE INDEX ON old.composite_signal_daily (symbol, date);
  )");
  Exec(c.get(), "VACUUM ANALYZE old.ranking_signal");
  Exec(c.get(), "VACUUM ANALYZE old.composite_signal_daily");
  std::printf("non-partitioned copy: %.0f s; sizes: partitioned %s, non-partitioned %s\n",
              SecondsSince(t),
              Exec(c.get(), "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM "
                            "pg_class c WHERE c.relnamespace = 'ranking'::regnamespace AND "
                            "c.relkind = 'r'").c_str(),
              Exec(c.get(), "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM "
                            "pg_class c WHERE c.relnamespace = 'old'::regnamespace AND "
                            "c.relkind = 'r'").c_str());
  std::fflush(stdout);

  const std::string sig_file = "/tmp/rs_bench_swap_signals.pgcopy";
  const std::string comp_file = "/tmp/rs_bench_swap_composite.pgcopy";
  WriteCopyFile(signals, sig_file);
  WriteCopyFile(composite, comp_file);
  const std::string sig_cols = Cols(SignalsSchema()), comp_cols = Cols(CompositeSchema());
  const std::string old_sql =
      std::string("BEGIN; DELETE FROM old.ranking_signal WHERE year_month = '") + kMonth +
      "'; DELETE FROM old.composite_signal_daily WHERE year_month = '" + kMonth +
      "'; COPY old.ranking_signal (" + sig_cols + ") FROM '" + sig_file +
      "' (FORMAT binary); COPY old.composite_signal_daily (" + comp_cols + ") FROM '" + comp_file +
      "' (FORMAT binary); COMMIT";
  // c in two timed halves: the loads, then the index builds.
  const std::string fresh_copy_sql =
      "BEGIN; CREATE TABLE public.s (LIKE ranking.ranking_signal);"
      " CREATE TABLE public.c (LIKE ranking.composite_signal_daily);"
      " COPY public.s (" + sig_cols + ") FROM '" + sig_file + "' (FORMAT binary);"
      " COPY public.c (" + comp_cols + ") FROM '" + comp_file + "' (FORMAT binary)";
  const std::string fresh_index_sql =
      "ALTER TABLE public.s ADD PRIMARY KEY (date, symbol, strategy);"
      " CREATE INDEX ON public.s (symbol, date); CREATE INDEX ON public.s USING brin (year_month);"
      " ALTER TABLE public.c ADD PRIMARY KEY (date, symbol);"
      " CREATE INDEX ON public.c (symbol, date); CREATE INDEX ON public.c USING brin (year_month);"
      " ROLLBACK";
  const std::vector<uint32_t> sig_order = KeyOrder(signals), comp_order = KeyOrder(composite);
  // b: the month replaced with the next Delta version and the job's defaults
  // (POSTGRES_SIGNALS_VERIFY_COUNTS=false); only ReplaceMonth is timed, not
  // building the payload (a copy of the rows).
  auto timed_replace = [&](std::vector<double>* seconds) {
    ++version;
    MonthPayload p{kMonth, signals, composite, version, version, version, "bench", false};
    auto start = Clock::now();
    auto r = (*rep)->ReplaceMonth(p);
    seconds->push_back(SecondsSince(start));
    if (!r.ok()) Die(r.status().ToString());
    return *r;
  };
  std::vector<double> a, a2, b, cc, b_copy, b_index, b_swap, c_copy;
  for (int round = 0; round < rounds; ++round) {
    t = Clock::now();
    Exec(c.get(), old_sql);
    a.push_back(SecondsSince(t));
    Exec(c.get(), "VACUUM old.ranking_signal");
    Exec(c.get(), "VACUUM old.composite_signal_daily");
    t = Clock::now();
    Exec(c.get(), std::string("BEGIN; DELETE FROM old.ranking_signal WHERE year_month = '") +
                      kMonth + "'; DELETE FROM old.composite_signal_daily WHERE year_month = '" +
                      kMonth + "'");
    ClientCopy(c.get(), "old.ranking_signal", sig_cols, signals, sig_order);
    ClientCopy(c.get(), "old.composite_signal_daily", comp_cols, composite, comp_order);
    Exec(c.get(), "COMMIT");
    a2.push_back(SecondsSince(t));
    Exec(c.get(), "VACUUM old.ranking_signal");
    Exec(c.get(), "VACUUM old.composite_signal_daily");
    MonthSyncResult r = timed_replace(&b);
    b_copy.push_back(r.copy_seconds);
    b_index.push_back(r.index_seconds);
    b_swap.push_back(r.swap_seconds);
    t = Clock::now();
    Exec(c.get(), fresh_copy_sql);
    c_copy.push_back(SecondsSince(t));
    Exec(c.get(), fresh_index_sql);
    cc.push_back(SecondsSince(t));
    std::printf(
        "round %d: a. DELETE+COPY %.2f s  a2. DELETE+client COPY %.2f s  b. ReplaceMonth "
        "%.2f s (copy %.2f, index+analyze %.2f, swap %.3f, frozen %d)  c. COPY+index %.2f s "
        "(copy %.2f)\n",
        round + 1, a.back(), a2.back(), b.back(), r.copy_seconds, r.index_seconds, r.swap_seconds,
        r.copy_frozen ? 1 : 0, cc.back(), c_copy.back());
    std::fflush(stdout);
  }
  std::printf(
      "median of %d, %d months: a %.2f s, a2 %.2f s, b %.2f s (copy %.2f, index %.2f, "
      "swap %.3f), c %.2f s (copy %.2f); a/b %.2fx, a2/b %.2fx, b/c %.2fx\n",
      rounds, months, Median(a), Median(a2), Median(b), Median(b_copy), Median(b_index),
      Median(b_swap), Median(cc), Median(c_copy), Median(a) / Median(b), Median(a2) / Median(b),
      Median(b) / Median(cc));
  // a3: the old design as it ran, without a VACUUM between replaces: each
  // DELETE leaves the month's rows dead until autovacuum (default settings:
  // once 20% of the table is dead, about 24 replaces at 120 months) reaches
  // the table. Rounds a3, b, a3, b, ... starting from the vacuumed table.
  std::vector<double> a3, b3;
  for (int round = 0; round < rounds; ++round) {
    t = Clock::now();
    Exec(c.get(), old_sql);
    a3.push_back(SecondsSince(t));
    std::string dead = Exec(c.get(),
                            "SELECT pg_stat_force_next_flush(); SELECT n_dead_tup FROM "
                            "pg_stat_user_tables WHERE relid = 'old.ranking_signal'::regclass");
    timed_replace(&b3);
    std::printf(
        "unvacuumed round %d: a3. DELETE+COPY %.2f s (old.ranking_signal dead tuples "
        "after: %s)  b. ReplaceMonth %.2f s\n",
        round + 1, a3.back(), dead.c_str(), b3.back());
    std::fflush(stdout);
  }
  std::printf("median of %d without VACUUM between replaces: a3 %.2f s, b %.2f s; a3/b %.2fx\n",
              rounds, Median(a3), Median(b3), Median(a3) / Median(b3));
  std::printf("after the rounds: ranking dead tuples %s\n",
              Exec(c.get(), "SELECT pg_stat_force_next_flush(); SELECT coalesce(sum(n_dead_tup), 0) "
                            "FROM pg_stat_user_tables WHERE schemaname = 'ranking'").c_str());
  std::filesystem::remove(sig_file);
  std::filesystem::remove(comp_file);
  c.reset();
  rep->reset();
  Exec(admin.get(), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
}

// A predecessor database (migrations 0001-0004, not partitioned) holding
// `months` months at 5,000 symbols, converted by Migrate (0005 and 0006).
void RunConversion(const std::string& admin_dsn, int months) {
  const std::string db = "rs_bench_convert";
  Pg admin = Connect(admin_dsn);
  Exec(admin.get(), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  Exec(admin.get(), "CREATE DATABASE " + db);
  const std::string dsn = WithDb(admin_dsn, db);
  std::string dir = "/tmp/rs_bench_convert_migrations";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const auto& e : std::filesystem::directory_iterator(MigrationsDir())) {
    if (e.path().filename().string() < "0005") {
      std::filesystem::copy_file(e.path(), std::filesystem::path(dir) / e.path().filename());
    }
  }
  ConnectionOptions o;
  o.dsn = dsn;
  if (auto m = Migrate(o, dir); !m.ok()) Die(m.status().ToString());
  Pg c = Connect(dsn);
  auto t = Clock::now();
  Exec(c.get(), "INSERT INTO ranking.ranking_signal SELECT d, to_char(d, 'YYYY-MM'), "
                "'SYM' || lpad(s::text, 5, '0'), 'Strategy_' || k, s, 1 - s / 5000.0, 5000, "
                "s * 0.001 FROM generate_series(0, " + std::to_string(months - 1) + ") m, "
                "generate_series(1, 21) day, LATERAL (SELECT (DATE '2020-01-01' + "
                "make_interval(months => m) + make_interval(days => day - 1))::date AS d) x, "
                "generate_series(1, 5000) s, generate_series(1, 6) k");
  Exec(c.get(), "INSERT INTO ranking.composite_signal_daily SELECT d, to_char(d, 'YYYY-MM'), "
                "'SYM' || lpad(s::text, 5, '0'), s / 5000.0, 6, s % 7, s FROM generate_series(0, " +
                    std::to_string(months - 1) + ") m, generate_series(1, 21) day, LATERAL "
                "(SELECT (DATE '2020-01-01' + make_interval(months => m) + "
                "make_interval(days => day - 1))::date AS d) x, generate_series(1, 5000) s");
  Exec(c.get(), "VACUUM ANALYZE ranking.ranking_signal");
  Exec(c.get(), "VACUUM ANALYZE ranking.composite_signal_daily");
  std::string rows = Exec(c.get(), "SELECT (SELECT count(*) FROM ranking.ranking_signal) + "
                                   "(SELECT count(*) FROM ranking.composite_signal_daily)");
  std::printf("conversion: predecessor database of %d months, %s rows, filled in %.0f s\n", months,
              rows.c_str(), SecondsSince(t));
  auto m = Migrate(o, MigrationsDir());
  if (!m.ok()) Die(m.status().ToString());
  for (const auto& s : m->steps) {
    if (s.file.rfind("0005", 0) == 0 || s.file.rfind("0008", 0) == 0) {
      std::printf("conversion: %s took %.1f s = %.1f s per 10 M rows\n", s.file.c_str(), s.seconds,
                  s.seconds / std::stod(rows) * 1e7);
    }
  }
  c.reset();
  Exec(admin.get(), "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rs::postgres

int main() {
  const char* dsn = std::getenv("RS_BENCH_PG_DSN");
  if (dsn == nullptr) rs::postgres::Die("set RS_BENCH_PG_DSN");
  auto env_int = [](const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::atoi(v) : fallback;
  };
  int months = env_int("RS_BENCH_MONTHS", 12);
  int rounds = env_int("RS_BENCH_ROUNDS", 5);
  int convert_months = env_int("RS_BENCH_CONVERT_MONTHS", 4);
  if (months > 0) rs::postgres::RunReplaceComparison(dsn, months, rounds);
  if (convert_months > 0) rs::postgres::RunConversion(dsn, convert_months);
  return 0;
}
