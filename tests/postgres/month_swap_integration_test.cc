// Month replacement by partition swap (src/postgres/month_swap.cc and the
// functions of migration 0005): readers, lock timeouts and retries, crashes
// inside the swap, bloat, and the writer role's privileges.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "common/crash_point.h"
#include "postgres/pg_test_db.h"
#include "postgres/replicator.h"
#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

using testing::MakeComposite;
using testing::MakeSignals;
using testing::PgConnect;
using testing::PgValue;
using testing::TestDatabase;

struct Month {
  RecordBatch signals, composite;
};

Month MakeMonth(const std::string& ym, int days, int symbols, int seed) {
  return {MakeSignals(ym, days, symbols, 3, seed), MakeComposite(ym, days, symbols, seed)};
}

class MonthSwapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>("swap");
    auto m = Migrate(db_->options(), testing::MigrationsDir());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    rep_ = Connect(db_->options());
  }
  static std::unique_ptr<Replicator> Connect(const ConnectionOptions& o) {
    auto r = Replicator::Connect(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  Result<MonthSyncResult> Replace(Replicator* rep, const std::string& ym, const Month& m,
                                  int64_t version = 1) {
    MonthPayload p{ym, m.signals, m.composite, version, version, version, "run-" + ym, true};
    return rep->ReplaceMonth(p);
  }
  std::string StagingTables() {
    return db_->Value("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_staging'");
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Replicator> rep_;
};

// A reader counting every month in one statement, in a bounded loop on its
// own connection, sees each month whole (old or new) throughout the swaps.
TEST_F(MonthSwapTest, ReaderCountingMonthsNeverSeesAnEmptyOrPartialMonth) {
  Month a = MakeMonth("2024-03", 6, 100, 1);  // 1800 + 600 rows
  Month b = MakeMonth("2024-03", 4, 80, 2);   // 960 + 320 rows
  Month other = MakeMonth("2024-04", 2, 50, 3);  // 300 + 100 rows
  ASSERT_TRUE(Replace(rep_.get(), "2024-03", a).ok());
  ASSERT_TRUE(Replace(rep_.get(), "2024-04", other).ok());
  const std::set<std::string> allowed = {"2024-03:1800/600,2024-04:300/100",
                                         "2024-03:960/320,2024-04:300/100"};
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::set<std::string> bad;
  std::thread reader([&] {
    auto conn = PgConnect(db_->dsn());
    for (int i = 0; i < 100000 && !stop; ++i) {
      std::string v = PgValue(conn.get(),
          "SELECT string_agg(s.year_month || ':' || s.n || '/' || coalesce(c.n, 0), ','"
          " ORDER BY s.year_month) FROM"
          " (SELECT year_month, count(*) n FROM ranking.ranking_signal GROUP BY 1) s LEFT JOIN"
          " (SELECT year_month, count(*) n FROM ranking.composite_signal_daily GROUP BY 1) c"
          " USING (year_month)");
      if (!allowed.count(v)) bad.insert(v);
      ++reads;
    }
  });
  for (int i = 0; i < 8; ++i) {
    auto r = Replace(rep_.get(), "2024-03", i % 2 == 0 ? b : a, 2 + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  stop = true;
  reader.join();
  EXPECT_TRUE(bad.empty()) << *bad.begin();
  EXPECT_GT(reads.load(), 10);
  EXPECT_EQ(StagingTables(), "0");
}

// An open transaction that has read the parent holds ACCESS SHARE until it
// ends, which DETACH (ACCESS EXCLUSIVE) waits for: each attempt times out,
// the writer retries, gives up naming the month and the reader's pid, and
// leaves the month as it was.
TEST_F(MonthSwapTest, SwapBehindAnOpenReaderRetriesThenNamesMonthAndBlocker) {
  Month old = MakeMonth("2024-05", 2, 20, 1);
  Month next = MakeMonth("2024-05", 3, 20, 2);
  ASSERT_TRUE(Replace(rep_.get(), "2024-05", old).ok());
  auto holder = PgConnect(db_->dsn());
  std::string holder_pid = PgValue(holder.get(), "SELECT pg_backend_pid()");
  PgValue(holder.get(), "BEGIN");
  EXPECT_EQ(PgValue(holder.get(), "SELECT count(*) FROM ranking.ranking_signal"), "120");
  ConnectionOptions o = db_->options();
  o.lock_timeout_ms = 200;
  o.swap_attempts = 3;
  o.swap_backoff_base_ms = 50;
  auto rep = Connect(o);
  auto start = std::chrono::steady_clock::now();
  auto r = Replace(rep.get(), "2024-05", next, 2);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  const std::string& msg = r.status().message();
  EXPECT_EQ(msg.rfind("replicate 2024-05: swap partitions: swap partitions of 2024-05: locks on "
                      "ranking.ranking_signal and ranking.composite_signal_daily not granted "
                      "within lock_timeout 200 ms in 3 attempts; blocking backends: pid " +
                          holder_pid + " (state idle in transaction, query_start 20",
                      0),
            0u)
      << msg;
  EXPECT_GE(seconds, 3 * 0.2);
  PgValue(holder.get(), "COMMIT");
  EXPECT_EQ(rep_->MonthContent("2024-05")->signals_checksum, ContentChecksum(old.signals));
  EXPECT_EQ(StagingTables(), "0");
}

TEST_F(MonthSwapTest, SwapSucceedsWhenTheBlockerLeavesDuringRetries) {
  Month old = MakeMonth("2024-06", 2, 20, 1);
  Month next = MakeMonth("2024-06", 3, 20, 2);
  ASSERT_TRUE(Replace(rep_.get(), "2024-06", old).ok());
  auto holder = PgConnect(db_->dsn());
  PgValue(holder.get(), "BEGIN");
  PgValue(holder.get(), "SELECT count(*) FROM ranking.composite_signal_daily");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    PgValue(holder.get(), "COMMIT");
  });
  ConnectionOptions o = db_->options();
  o.lock_timeout_ms = 150;
  o.swap_attempts = 20;
  o.swap_backoff_base_ms = 20;
  auto rep = Connect(o);
  auto r = Replace(rep.get(), "2024-06", next, 2);
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->swap_attempts, 1);
  EXPECT_LT(r->swap_attempts, 20);
  EXPECT_EQ(r->signals_rows_deleted, 120);
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(next.signals));
}

// Autovacuum holds SHARE UPDATE EXCLUSIVE on one partition at a time, as the
// holder here does on another month's partition: the swap locks the parents
// only, not every partition, so it is not held up (0005's swap waited for
// such a lock, holding the parents and so every reader meanwhile).
TEST_F(MonthSwapTest, SwapIsNotHeldUpByAVacuumLockOnAnotherMonthsPartition) {
  Month other = MakeMonth("2024-07", 2, 20, 1);
  Month old = MakeMonth("2024-08", 2, 20, 1);
  Month next = MakeMonth("2024-08", 3, 20, 2);
  ASSERT_TRUE(Replace(rep_.get(), "2024-07", other).ok());
  ASSERT_TRUE(Replace(rep_.get(), "2024-08", old).ok());
  auto holder = PgConnect(db_->dsn());
  PgValue(holder.get(), "BEGIN");
  PgValue(holder.get(),
          "LOCK TABLE ranking.ranking_signal_2024_07, ranking.composite_signal_daily_2024_07 "
          "IN SHARE UPDATE EXCLUSIVE MODE");
  ConnectionOptions o = db_->options();
  o.lock_timeout_ms = 200;
  o.swap_attempts = 2;
  o.swap_backoff_base_ms = 50;
  auto rep = Connect(o);
  auto r = Replace(rep.get(), "2024-08", next, 2);
  PgValue(holder.get(), "COMMIT");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->swap_attempts, 1);
  EXPECT_EQ(r->signals_rows_deleted, 120);
  EXPECT_EQ(r->composite_rows_deleted, 40);
  EXPECT_EQ(rep_->MonthContent("2024-08")->signals_checksum, ContentChecksum(next.signals));
  EXPECT_EQ(rep_->MonthContent("2024-07")->signals_checksum, ContentChecksum(other.signals));
}

// The client is killed (SIGKILL) at each named point of a replacement; the
// server discards the transaction, the month keeps its old rows whole, and
// no staging table survives, then or after the next replacement.
TEST_F(MonthSwapTest, CrashInsideTheReplacementLeavesEveryMonthWhole) {
  Month old = MakeMonth("2024-07", 3, 30, 1);
  Month next = MakeMonth("2024-07", 2, 40, 2);
  Month aug = MakeMonth("2024-08", 2, 10, 3);
  ASSERT_TRUE(Replace(rep_.get(), "2024-07", old).ok());
  ASSERT_TRUE(Replace(rep_.get(), "2024-08", aug).ok());
  for (const char* point : {"postgres.replace.after_copy", "postgres.replace.after_index",
                            "postgres.replace.after_swap", "postgres.replace.after_delete",
                            "postgres.replace.before_commit"}) {
    SCOPED_TRACE(point);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ArmCrashPoint(point);
      auto rep = Replicator::Connect(db_->options());
      if (rep.ok()) (void)Replace(rep->get(), "2024-07", next, 2);
      _exit(3);  // not reached when the point fired
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    auto jul = rep_->MonthContent("2024-07");
    ASSERT_TRUE(jul.ok()) << jul.status().ToString();
    EXPECT_EQ(jul->signals_checksum, ContentChecksum(old.signals));
    EXPECT_EQ(jul->composite_checksum, ContentChecksum(old.composite));
    EXPECT_EQ(rep_->MonthContent("2024-08")->signals_checksum, ContentChecksum(aug.signals));
    EXPECT_EQ(rep_->ReadLedger()->front().signals_delta_version, 1);
    // The killed backend may take a moment to end; its tables end with it.
    for (int i = 0; i < 100 && StagingTables() != "0"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(StagingTables(), "0");
  }
  auto r = Replace(rep_.get(), "2024-07", next, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(rep_->MonthContent("2024-07")->signals_checksum, ContentChecksum(next.signals));
  EXPECT_EQ(StagingTables(), "0");
}

// Replacing a partition leaves no dead tuple and no growth: after 10
// replacements the month's relations are the size of the first load.
TEST_F(MonthSwapTest, TenReplacementsLeaveNoDeadTuplesAndFreshSize) {
  Month m = MakeMonth("2024-09", 20, 200, 1);  // 12,000 + 4,000 rows
  const std::string size_sql =
      "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = 'ranking' AND c.relkind = 'r' AND "
      "c.relname NOT LIKE 'signal_sync_state%'";
  ASSERT_TRUE(Replace(rep_.get(), "2024-09", m, 1).ok());
  double fresh = std::stod(db_->Value(size_sql));
  for (int i = 0; i < 10; ++i) {
    auto r = Replace(rep_.get(), "2024-09", m, 2 + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->signals_rows_deleted, 12000);
  }
  double after = std::stod(db_->Value(size_sql));
  EXPECT_LT(std::abs(after - fresh) / fresh, 0.05) << fresh << " -> " << after;
  db_->Value("SELECT pg_stat_force_next_flush()");
  std::string dead;
  for (int i = 0; i < 50; ++i) {  // the statistics collector flushes asynchronously
    dead = db_->Value("SELECT coalesce(sum(n_dead_tup), 0) || '/' || count(*) FROM "
                      "pg_stat_user_tables WHERE schemaname = 'ranking' AND relname NOT LIKE "
                      "'signal_sync_state%'");
    if (dead == "0/6") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(dead, "0/6");  // month and default partitions of both tables, both parents
}

// COPY FREEZE is refused when the staging table was not created in the
// COPY's subtransaction (SQLSTATE 55000): here a staging function that
// reuses a staging table committed earlier. The replacement rolls back to its
// savepoint, COPYs without FREEZE, serves the month whole, and later months
// on the same connection no longer try FREEZE.
TEST_F(MonthSwapTest, RefusedCopyFreezeFallsBackToAPlainCopy) {
  db_->Value("SELECT ranking.replication_create_staging('ranking_signal', '2024-05')");
  db_->Value(
      "ALTER FUNCTION ranking.replication_create_staging(text, text) "
      "RENAME TO replication_create_staging_real");
  db_->Value(R"(CREATE FUNCTION ranking.replication_create_staging(p_table text, p_year_month text)
      RETURNS text LANGUAGE plpgsql AS $$
      BEGIN
        IF to_regclass('ranking.ranking_signal_2024_05_staging') IS NOT NULL
           AND p_table = 'ranking_signal' AND p_year_month = '2024-05' THEN
          RETURN 'ranking.ranking_signal_2024_05_staging';
        END IF;
        RETURN ranking.replication_create_staging_real(p_table, p_year_month);
      END $$)");
  Month m = MakeMonth("2024-05", 3, 20, 4);
  auto r = Replace(rep_.get(), "2024-05", m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->copy_frozen);
  EXPECT_EQ(db_->Value("SELECT count(*) FROM ranking.ranking_signal_2024_05"), "180");
  EXPECT_EQ(rep_->MonthContent("2024-05")->signals_checksum, ContentChecksum(m.signals));
  EXPECT_EQ(rep_->MonthContent("2024-05")->composite_checksum, ContentChecksum(m.composite));
  EXPECT_EQ(StagingTables(), "0");
  // The next month: nothing refuses FREEZE, but the connection no longer tries it.
  Month next = MakeMonth("2024-06", 3, 20, 5);
  auto r2 = Replace(rep_.get(), "2024-06", next);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_FALSE(r2->copy_frozen);
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(next.signals));
  // A new connection tries FREEZE again.
  auto fresh = Connect(db_->options());
  auto r3 = Replace(fresh.get(), "2024-07", MakeMonth("2024-07", 3, 20, 6));
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_TRUE(r3->copy_frozen);
}

// Rows another tool inserted into the parent for a month without partition
// land in the DEFAULT partition; replacing that month moves it to its own
// partition and takes those rows out.
TEST_F(MonthSwapTest, MonthInTheDefaultPartitionIsReplacedWhole) {
  db_->Value("INSERT INTO ranking.ranking_signal SELECT DATE '2024-10-01' + d, '2024-10', "
             "'X' || s, 'S', s, 0.5, 5, NULL FROM generate_series(0, 4) d, generate_series(1, 5) s");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM ranking.ranking_signal_default"), "25");
  Month m = MakeMonth("2024-10", 2, 10, 1);
  auto r = Replace(rep_.get(), "2024-10", m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signals_rows_deleted, 25);
  EXPECT_EQ(db_->Value("SELECT count(*) FROM ranking.ranking_signal_default"), "0");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM ranking.ranking_signal_2024_10"), "60");
  EXPECT_EQ(rep_->MonthContent("2024-10")->signals_checksum, ContentChecksum(m.signals));
}

TEST_F(MonthSwapTest, RowOutsideTheMonthIsRejectedByTheStagingCheck) {
  Month m = MakeMonth("2024-11", 2, 10, 1);
  m.composite.columns[0].As<int32_t>()[5] = testing::DayOf("2024-12", 1);
  auto r = Replace(rep_.get(), "2024-11", m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("replicate 2024-11: COPY ranking.composite_signal_daily: new "
                                      "row for relation \"composite_signal_daily_2024_11_staging\" "
                                      "violates check constraint"),
            std::string::npos)
      << r.status().message();
}

// Issue item 6: the writer replicates with its grants only, owns nothing,
// and can neither drop nor alter a serving table nor misuse the functions.
TEST(MonthSwapPrivilegeTest, WriterReplacesMonthsButCannotDropOrAlterServingTables) {
  TestDatabase db("swap_roles");
  db.Value("DO $$ BEGIN "
           "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ranking_writer') THEN "
           "CREATE ROLE ranking_writer LOGIN; END IF; END $$;"
           "ALTER ROLE ranking_writer PASSWORD 'writer-pw'");
  ASSERT_TRUE(Migrate(db.options(), testing::MigrationsDir()).ok());
  ConnectionOptions o;
  o.dsn = testing::PgUri("ranking_writer", "writer-pw", db.name());
  auto rep = Replicator::Connect(o);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_TRUE((*rep)->CheckSchema(SignalsSchema(), CompositeSchema()).ok());
  Month m = MakeMonth("2024-03", 2, 10, 1);
  MonthPayload p{"2024-03", m.signals, m.composite, 1, 1, 1, "run-w", true};
  auto first = (*rep)->ReplaceMonth(p);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->copy_frozen);
  ASSERT_TRUE((*rep)->ReplaceMonth(p).ok());
  EXPECT_EQ(db.Value("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                     "c.relnamespace WHERE n.nspname = 'ranking' AND "
                     "pg_get_userbyid(c.relowner) = 'ranking_writer'"),
            "0");
  EXPECT_EQ(db.Value("SELECT has_schema_privilege('ranking_writer', 'ranking', 'CREATE')"), "f");
  auto writer = PgConnect(o.dsn);
  auto refused = [&](const std::string& sql) {
    PGresult* res = PQexec(writer.get(), sql.c_str());
    std::string state = PQresultStatus(res) == PGRES_FATAL_ERROR
                            ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "succeeded";
    PQclear(res);
    return state;
  };
  EXPECT_EQ(refused("DROP TABLE ranking.ranking_signal"), "42501");
  EXPECT_EQ(refused("DROP TABLE ranking.ranking_signal_2024_03"), "42501");
  EXPECT_EQ(refused("ALTER TABLE ranking.composite_signal_daily ADD COLUMN x int"), "42501");
  EXPECT_EQ(refused("ALTER TABLE ranking.ranking_signal DETACH PARTITION "
                    "ranking.ranking_signal_2024_03"), "42501");
  EXPECT_EQ(refused("TRUNCATE ranking.ranking_signal"), "42501");
  EXPECT_EQ(refused("DELETE FROM ranking.ranking_signal"), "42501");
  EXPECT_EQ(refused("INSERT INTO ranking.ranking_signal_2024_03 SELECT * FROM "
                    "ranking.ranking_signal LIMIT 1"), "42501");
  EXPECT_EQ(refused("CREATE TABLE ranking.x (i int)"), "42501");
  EXPECT_EQ(refused("SELECT ranking.replication_create_staging('signal_sync_state', '2024-03')"),
            "22023");
  EXPECT_EQ(refused("SELECT ranking.replication_create_staging('ranking_signal', '2024-13')"),
            "22023");
  EXPECT_EQ(refused("SELECT ranking.replication_create_staging('ranking_signal', "
                    "'2024-03''; DROP TABLE ranking.ranking_signal; --')"),
            "22023");
  EXPECT_EQ(refused("SELECT * FROM ranking.replication_swap_month('24-03')"), "22023");
  EXPECT_EQ(refused("SELECT ranking.replication_month_start('ranking_signal', '2024-03')"), "42501");
  EXPECT_EQ(db.Value("SELECT count(*) FROM ranking.ranking_signal"), "60");
}

}  // namespace
}  // namespace rs::postgres
