#include "postgres/replicator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include "postgres/pg_test_db.h"
#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

using testing::MakeComposite;
using testing::MakeSignals;
using testing::TestDatabase;

// A migrated database and a connected Replicator.
class ReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>("rep");
    auto m = Migrate(db_->options(), testing::MigrationsDir());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    auto r = Replicator::Connect(db_->options());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    rep_ = std::move(*r);
  }

  struct Month {
    RecordBatch signals, composite;
  };
  static Month MakeMonth(const std::string& ym, int days, int symbols, int seed) {
    return {MakeSignals(ym, days, symbols, 3, seed), MakeComposite(ym, days, symbols, seed)};
  }
  Result<MonthSyncResult> Replace(const std::string& ym, const Month& m, int64_t version = 1,
                                  bool verify = true, Replicator* rep = nullptr) {
    MonthPayload p{ym, m.signals, m.composite, version, version, version, "run-" + ym, verify};
    return (rep ? rep : rep_.get())->ReplaceMonth(p);
  }
  std::string Count(const std::string& table, const std::string& ym) {
    return db_->Value("SELECT count(*) FROM ranking." + table + " WHERE year_month = '" + ym + "'");
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Replicator> rep_;
};

// The end of CheckSchema's message when applying migrations restores what is missing.
std::string MigrateAdvice(const std::string& version) {
  return ". Run `ranking-signals migrate`: it applies migration " + version +
         " and the later ones (again where already applied; each is idempotent and keeps every "
         "row)";
}

TEST_F(ReplicatorTest, CheckSchemaNamesDroppedColumn) {
  db_->Value("ALTER TABLE ranking.ranking_signal DROP COLUMN n_symbols");
  Status st = rep_->CheckSchema(SignalsSchema(), CompositeSchema());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "check schema: " + rep_->target() +
                              " lacks what its migrations create: ranking.ranking_signal has no "
                              "column n_symbols (integer) (migration 0003): add it back: ALTER "
                              "TABLE ranking.ranking_signal ADD COLUMN n_symbols integer; then "
                              "refill every month with `ranking-signals sync --lake URI --force`");
}

TEST_F(ReplicatorTest, CheckSchemaNamesTypeMismatch) {
  db_->Value("ALTER TABLE ranking.composite_signal_daily ALTER COLUMN composite_rank TYPE bigint");
  Status st = rep_->CheckSchema(SignalsSchema(), CompositeSchema());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "check schema: " + rep_->target() +
                              " lacks what its migrations create: "
                              "ranking.composite_signal_daily.composite_rank is bigint, expected "
                              "integer (migration 0003): change it back: ALTER TABLE "
                              "ranking.composite_signal_daily ALTER COLUMN composite_rank TYPE "
                              "integer USING composite_rank::integer");
}

TEST_F(ReplicatorTest, CheckSchemaNamesMissingLedgerColumn) {
  db_->Value("ALTER TABLE ranking.signal_sync_state DROP COLUMN run_id");
  Status st = rep_->CheckSchema(SignalsSchema(), CompositeSchema());
  EXPECT_EQ(st.message(), "check schema: " + rep_->target() +
                              " lacks what its migrations create: ranking.signal_sync_state has "
                              "no column run_id (text) (migration 0004)" +
                              MigrateAdvice("0004"));
}

TEST(ReplicatorSchemaTest, MissingTableAsksForMigrate) {
  TestDatabase db("rep_nomigrate");
  auto rep = Replicator::Connect(db.options());
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  Status st = (*rep)->CheckSchema(SignalsSchema(), CompositeSchema());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message().rfind("check schema: " + (*rep)->target() +
                                   " lacks what its migrations create: schema core does not "
                                   "exist (migration 0002); ",
                               0),
            0u)
      << st.message();
  EXPECT_NE(st.message().find("; and 4 more" + MigrateAdvice("0002")), std::string::npos)
      << st.message();
}

TEST_F(ReplicatorTest, RerunOfOneMonthReplacesOnlyThatMonth) {
  std::map<std::string, Month> months;
  for (std::string ym : {"2024-01", "2024-02", "2024-03"}) {
    months.emplace(ym, MakeMonth(ym, 5, 40, ym[6] - '0'));
    auto r = Replace(ym, months.at(ym));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->signals_rows, 600);
    EXPECT_EQ(r->composite_rows, 200);
    EXPECT_EQ(r->signals_rows_deleted, 0);
  }
  auto before_jan = rep_->MonthContent("2024-01");
  auto before_mar = rep_->MonthContent("2024-03");
  ASSERT_TRUE(before_jan.ok() && before_mar.ok());
  Month feb2 = MakeMonth("2024-02", 4, 30, 9);
  auto r = Replace("2024-02", feb2, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signals_rows_deleted, 600);
  EXPECT_EQ(r->composite_rows_deleted, 200);
  EXPECT_EQ(Count("ranking_signal", "2024-02"), "360");
  EXPECT_EQ(Count("composite_signal_daily", "2024-02"), "120");
  auto feb = rep_->MonthContent("2024-02");
  ASSERT_TRUE(feb.ok());
  EXPECT_EQ(feb->signals_checksum, ContentChecksum(feb2.signals));
  EXPECT_EQ(feb->composite_checksum, ContentChecksum(feb2.composite));
  EXPECT_EQ(rep_->MonthContent("2024-01")->signals_checksum, before_jan->signals_checksum);
  EXPECT_EQ(rep_->MonthContent("2024-03")->composite_checksum, before_mar->composite_checksum);
  EXPECT_EQ(db_->Value("SELECT count(*) FROM ranking.ranking_signal"), "1560");
}

TEST_F(ReplicatorTest, ContentEqualsPayloadRowForRow) {
  Month m = MakeMonth("2024-02", 3, 12, 4);
  ASSERT_TRUE(Replace("2024-02", m).ok());
  PGresult* res = PQexec(db_->conn(),
      "SELECT (date - DATE '1970-01-01'), year_month, symbol, strategy, rank, "
      "float8send(rank_percentile), n_symbols, float8send(score) FROM ranking.ranking_signal");
  ASSERT_EQ(PQresultStatus(res), PGRES_TUPLES_OK);
  const RecordBatch& b = m.signals;
  ASSERT_EQ(static_cast<size_t>(PQntuples(res)), b.num_rows);
  std::map<std::tuple<int, std::string, std::string>, int> rows;  // key -> result row
  for (int i = 0; i < PQntuples(res); ++i) {
    rows[{std::stoi(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3)}] = i;
  }
  auto hex = [](double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    char buf[32];
    std::snprintf(buf, sizeof buf, "\\x%016llx", static_cast<unsigned long long>(bits));
    return std::string(buf);
  };
  bool saw_unicode = false, saw_null = false;
  for (size_t row = 0; row < b.num_rows; ++row) {
    const std::string& symbol = b.columns[2].As<std::string>()[row];
    auto it = rows.find({b.columns[0].As<int32_t>()[row], symbol, b.columns[3].As<std::string>()[row]});
    ASSERT_NE(it, rows.end()) << "row " << row << " missing";
    int i = it->second;
    EXPECT_EQ(PQgetvalue(res, i, 1), b.columns[1].As<std::string>()[row]);
    EXPECT_EQ(std::stoi(PQgetvalue(res, i, 4)), b.columns[4].As<int32_t>()[row]);
    EXPECT_EQ(PQgetvalue(res, i, 5), hex(b.columns[5].As<double>()[row]));
    EXPECT_EQ(std::stoi(PQgetvalue(res, i, 6)), b.columns[6].As<int32_t>()[row]);
    if (b.columns[7].IsValid(row)) {
      EXPECT_EQ(PQgetvalue(res, i, 7), hex(b.columns[7].As<double>()[row]));
    } else {
      EXPECT_TRUE(PQgetisnull(res, i, 7)) << "row " << row;
      saw_null = true;
    }
    saw_unicode |= symbol == "\xC3\x84PFEL-\xE6\x97\xA5\xE6\x9C\xAC";
  }
  PQclear(res);
  EXPECT_TRUE(saw_unicode && saw_null);
  EXPECT_EQ(db_->Value("SELECT symbol FROM ranking.composite_signal_daily WHERE symbol LIKE 'Ä%' LIMIT 1"),
            "ÄPFEL-日本");
}

TEST_F(ReplicatorTest, ChecksumComputedInSqlEqualsCppAndTracksChanges) {
  Month m = MakeMonth("2024-04", 4, 25, 2);
  auto r = Replace("2024-04", m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto stats = rep_->MonthContent("2024-04");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->signals_rows, 300);
  EXPECT_EQ(stats->composite_rows, 100);
  EXPECT_EQ(stats->signals_checksum, ContentChecksum(m.signals));
  EXPECT_EQ(stats->composite_checksum, ContentChecksum(m.composite));
  EXPECT_EQ(r->signals_checksum, stats->signals_checksum);
  EXPECT_NE(stats->signals_checksum, "0");
  db_->Value("UPDATE ranking.ranking_signal SET score = score + 1e-12 WHERE rank = 3 AND "
             "year_month = '2024-04' AND score IS NOT NULL AND date = '2024-04-01' AND strategy = 'Strategy_1'");
  EXPECT_NE(rep_->MonthContent("2024-04")->signals_checksum, stats->signals_checksum);
  EXPECT_EQ(rep_->MonthContent("2024-04")->composite_checksum, stats->composite_checksum);
  EXPECT_EQ(rep_->MonthContent("1999-01")->signals_checksum, "0");
}

TEST_F(ReplicatorTest, LedgerRecordsLineage) {
  Month m = MakeMonth("2024-05", 2, 10, 1);
  MonthPayload p{"2024-05", m.signals, m.composite, 7, 8, 9, "run-abc", true};
  auto r = rep_->ReplaceMonth(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto ledger = rep_->ReadLedger();
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  ASSERT_EQ(ledger->size(), 1u);
  const LedgerRow& row = ledger->front();
  EXPECT_EQ(row.year_month, "2024-05");
  EXPECT_EQ(row.status, "success");
  EXPECT_FALSE(row.error.has_value());
  EXPECT_EQ(row.signals_rows, 60);
  EXPECT_EQ(row.composite_rows, 20);
  EXPECT_EQ(row.rankings_delta_version, 7);
  EXPECT_EQ(row.signals_delta_version, 8);
  EXPECT_EQ(row.composite_delta_version, 9);
  EXPECT_EQ(row.run_id, "run-abc");
  EXPECT_EQ(row.signals_checksum, ContentChecksum(m.signals));
  EXPECT_EQ(row.composite_checksum, ContentChecksum(m.composite));
  EXPECT_EQ(row.synced_at.size(), std::string("2024-05-01T00:00:00.000000Z").size()) << row.synced_at;
}

TEST_F(ReplicatorTest, OlderDeltaVersionNeverOverwritesNewer) {
  Month v5 = MakeMonth("2024-06", 2, 10, 5);
  Month v4 = MakeMonth("2024-06", 3, 10, 4);
  ASSERT_TRUE(Replace("2024-06", v5, 5).ok());
  auto old = Replace("2024-06", v4, 4);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->skipped);
  EXPECT_EQ(old->skip_reason, "ledger has signals version 5 > payload 4");
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(v5.signals));
  // A newer composite version alone also wins.
  MonthPayload p{"2024-06", v4.signals, v4.composite, 6, 6, 4, "run-x", true};
  auto mixed = rep_->ReplaceMonth(p);
  ASSERT_TRUE(mixed.ok());
  EXPECT_TRUE(mixed->skipped);
  EXPECT_EQ(mixed->skip_reason, "ledger has composite version 5 > payload 4");
  auto same = Replace("2024-06", v4, 5);  // equal versions: an idempotent rerun replaces
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->skipped);
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(v4.signals));
}

// Ledger v2: the source identity decides before the versions do.
TEST_F(ReplicatorTest, NewSourceIdentityReplacesSameIdentityOlderVersionSkipsForceReplaces) {
  Month v5 = MakeMonth("2024-06", 2, 10, 5), v3 = MakeMonth("2024-06", 3, 10, 3);
  Month v2 = MakeMonth("2024-06", 4, 10, 2), v1 = MakeMonth("2024-06", 1, 10, 1);
  auto payload = [](const Month& m, int64_t version, const std::string& id) {
    MonthPayload p{"2024-06", m.signals, m.composite, version, version, version, "run", true};
    p.signals_table_id = id + "-signals";
    p.composite_table_id = id + "-composite";
    return p;
  };
  // Rows written before v2 (no identity) at version 5.
  ASSERT_TRUE(Replace("2024-06", v5, 5).ok());
  auto r = rep_->ReplaceMonth(payload(v3, 3, "a"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  EXPECT_TRUE(r->source_changed);
  EXPECT_EQ(r->source_change_reason,
            "the ledger row has no source identity (written before ledger v2)");
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(v3.signals));
  // Another table id: a new source, replaced although its version is older.
  r = rep_->ReplaceMonth(payload(v2, 2, "b"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  EXPECT_EQ(r->source_change_reason, "signals table id changed from a-signals to b-signals");
  // Same identity, older version: skipped.
  r = rep_->ReplaceMonth(payload(v1, 1, "b"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->skipped);
  EXPECT_FALSE(r->source_changed);
  EXPECT_EQ(r->skip_reason, "ledger has signals version 2 > payload 1");
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(v2.signals));
  // force replaces whatever the ledger says.
  MonthPayload forced = payload(v1, 1, "b");
  forced.force = true;
  r = rep_->ReplaceMonth(forced);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  EXPECT_EQ(rep_->MonthContent("2024-06")->signals_checksum, ContentChecksum(v1.signals));
  EXPECT_EQ(rep_->ReadLedger()->front().signals_delta_version, 1);
}

TEST_F(ReplicatorTest, LedgerV2RecordsSourceAndFailureKeepsIt) {
  Month m = MakeMonth("2024-05", 2, 10, 1);
  MonthPayload p{"2024-05", m.signals, m.composite, 7, 8, 9, "run-abc", true};
  p.signals_table_id = "sig-id";
  p.composite_table_id = "comp-id";
  p.source_location = "az://lake@acct.dfs.core.windows.net/platinum/signals?sv=2024&sig=SECRET";
  p.signals_commit_timestamp_ms = 1700000000123;
  auto r = rep_->ReplaceMonth(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->copy_frozen);
  EXPECT_EQ(r->swap_attempts, 1);
  auto row = rep_->ReadLedger()->front();
  EXPECT_EQ(row.signals_table_id, "sig-id");
  EXPECT_EQ(row.composite_table_id, "comp-id");
  EXPECT_EQ(row.source_location, "az://lake@acct.dfs.core.windows.net/platinum/signals");
  EXPECT_EQ(row.signals_commit_timestamp, "2023-11-14T22:13:20.123000Z");
  EXPECT_EQ(row.last_success_at, row.synced_at);
  ASSERT_TRUE(rep_->RecordFailure("2024-05", "run-fail", "boom").ok());
  auto failed = rep_->ReadLedger()->front();
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.run_id, "run-fail");
  EXPECT_EQ(failed.last_success_at, row.last_success_at);
  EXPECT_NE(failed.synced_at, row.synced_at);
  EXPECT_EQ(failed.signals_table_id, "sig-id");
  EXPECT_EQ(failed.source_location, row.source_location);
  EXPECT_EQ(failed.signals_commit_timestamp, row.signals_commit_timestamp);
  EXPECT_EQ(failed.signals_checksum, ContentChecksum(m.signals));
  EXPECT_EQ(db_->Value("SELECT count(*) FROM pg_description WHERE objoid = "
                       "'ranking.signal_sync_state'::regclass"),
            db_->Value("SELECT count(*) + 1 FROM information_schema.columns WHERE table_schema = "
                       "'ranking' AND table_name = 'signal_sync_state'"));
  PGresult* res = PQexec(db_->conn(), "UPDATE ranking.signal_sync_state SET status = 'ok'");
  EXPECT_STREQ(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
  PQclear(res);
}

TEST_F(ReplicatorTest, CheckSchemaAsksForMigrateWithoutLedgerV2OrSwapFunctions) {
  db_->Value("ALTER TABLE ranking.signal_sync_state DROP COLUMN source_location");
  EXPECT_EQ(rep_->CheckSchema(SignalsSchema(), CompositeSchema()).message(),
            "check schema: " + rep_->target() +
                " lacks what its migrations create: ranking.signal_sync_state has no column "
                "source_location (text) (migration 0006)" +
                MigrateAdvice("0006"));
  db_->Value("ALTER TABLE ranking.signal_sync_state ADD COLUMN source_location text;"
             "DROP FUNCTION ranking.replication_swap_month(text)");
  EXPECT_EQ(rep_->CheckSchema(SignalsSchema(), CompositeSchema()).message(),
            "check schema: " + rep_->target() +
                " lacks what its migrations create: function "
                "ranking.replication_swap_month(text) does not exist (migration 0005)" +
                MigrateAdvice("0005"));
}

// A trigger silently dropping rows stands in for any loss between client and table.
TEST_F(ReplicatorTest, VerifyCountsCatchesLostRowsAndRollsBack) {
  Month good = MakeMonth("2024-07", 2, 10, 1);
  ASSERT_TRUE(Replace("2024-07", good).ok());
  db_->Value(R"(CREATE FUNCTION ranking.drop_rank_one() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.rank = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
                CREATE TRIGGER drop_rank_one BEFORE INSERT ON ranking.ranking_signal
                FOR EACH ROW EXECUTE FUNCTION ranking.drop_rank_one();)");
  Month next = MakeMonth("2024-07", 3, 10, 2);
  auto r = Replace("2024-07", next, 2, /*verify=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().message(), "replicate 2024-07: verify counts: ranking.ranking_signal has 81 "
                                  "rows (COPY stored 81) for 90 sent; rolled back");
  EXPECT_EQ(rep_->MonthContent("2024-07")->signals_checksum, ContentChecksum(good.signals));
  EXPECT_EQ(rep_->ReadLedger()->front().signals_delta_version, 1);
  auto unverified = Replace("2024-07", next, 2, /*verify=*/false);
  ASSERT_TRUE(unverified.ok()) << unverified.status().ToString();
  EXPECT_EQ(unverified->signals_rows, 81);
  EXPECT_EQ(Count("ranking_signal", "2024-07"), "81");
}

TEST_F(ReplicatorTest, RecordFailureKeepsServedContentLineage) {
  Month m = MakeMonth("2024-08", 2, 10, 1);
  ASSERT_TRUE(Replace("2024-08", m, 3).ok());
  std::string password = rs::testing::ServiceEnv("pg")["RS_TEST_PG_PASSWORD"];
  ASSERT_TRUE(rep_->RecordFailure("2024-08", "run-fail", "COPY failed; pw=" + password).ok());
  ASSERT_TRUE(rep_->RecordFailure("2024-09", "run-fail", "Delta read failed").ok());
  auto ledger = rep_->ReadLedger();
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 2u);
  const LedgerRow& aug = (*ledger)[0];
  EXPECT_EQ(aug.status, "failed");
  EXPECT_EQ(aug.error, "COPY failed; pw=***");
  EXPECT_EQ(aug.run_id, "run-fail");
  EXPECT_EQ(aug.signals_rows, 60);
  EXPECT_EQ(aug.signals_delta_version, 3);
  EXPECT_EQ(aug.signals_checksum, ContentChecksum(m.signals));
  EXPECT_EQ((*ledger)[1].status, "failed");
  EXPECT_FALSE((*ledger)[1].signals_rows.has_value());
  EXPECT_EQ(Count("ranking_signal", "2024-08"), "60");
}

TEST_F(ReplicatorTest, RejectsPayloadWithRowsOfAnotherMonth) {
  Month m = MakeMonth("2024-10", 1, 5, 1);
  m.composite.columns[1].As<std::string>()[3] = "2024-11";
  auto r = Replace("2024-10", m);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "replicate 2024-10: composite batch row 3 has year_month 2024-11, expected 2024-10");
  Month bad_type = MakeMonth("2024-10", 1, 5, 1);
  bad_type.signals.columns[4].field.type = DataType::Primitive(TypeId::kLong);
  EXPECT_EQ(Replace("2024-10", bad_type).status().message(),
            "replicate 2024-10: signals batch column 4 is rank (bigint), expected rank (integer)");
}

TEST(ReplicatorConnectTest, WrongPasswordErrorHoldsNeitherPasswordNorDsn) {
  const std::string password = "Wr0ng-S3cret-xyzzy";
  ConnectionOptions o;
  o.dsn = testing::PgUri("postgres", password, "postgres") + "?sslmode=disable";
  o.connect_retries = 3;
  o.retry_base_ms = 2000;
  auto start = std::chrono::steady_clock::now();
  auto r = Replicator::Connect(o);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "auth retried";
  const std::string& msg = r.status().message();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(msg.find(password), std::string::npos) << msg;
  EXPECT_EQ(msg.find(o.dsn), std::string::npos) << msg;
  EXPECT_EQ(msg.find("postgresql://"), std::string::npos) << msg;
  EXPECT_NE(msg.find("connect to PostgreSQL at 127.0.0.1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("password authentication failed"), std::string::npos) << msg;
}

TEST(ReplicatorConnectTest, RefusedConnectionIsRetriedThenUnavailable) {
  ConnectionOptions o;
  o.dsn = "host=127.0.0.1 port=1 user=u password='p q' dbname=d";
  o.connect_retries = 2;
  o.retry_base_ms = 10;
  auto r = Replicator::Connect(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message().rfind("after 3 attempts: connect to PostgreSQL at 127.0.0.1:1/d: ", 0),
            0u)
      << r.status().message();
}

// Readers see the old month or the new one, never a mix (MVCC snapshot per statement).
TEST_F(ReplicatorTest, ReadersSeeOnlyWholeMonths) {
  Month a = MakeMonth("2024-11", 6, 120, 1);  // 2160 + 720 rows
  Month b = MakeMonth("2024-11", 4, 90, 2);   // 1080 + 360 rows
  ASSERT_TRUE(Replace("2024-11", a).ok());
  // strategies_hit of SYM00006 is (6 + seed) % 7: 0 in a, 1 in b.
  std::set<std::string> allowed = {"2160/720/0", "1080/360/1"};
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::set<std::string> seen_bad;
  std::thread reader([&] {
    auto conn = testing::PgConnect(db_->dsn());
    while (!stop) {
      std::string v = testing::PgValue(conn.get(),
          "SELECT (SELECT count(*) FROM ranking.ranking_signal WHERE year_month = '2024-11') || '/' ||"
          " (SELECT count(*) FROM ranking.composite_signal_daily WHERE year_month = '2024-11') || '/' ||"
          " (SELECT string_agg(DISTINCT strategies_hit::text, '') FROM ranking.composite_signal_daily"
          "  WHERE year_month = '2024-11' AND symbol = 'SYM00006' AND date = '2024-11-01')");
      if (!allowed.count(v)) seen_bad.insert(v);
      ++reads;
    }
  });
  for (int i = 0; i < 8; ++i) {
    auto r = Replace("2024-11", i % 2 == 0 ? b : a, 1 + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  stop = true;
  reader.join();
  EXPECT_TRUE(seen_bad.empty()) << *seen_bad.begin();
  EXPECT_GT(reads.load(), 10);
}

TEST_F(ReplicatorTest, ConcurrentReplicatorsOfOneMonthLeaveOneWholeVersion) {
  Month a = MakeMonth("2024-12", 3, 50, 1);
  Month b = MakeMonth("2024-12", 2, 70, 2);
  auto other = Replicator::Connect(db_->options());
  ASSERT_TRUE(other.ok());
  Result<MonthSyncResult> ra = Status::Internal("not run"), rb = Status::Internal("not run");
  std::thread t([&] { ra = Replace("2024-12", a, 1, true, other->get()); });
  rb = Replace("2024-12", b, 1);
  t.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  auto stats = rep_->MonthContent("2024-12");
  std::string ledger = *rep_->ReadLedger()->front().signals_checksum;
  EXPECT_TRUE(stats->signals_checksum == ContentChecksum(a.signals) ||
              stats->signals_checksum == ContentChecksum(b.signals));
  EXPECT_EQ(ledger, stats->signals_checksum);
}

// The backend is terminated while COPY runs (a trigger holds the COPY open
// for two seconds so the kill lands mid-stream): the error is reported, the
// month keeps its previous content, and the Replicator reconnects after.
TEST_F(ReplicatorTest, ConnectionKilledMidCopyLeavesMonthUnchanged) {
  Month old = MakeMonth("2025-01", 2, 20, 1);
  ASSERT_TRUE(Replace("2025-01", old).ok());
  db_->Value(R"(CREATE FUNCTION ranking.slow_row() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$;
                CREATE TRIGGER slow_row BEFORE INSERT ON ranking.ranking_signal FOR EACH ROW
                WHEN (NEW.rank = 5 AND NEW.strategy = 'Strategy_1' AND NEW.date = '2025-01-01')
                EXECUTE FUNCTION ranking.slow_row();)");
  ConnectionOptions o = db_->options();
  o.application_name = "rs-kill-test";
  auto victim = Replicator::Connect(o);
  ASSERT_TRUE(victim.ok());
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    auto conn = testing::PgConnect(testing::SuperuserDsn("postgres"));
    for (int i = 0; i < 2000 && !killed; ++i) {
      killed = testing::PgValue(conn.get(),
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name ="
          " 'rs-kill-test' AND query LIKE 'COPY%' AND state = 'active'") == "1";
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  Month big = MakeMonth("2025-01", 20, 500, 2);
  auto r = Replace("2025-01", big, 2, true, victim->get());
  killer.join();
  ASSERT_TRUE(killed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // Whether libpq read the server's goodbye before noticing the closed socket is a race.
  EXPECT_TRUE(r.status().message() == "replicate 2025-01: COPY ranking.ranking_signal: terminating "
                                      "connection due to administrator command (SQLSTATE 57P01)" ||
              r.status().message() == "replicate 2025-01: COPY ranking.ranking_signal: server "
                                      "closed the connection unexpectedly This probably means the "
                                      "server terminated abnormally before or while processing the "
                                      "request.")
      << r.status().message();
  auto stats = (*victim)->MonthContent("2025-01");  // reconnects
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->signals_checksum, ContentChecksum(old.signals));
  EXPECT_EQ(stats->composite_checksum, ContentChecksum(old.composite));
  EXPECT_EQ((*victim)->ReadLedger()->front().signals_delta_version, 1);
}

// The job's role needs exactly the grants 0003 gives (docs/postgres.md).
TEST(ReplicatorPrivilegeTest, WriterRoleFromMigrationSufficesAndApiRoleReadsOnly) {
  TestDatabase db("rep_roles");
  db.Value("DO $$ BEGIN "
           "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ranking_writer') THEN "
           "CREATE ROLE ranking_writer LOGIN; END IF; "
           "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'api_service') THEN "
           "CREATE ROLE api_service LOGIN; END IF; END $$;"
           "ALTER ROLE ranking_writer PASSWORD 'writer-pw'; ALTER ROLE api_service PASSWORD 'api-pw'");
  ASSERT_TRUE(Migrate(db.options(), testing::MigrationsDir()).ok());
  ConnectionOptions o;
  o.dsn = testing::PgUri("ranking_writer", "writer-pw", db.name());
  auto rep = Replicator::Connect(o);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE((*rep)->CheckSchema(SignalsSchema(), CompositeSchema()).ok());
  RecordBatch s = MakeSignals("2024-03", 2, 10, 2, 1), c = MakeComposite("2024-03", 2, 10, 1);
  MonthPayload p{"2024-03", s, c, 1, 1, 1, "run-w", true};
  ASSERT_TRUE((*rep)->ReplaceMonth(p).ok());
  ASSERT_TRUE((*rep)->ReplaceMonth(p).ok());  // the update path of the ledger
  EXPECT_TRUE((*rep)->RecordFailure("2024-04", "run-w", "x").ok());
  EXPECT_TRUE((*rep)->MonthContent("2024-03").ok());
  auto writer = testing::PgConnect(o.dsn);
  PGresult* res = PQexec(writer.get(), "CREATE TABLE ranking.x (i int)");
  EXPECT_EQ(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);
  auto api = testing::PgConnect(testing::PgUri("api_service", "api-pw", db.name()));
  EXPECT_EQ(testing::PgValue(api.get(), "SELECT count(*) FROM ranking.ranking_signal"), "40");
  res = PQexec(api.get(), "DELETE FROM ranking.ranking_signal");
  EXPECT_EQ(PQresultStatus(res), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
  PQclear(res);
}

}  // namespace
}  // namespace rs::postgres
