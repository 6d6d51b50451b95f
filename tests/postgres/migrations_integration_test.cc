#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "postgres/migrations.h"
#include "postgres/pg_test_db.h"
#include "postgres/replicator.h"
#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

namespace fs = std::filesystem;
using testing::MigrationsDir;
using testing::TestDatabase;

// A writable copy of the project's migrations.
std::string CopyOfMigrations() {
  std::string dir = rs::testing::MakeTempDir("migrations");
  for (const auto& e : fs::directory_iterator(MigrationsDir())) {
    fs::copy_file(e.path(), fs::path(dir) / e.path().filename());
  }
  return dir;
}

void AppendTo(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

// A database the Python predecessor migrated (0001-0003 in its ledger, no
// checksums), without rows.
constexpr char kPredecessorSchema[] = R"(
    CREATE TABLE public.schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ);
    INSERT INTO public.schema_migrations VALUES ('0001', now()), ('0002', now()), ('0003', now());
    CREATE SCHEMA core; CREATE SCHEMA ranking; CREATE SCHEMA backtest;
    CREATE TABLE ranking.ranking_signal (date date, year_month text, symbol text, strategy text,
      rank integer, rank_percentile double precision, n_symbols integer, score double precision,
      PRIMARY KEY (date, symbol, strategy));
    CREATE TABLE ranking.composite_signal_daily (date date, year_month text, symbol text,
      composite_percentile double precision, strategies_present int, strategies_hit int,
      composite_rank int, PRIMARY KEY (date, symbol));
    CREATE TABLE ranking.signal_sync_state (year_month text PRIMARY KEY, synced_at timestamptz,
      signals_rows bigint, composite_rows bigint, status text, error text);
)";

TEST(MigrateTest, FromEmptyAppliesEveryFileInOrder) {
  TestDatabase db("mig_empty");
  auto report = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->steps.size(), 8u);
  EXPECT_EQ(report->applied_count(), 8);
  EXPECT_EQ(report->steps[0].file, "0001_schema_migrations.sql");
  EXPECT_EQ(report->steps[3].file, "0004_sync_ledger_lineage.sql");
  EXPECT_EQ(report->steps[4].file, "0005_partitioned_serving_tables.sql");
  EXPECT_EQ(report->steps[5].file, "0006_sync_ledger_v2.sql");
  EXPECT_EQ(report->steps[6].file, "0007_swap_locks_parents_only.sql");
  EXPECT_EQ(report->steps[7].file, "0008_year_month_brin.sql");
  EXPECT_EQ(report->target, "PostgreSQL at 127.0.0.1:" +
                                rs::testing::ServiceEnv("pg")["RS_TEST_PG_PORT"] + "/" + db.name());
  EXPECT_EQ(
      db.Value("SELECT string_agg(version, ',' ORDER BY version) FROM public.schema_migrations"),
      "0001,0002,0003,0004,0005,0006,0007,0008");
  EXPECT_EQ(
      db.Value("SELECT count(*) FROM public.schema_migrations WHERE checksum ~ '^[0-9a-f]{64}$'"),
      "8");
  auto rep = Replicator::Connect(db.options());
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  Status st = (*rep)->CheckSchema(SignalsSchema(), CompositeSchema());
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(db.Value("SELECT count(*) FROM pg_namespace WHERE nspname IN ('core','ranking','backtest')"),
            "3");
}

TEST(MigrateTest, SecondRunChangesNothing) {
  TestDatabase db("mig_twice");
  ASSERT_TRUE(Migrate(db.options(), MigrationsDir()).ok());
  std::string before = db.Value("SELECT string_agg(version || applied_at::text, ',') FROM public.schema_migrations");
  auto again = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->applied_count(), 0);
  for (const auto& s : again->steps) EXPECT_EQ(s.action, MigrationStep::Action::kAlreadyApplied);
  EXPECT_EQ(db.Value("SELECT string_agg(version || applied_at::text, ',') FROM public.schema_migrations"),
            before);
}

TEST(MigrateTest, RefusesAChangedAppliedFileNamingIt) {
  TestDatabase db("mig_tamper");
  std::string dir = CopyOfMigrations();
  ASSERT_TRUE(Migrate(db.options(), dir).ok());
  AppendTo(dir + "/0003_ranking_signals.sql", "\n-- edited after release\n");
  auto r = Migrate(db.options(), dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("migration 0003_ranking_signals.sql was changed after it was "
                                      "applied (ledger sha256 "),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("put the change in a new migration file"), std::string::npos);
  fs::remove_all(dir);
}

TEST(MigrateTest, AppliesOnlyANewFileAndReportsAFailingOneByName) {
  TestDatabase db("mig_new");
  std::string dir = CopyOfMigrations();
  ASSERT_TRUE(Migrate(db.options(), dir).ok());
  AppendTo(dir + "/0900_extra.sql", "CREATE TABLE core.extra (x int);");
  auto r = Migrate(db.options(), dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied_count(), 1);
  EXPECT_EQ(r->steps.back().file, "0900_extra.sql");
  AppendTo(dir + "/0901_broken.sql", "CREATE TABLE core.ok_part (x int); SELEC 1;");
  auto bad = Migrate(db.options(), dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(
      bad.status().message().find(": apply migration 0901_broken.sql: syntax error at or near "
                                  "\"SELEC\" (SQLSTATE 42601)"),
      std::string::npos)
      << bad.status().message();
  // The failed file's transaction rolled back whole.
  EXPECT_EQ(db.Value("SELECT count(*) FROM pg_tables WHERE tablename = 'ok_part'"), "0");
  EXPECT_EQ(db.Value("SELECT count(*) FROM public.schema_migrations"),
            "9");  // 0001 to 0008 and 0900
  fs::remove_all(dir);
}

TEST(MigrateTest, ConcurrentMigratorsEachApplyEveryFileOnce) {
  TestDatabase db("mig_concurrent");
  constexpr int kMigrators = 4;
  std::vector<Result<MigrationReport>> results(kMigrators, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(db.options(), MigrationsDir()); });
  }
  for (auto& t : threads) t.join();
  int applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    applied += r->applied_count();
  }
  EXPECT_EQ(applied, 8);
  EXPECT_EQ(db.Value("SELECT count(*) FROM public.schema_migrations"), "8");
}

TEST(MigrateTest, AdoptsPredecessorDatabaseWithoutRerunning) {
  TestDatabase db("mig_adopt");
  db.Value(kPredecessorSchema);
  db.Value(R"(
    INSERT INTO ranking.signal_sync_state VALUES ('2019-01', now(), 10, 2, 'success', NULL);
    INSERT INTO ranking.ranking_signal VALUES ('2019-01-02', '2019-01', 'A', 'S', 1, 1.0, 1, NULL);
  )");
  auto r = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->steps.size(), 8u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r->steps[i].action, MigrationStep::Action::kAdopted);
  for (int i = 3; i < 8; ++i) EXPECT_EQ(r->steps[i].action, MigrationStep::Action::kApplied);
  EXPECT_EQ(db.Value("SELECT count(*) FROM ranking.ranking_signal"), "1");
  EXPECT_EQ(db.Value("SELECT signals_rows || status || coalesce(run_id, 'null') FROM "
                     "ranking.signal_sync_state"),
            "10successnull");
  EXPECT_EQ(db.Value("SELECT count(*) FROM public.schema_migrations WHERE checksum IS NULL"), "3");
  auto again = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->applied_count(), 0);
}

// Count and an order-independent content hash of every month of both
// serving tables, read directly in SQL.
std::string MonthFingerprints(TestDatabase& db) {
  return db.Value(
      "SELECT string_agg(t || ' ' || year_month || ' ' || n || ' ' || h, '; ' ORDER BY t, year_month)"
      " FROM (SELECT 's' t, year_month, count(*) n, sum(('x' || substr(md5(r::text), 1, 15))::bit(60)"
      "::bigint) h FROM ranking.ranking_signal r GROUP BY year_month UNION ALL"
      " SELECT 'c', year_month, count(*), sum(('x' || substr(md5(c::text), 1, 15))::bit(60)::bigint)"
      " FROM ranking.composite_signal_daily c GROUP BY year_month) x");
}

// Runs migration `file` again by hand, outside the ledger: no relation of
// schema ranking is created, dropped or rebuilt (same oids).
void ExpectRerunKeepsEveryRelation(TestDatabase& db, const std::string& file) {
  const std::string relations_sql =
      "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_class "
      "WHERE relnamespace = 'ranking'::regnamespace";
  std::string relations = db.Value(relations_sql);
  std::ifstream in(MigrationsDir() + "/" + file);
  std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(sql.empty()) << file;
  db.Value("BEGIN; " + sql + "; COMMIT");
  EXPECT_EQ(db.Value(relations_sql), relations) << file;
}

// The predecessor's database (0001-0003, with or without 0004) holding rows
// in several months, one of them a single day, is converted to partitions
// without losing or changing a row; migrate again is a no-op.
TEST(MigrateTest, ConvertsPopulatedPredecessorTablesToPartitionsKeepingEveryRow) {
  for (bool with_0004 : {false, true}) {
    SCOPED_TRACE(with_0004 ? "0001-0004" : "0001-0003");
    TestDatabase db("mig_convert");
    db.Value(kPredecessorSchema);
    db.Value(R"(
      CREATE INDEX ranking_signal_symbol_date_idx ON ranking.ranking_signal (symbol, date);
      INSERT INTO ranking.signal_sync_state VALUES ('2019-01', now(), 10, 2, 'success', NULL),
        ('2019-02', now(), 10, 2, 'done', NULL);
      INSERT INTO ranking.ranking_signal SELECT d, to_char(d, 'YYYY-MM'), 'S' || s, 'St' || k,
        s, s / 10.0, 10, CASE WHEN s % 3 = 0 THEN NULL ELSE s * 1.5 END
        FROM generate_series(0, 82) i, LATERAL (SELECT DATE '2018-11-20' + i AS d) x,
             generate_series(1, 10) s, generate_series(1, 2) k;
      INSERT INTO ranking.ranking_signal VALUES ('2020-06-15', '2020-06', 'Z', 'St1', 1, 1, 1, 2.5);
      INSERT INTO ranking.composite_signal_daily SELECT d, to_char(d, 'YYYY-MM'), 'S' || s,
        s / 10.0, 6, s % 7, s FROM generate_series(0, 61) i,
        LATERAL (SELECT DATE '2018-12-01' + i AS d) x, generate_series(1, 10) s;
    )");
    if (with_0004) {
      db.Value("INSERT INTO public.schema_migrations VALUES ('0004', now());"
               "ALTER TABLE ranking.signal_sync_state ADD COLUMN rankings_delta_version BIGINT,"
               " ADD COLUMN signals_delta_version BIGINT, ADD COLUMN composite_delta_version BIGINT,"
               " ADD COLUMN run_id TEXT, ADD COLUMN signals_checksum TEXT,"
               " ADD COLUMN composite_checksum TEXT");
    }
    std::string before = MonthFingerprints(db);
    ASSERT_NE(before.find("s 2020-06 1 "), std::string::npos) << before;
    auto r = Migrate(db.options(), MigrationsDir());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(MonthFingerprints(db), before);
    EXPECT_EQ(db.Value("SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname) "
                       "FROM pg_class c WHERE c.relname IN ('ranking_signal', "
                       "'composite_signal_daily')"),
              "composite_signal_daily:p,ranking_signal:p");
    EXPECT_EQ(db.Value("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i "
                       "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = "
                       "'ranking.ranking_signal'::regclass"),
              "ranking_signal_2018_11,ranking_signal_2018_12,ranking_signal_2019_01,"
              "ranking_signal_2019_02,ranking_signal_2020_06,ranking_signal_default");
    EXPECT_EQ(db.Value("SELECT count(*) FROM ranking.ranking_signal_default"), "0");
    // 0008: each partition's year_month index is a BRIN index named for it.
    EXPECT_EQ(
        db.Value(std::string(testing::kYearMonthIndexesSql) + " AND i.relname LIKE 'composite%'"),
        "composite_signal_daily_2018_12_year_month_idx:brin:ranking.composite_signal_daily_"
        "year_month_idx,composite_signal_daily_2019_01_year_month_idx:brin:ranking."
        "composite_signal_daily_year_month_idx,composite_signal_daily_default_year_month_idx:"
        "brin:ranking.composite_signal_daily_year_month_idx,composite_signal_daily_year_"
        "month_idx:brin:-");
    EXPECT_EQ(db.Value("SELECT count(*) FROM pg_class WHERE relname LIKE '%unpart%'"), "0");
    EXPECT_EQ(db.Value("SELECT string_agg(status || ':' || (last_success_at IS NOT NULL), ',' "
                       "ORDER BY year_month) FROM ranking.signal_sync_state"),
              "success:true,failed:false");
    auto rep = Replicator::Connect(db.options());
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE((*rep)->CheckSchema(SignalsSchema(), CompositeSchema()).ok());
    auto again = Migrate(db.options(), MigrationsDir());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->applied_count(), 0);
    EXPECT_EQ(MonthFingerprints(db), before);
    // Rerunning the conversion itself on partitioned tables changes nothing.
    ExpectRerunKeepsEveryRelation(db, "0005_partitioned_serving_tables.sql");
  }
}

// A conversion failing midway (here a table already holding a partition's
// name) rolls back whole: the old table and its rows are untouched, and once
// the obstacle is gone a rerun converts.
TEST(MigrateTest, ConversionFailingMidwayRollsBackWholeThenRerunConverts) {
  TestDatabase db("mig_convert_fail");
  std::string dir = CopyOfMigrations();
  fs::remove(fs::path(dir) / "0005_partitioned_serving_tables.sql");
  fs::remove(fs::path(dir) / "0006_sync_ledger_v2.sql");
  fs::remove(fs::path(dir) / "0007_swap_locks_parents_only.sql");
  fs::remove(fs::path(dir) / "0008_year_month_brin.sql");
  ASSERT_TRUE(Migrate(db.options(), dir).ok());
  db.Value("INSERT INTO ranking.ranking_signal SELECT d, to_char(d, 'YYYY-MM'), 'S' || s, 'St', s, "
           "0.5, 10, NULL FROM generate_series(0, 90) i, LATERAL (SELECT DATE '2024-01-01' + i "
           "AS d) x, generate_series(1, 5) s;"
           "CREATE TABLE ranking.ranking_signal_2024_02 (x int)");
  std::string before = MonthFingerprints(db);
  auto r = Migrate(db.options(), MigrationsDir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("apply migration 0005_partitioned_serving_tables.sql: "
                                      "relation \"ranking_signal_2024_02\" already exists"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(db.Value("SELECT relkind FROM pg_class WHERE oid = 'ranking.ranking_signal'::regclass"),
            "r");
  EXPECT_EQ(MonthFingerprints(db), before);
  db.Value("DROP TABLE ranking.ranking_signal_2024_02");
  auto rerun = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_EQ(rerun->applied_count(), 4);
  EXPECT_EQ(MonthFingerprints(db), before);
  fs::remove_all(dir);
}

// 0008 on a database served by 0007's btree indexes: the months' rows stay,
// every partition's year_month index becomes BRIN under its old name, a
// rerun changes nothing, and the next replacement's staging index is adopted
// by ATTACH (no second index built in the swap).
TEST(MigrateTest, YearMonthBtreesBecomeBrinOnEveryPartitionKeepingEveryRow) {
  TestDatabase db("mig_brin");
  std::string dir = CopyOfMigrations();
  fs::remove(fs::path(dir) / "0008_year_month_brin.sql");
  ASSERT_TRUE(Migrate(db.options(), dir).ok());
  auto rep = Replicator::Connect(db.options());
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  for (const char* ym : {"2024-01", "2024-02"}) {
    MonthPayload p{ym,
                   testing::MakeSignals(ym, 3, 20, 2, 1),
                   testing::MakeComposite(ym, 3, 20, 1),
                   1,
                   1,
                   1,
                   "run",
                   true};
    ASSERT_TRUE((*rep)->ReplaceMonth(p).ok());
  }
  const std::string composite_indexes =
      std::string(testing::kYearMonthIndexesSql) + " AND i.relname LIKE 'composite%'";
  EXPECT_EQ(db.Value(composite_indexes),
            "composite_signal_daily_2024_01_year_month_idx:btree:ranking.composite_signal_daily_"
            "year_month_idx,composite_signal_daily_2024_02_year_month_idx:btree:ranking."
            "composite_signal_daily_year_month_idx,composite_signal_daily_default_year_month_idx:"
            "btree:ranking.composite_signal_daily_year_month_idx,composite_signal_daily_year_"
            "month_idx:btree:-");
  std::string before = MonthFingerprints(db);
  auto m = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->applied_count(), 1);
  EXPECT_EQ(MonthFingerprints(db), before);
  const std::string brin =
      "composite_signal_daily_2024_01_year_month_idx:brin:ranking.composite_signal_daily_"
      "year_month_idx,composite_signal_daily_2024_02_year_month_idx:brin:ranking."
      "composite_signal_daily_year_month_idx,composite_signal_daily_default_year_month_idx:"
      "brin:ranking.composite_signal_daily_year_month_idx,composite_signal_daily_year_"
      "month_idx:brin:-";
  EXPECT_EQ(db.Value(composite_indexes), brin);
  const std::string not_brin = std::string("SELECT count(*) FROM (") +
                               testing::kYearMonthIndexesSql +
                               ") x WHERE string_agg LIKE '%:btree:%'";
  EXPECT_EQ(db.Value(not_brin), "0");
  EXPECT_EQ(db.Value(std::string("SELECT length(x) - length(replace(x, ',', '')) + 1 FROM (") +
                     testing::kYearMonthIndexesSql + " AND i.relname LIKE 'ranking_signal%') y(x)"),
            "4");  // the parent's, two months', the DEFAULT partition's
  ExpectRerunKeepsEveryRelation(db, "0008_year_month_brin.sql");
  // The next replacement builds BRIN on staging, which ATTACH adopts.
  MonthPayload p{"2024-02",
                 testing::MakeSignals("2024-02", 3, 20, 2, 2),
                 testing::MakeComposite("2024-02", 3, 20, 2),
                 2,
                 2,
                 2,
                 "run",
                 true};
  ASSERT_TRUE((*rep)->ReplaceMonth(p).ok());
  EXPECT_EQ(db.Value(composite_indexes), brin);
  EXPECT_EQ(db.Value("SELECT count(*) FROM ranking.composite_signal_daily WHERE year_month = "
                     "'2024-02'"),
            "60");
  fs::remove_all(dir);
}

TEST(MigrateTest, ReportsLedgerVersionsWithoutFile) {
  TestDatabase db("mig_unknown");
  ASSERT_TRUE(Migrate(db.options(), MigrationsDir()).ok());
  db.Value("INSERT INTO public.schema_migrations VALUES ('0099', now(), NULL)");
  auto r = Migrate(db.options(), MigrationsDir());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unknown_versions, std::vector<std::string>{"0099"});
}

// Issue 19: migrate --status / --dry-run, read only: pending, applied,
// adopted (the predecessor's rows), changed and unknown.
TEST(MigrationStatusTest, Issue19EachStateAndNothingChanged) {
  using State = MigrationState::State;
  auto states = [](const MigrationStatusReport& r) {
    std::string out;
    for (const auto& e : r.entries) out += e.version + "=" + MigrationStateName(e.state) + " ";
    return out;
  };
  TestDatabase fresh("mig_status_fresh");
  auto before = MigrationStatus(fresh.options(), MigrationsDir());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(states(*before),
            "0001=pending 0002=pending 0003=pending 0004=pending 0005=pending 0006=pending "
            "0007=pending 0008=pending ");
  // Read only: not even the ledger table was created.
  EXPECT_EQ(fresh.Value("SELECT to_regclass('public.schema_migrations') IS NULL"), "t");
  ASSERT_TRUE(Migrate(fresh.options(), MigrationsDir()).ok());
  auto after = MigrationStatus(fresh.options(), MigrationsDir());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(states(*after),
            "0001=applied 0002=applied 0003=applied 0004=applied 0005=applied 0006=applied "
            "0007=applied 0008=applied ");
  std::string dir = CopyOfMigrations();
  AppendTo(dir + "/0002_schemas.sql", "\n-- edited after it was applied\n");
  fs::remove(fs::path(dir) / "0008_year_month_brin.sql");
  auto edited = MigrationStatus(fresh.options(), dir);
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->entries[1].state, State::kChanged);
  EXPECT_EQ(edited->entries.back().state, State::kUnknown);
  EXPECT_EQ(edited->entries.back().version, "0008");
  fs::remove_all(dir);

  TestDatabase old("mig_status_predecessor");
  old.Value(kPredecessorSchema);
  auto adopted = MigrationStatus(old.options(), MigrationsDir());
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_EQ(states(*adopted),
            "0001=adopted 0002=adopted 0003=adopted 0004=pending 0005=pending 0006=pending "
            "0007=pending 0008=pending ");
  // The predecessor's ledger still has no checksum column: nothing was changed.
  EXPECT_EQ(old.Value("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'schema_migrations' AND column_name = 'checksum'"),
            "0");
}

TEST(MigrateTest, MissingDirectoryIsInvalidArgument) {
  ConnectionOptions o;
  o.dsn = "postgresql://nobody@127.0.0.1:1/x";
  auto r = Migrate(o, "/nonexistent/migrations");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("migrate: list migrations directory /nonexistent/migrations", 0),
            0u)
      << r.status().message();
}

}  // namespace
}  // namespace rs::postgres
