// The ranking job end to end through the real binary: a local lake, sample
// data, the PostgreSQL fixture. Each test has its own lake and database.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/cli_harness.h"
#include "common/test_services.h"
#include "delta/table.h"
#include "storage/storage.h"

namespace rs::testing {
namespace {

class JobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = MakeTempDir("lake");
    dsn_ = CreateDatabase("job");
    auto r = Cli({"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { std::filesystem::remove_all(lake_); }

  std::map<std::string, std::string> Env(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {
        {"POSTGRES_DSN", dsn_},
        {"RANKING_MIGRATIONS_DIR", SourcePath("deploy/sql/postgres/migrations")},
        {"RANKING_THREADS", "2"}};
    for (auto& [k, v] : extra) {
      if (v.empty()) {
        env.erase(k);
      } else {
        env[k] = v;
      }
    }
    return env;
  }
  CliResult Cli(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
    return RunCli(args, Env(extra));
  }
  void SampleData(const std::string& lake, const std::string& end = "2024-03-31") {
    auto r = Cli({"sample-data", "--lake", lake, "--symbols", "30", "--start", "2023-01-02",
                  "--end", end, "--seed", "11"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Sorted JSON lines of a table scan.
  std::vector<std::string> Scan(const std::string& table_uri) {
    auto r = Cli({"table", "scan", table_uri});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  std::string State(const CliResult& verify, const std::string& month) {
    std::istringstream in(verify.out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(month + " ", 0) == 0) {
        std::istringstream cols(line);
        std::string m, state;
        cols >> m >> state;
        return state;
      }
    }
    return "absent";
  }

  std::string lake_;
  std::string dsn_;
};

TEST_F(JobTest, RunWritesDeltaReplicatesAndVerifiesInSync) {
  SampleData(lake_);
  auto run = Cli({"run", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("summary"), std::string::npos);
  auto months = Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state WHERE status='success'");
  ASSERT_EQ(months.size(), 1u);
  EXPECT_EQ(months[0], "15");  // 2023-01 .. 2024-03
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(State(verify, "2024-03"), "in_sync");
  // PostgreSQL holds exactly the Delta rows.
  auto pg = Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal");
  auto delta = Scan(lake_ + "/platinum/signals/ranking_signals");
  EXPECT_EQ(pg[0], std::to_string(delta.size()));
}

TEST_F(JobTest, VerifyReportsEachKindOfDriftAndSyncRepairsIt) {
  SampleData(lake_);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}).exit_code, 0);
  // rows deleted, a value changed, a month missing
  // (tableoid, ctid): a row id is unique only within one partition.
  Sql(dsn_, "DELETE FROM ranking.ranking_signal WHERE (tableoid, ctid) IN (SELECT tableoid, ctid "
            "FROM ranking.ranking_signal WHERE year_month='2024-01' LIMIT 3)");
  Sql(dsn_, "UPDATE ranking.composite_signal_daily SET composite_percentile = 0.123 WHERE "
            "year_month='2023-11' AND composite_rank = 1");
  Sql(dsn_, "DELETE FROM ranking.ranking_signal WHERE year_month='2023-06'");
  Sql(dsn_, "DELETE FROM ranking.composite_signal_daily WHERE year_month='2023-06'");
  Sql(dsn_, "DELETE FROM ranking.signal_sync_state WHERE year_month='2023-06'");
  // a stale version: Delta rewritten (same content, new version) without replication
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "2024-03"}, {{"POSTGRES_DSN", ""}}).exit_code, 0);

  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  EXPECT_EQ(State(verify, "2024-01"), "drifted") << verify.out;
  EXPECT_EQ(State(verify, "2023-11"), "drifted") << verify.out;
  EXPECT_EQ(State(verify, "2023-06"), "missing") << verify.out;
  EXPECT_EQ(State(verify, "2024-03"), "stale") << verify.out;
  EXPECT_EQ(State(verify, "2024-02"), "in_sync") << verify.out;

  auto sync = Cli({"sync", "--lake", lake_});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  auto again = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

// Issue 19: --format json and --output give one result object a pipeline can
// read: status, exit code, run id, and per month its state, the row counts
// of both sides, versions, checksums and the ledger status. Drift is a WARN.
TEST_F(JobTest, Issue19JsonResultsOfRunVerifyAndSync) {
  using nlohmann::json;
  SampleData(lake_);
  auto run = Cli({"run", "--lake", lake_, "--months", "2024-01..2024-03", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json r = json::parse(run.out);
  EXPECT_EQ(r["command"], "run");
  EXPECT_EQ(r["status"], "ok");
  EXPECT_EQ(r["exit_code"], 0);
  EXPECT_FALSE(r["run_id"].get<std::string>().empty());
  ASSERT_EQ(r["months"].size(), 3u) << run.out;
  for (const json& m : r["months"]) {
    EXPECT_EQ(m["state"], "in_sync") << m.dump();
    EXPECT_EQ(m["postgres"]["signals_rows"], m["delta"]["signals_rows"]) << m.dump();
    EXPECT_GT(m["delta"]["rankings_rows"].get<int64_t>(), 0);
  }
  EXPECT_EQ(r["tables"].size(), 3u);

  Sql(dsn_, "DELETE FROM ranking.ranking_signal WHERE (tableoid, ctid) IN (SELECT tableoid, ctid "
            "FROM ranking.ranking_signal WHERE year_month='2024-01' LIMIT 3)");
  std::string file = lake_ + "/verify.json";
  auto verify = Cli({"verify", "--lake", lake_, "--format", "json", "--output", file});
  ASSERT_EQ(verify.exit_code, 3) << verify.err;
  json v = json::parse(verify.out);
  std::ifstream in(file);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(json::parse(written.str()), v);
  EXPECT_EQ(v["status"], "drift");
  EXPECT_EQ(v["exit_code"], 3);
  std::map<std::string, json> by_month;
  for (const json& m : v["months"]) by_month[m["month"]] = m;
  ASSERT_EQ(by_month.size(), 3u) << verify.out;
  const json& drifted = by_month["2024-01"];
  EXPECT_EQ(drifted["state"], "drifted");
  EXPECT_EQ(drifted["postgres"]["signals_rows"].get<int64_t>() + 3,
            drifted["delta"]["signals_rows"].get<int64_t>());
  EXPECT_NE(drifted["postgres"]["signals_checksum"], drifted["delta"]["signals_checksum"]);
  const json& same = by_month["2024-02"];
  EXPECT_EQ(same["state"], "in_sync");
  EXPECT_EQ(same["postgres"]["signals_checksum"], same["delta"]["signals_checksum"]);
  EXPECT_EQ(same["ledger"]["status"], "success");
  EXPECT_EQ(same["ledger"]["signals_version"], same["delta"]["version"]);
  // The drifted month is a warning in the log; the in-sync ones are not.
  bool warned = false;
  for (const std::string& line : Lines(verify.err)) {
    if (line.find("2024-01") != std::string::npos && line.find("verified month") != std::string::npos) {
      warned = line.find("WARN") != std::string::npos;
    }
  }
  EXPECT_TRUE(warned) << verify.err;

  auto sync = Cli({"sync", "--lake", lake_, "--format", "json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  json y = json::parse(sync.out);
  EXPECT_EQ(y["status"], "ok");
  for (const json& m : y["months"]) {
    if (m["month"] != "2024-01") continue;
    EXPECT_EQ(m["state_before"], "drifted");
    EXPECT_EQ(m["state"], "in_sync");
    EXPECT_EQ(m["replication"]["signals_rows"], m["delta"]["signals_rows"]);
  }

  // A failure is a result too, with the process's exit code.
  auto bad = Cli({"verify", "--lake", lake_, "--months", "2024-13", "--format", "json"});
  EXPECT_EQ(bad.exit_code, 2);
  json b = json::parse(bad.out);
  EXPECT_EQ(b["status"], "usage_error");
  EXPECT_EQ(b["exit_code"], 2);
  EXPECT_EQ(b["error"]["code"], "InvalidArgument");
}

// Files under `dir` whose name ends with `suffix`, recursively.
int CountFiles(const std::string& dir, const std::string& suffix) {
  int n = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    n += e.is_regular_file() && e.path().string().ends_with(suffix);
  }
  return n;
}

// Issue 19: SIGTERM (how Container Apps stops a job) while months are being
// computed: no more months, the written files are removed, nothing is
// committed, the exit code says "stopped", and the same command then runs.
TEST_F(JobTest, Issue19SigtermWhileComputingCommitsNothingAndExits143) {
  SampleData(lake_);
  auto stopped = Cli({"run", "--lake", lake_, "--months", "all", "--format", "json"},
                     {{"POSTGRES_DSN", ""}, {"RS_CRASH_POINT", "job.after_month_written:2:TERM"}});
  EXPECT_EQ(stopped.exit_code, 143) << stopped.err;
  EXPECT_NE(stopped.err.find("stopped by SIGTERM before month 2023-03 was computed: nothing was "
                             "committed"),
            std::string::npos)
      << stopped.err;
  EXPECT_EQ(nlohmann::json::parse(stopped.out)["status"], "stopped") << stopped.out;
  EXPECT_EQ(CountFiles(lake_ + "/platinum", ".parquet"), 0);
  EXPECT_EQ(CountFiles(lake_ + "/platinum", ".json"), 0);
  auto rerun = Cli({"run", "--lake", lake_, "--months", "all"}, {{"POSTGRES_DSN", ""}});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
}

// SIGTERM while replicating: the month in flight finishes, no other month is
// started, the Delta commits stand, the months not replicated are named, and
// `sync` completes the rest.
TEST_F(JobTest, Issue19SigtermWhileReplicatingFinishesTheMonthInFlightAndStops) {
  SampleData(lake_);
  auto stopped = Cli(
      {"run", "--lake", lake_, "--months", "all"},
      {{"POSTGRES_SIGNALS_CONNECTIONS", "1"}, {"RS_CRASH_POINT", "replicate.after_month:2:TERM"}});
  EXPECT_EQ(stopped.exit_code, 143) << stopped.err;
  EXPECT_NE(stopped.err.find("stopped by SIGTERM before replicating 2023-03"), std::string::npos)
      << stopped.err;
  EXPECT_NE(stopped.err.find("not attempted: 2023-03,"), std::string::npos) << stopped.err;
  auto ledger = Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state WHERE status='success'");
  EXPECT_EQ(ledger[0], "2");
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 3) << verify.out;
  EXPECT_EQ(State(verify, "2023-02"), "in_sync") << verify.out;
  EXPECT_EQ(State(verify, "2023-03"), "missing") << verify.out;
  ASSERT_EQ(Cli({"sync", "--lake", lake_}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

// Issue 19: run --dry-run and sync --dry-run show what would be written and
// replicated, and write nothing anywhere.
TEST_F(JobTest, Issue19DryRunsWriteNothingAndShowWhatWouldBeDone) {
  using nlohmann::json;
  SampleData(lake_);
  auto dry = Cli(
      {"run", "--lake", lake_, "--months", "2024-02..2024-03", "--dry-run", "--format", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  json d = json::parse(dry.out);
  EXPECT_EQ(d["dry_run"], true);
  EXPECT_EQ(d["replication"], "would_run");
  ASSERT_EQ(d["months"].size(), 2u) << dry.out;
  EXPECT_EQ(d["months"][0]["state"], "would_write");
  EXPECT_EQ(CountFiles(lake_ + "/platinum", ".parquet"), 0);
  EXPECT_EQ(CountFiles(lake_ + "/platinum", ".json"), 0);
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state")[0], "0");
  // The rows it announced are the rows a real run writes.
  auto run = Cli({"run", "--lake", lake_, "--months", "2024-02..2024-03", "--format", "json"},
                 {{"POSTGRES_DSN", ""}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json r = json::parse(run.out);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(r["months"][i]["delta"], d["months"][i]["delta"]) << i;
  }
  auto sync = Cli({"sync", "--lake", lake_, "--dry-run", "--format", "json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  json y = json::parse(sync.out);
  EXPECT_EQ(y["would_replicate"], json::array({"2024-02", "2024-03"})) << sync.out;
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state")[0], "0");
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal")[0], "0");
}

TEST_F(JobTest, RerunOfOneMonthReplacesOnlyThatMonth) {
  SampleData(lake_);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}).exit_code, 0);
  auto before = Sql(dsn_, "SELECT run_id FROM ranking.signal_sync_state ORDER BY year_month");
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "2023-05"}).exit_code, 0);
  auto after = Sql(dsn_, "SELECT run_id FROM ranking.signal_sync_state ORDER BY year_month");
  ASSERT_EQ(before.size(), after.size());
  int changed = 0;
  for (size_t i = 0; i < before.size(); ++i) changed += before[i] != after[i];
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

TEST_F(JobTest, FailedReplicationIsFatalOnlyWhenWriteRequired) {
  SampleData(lake_);
  // A DSN that cannot connect, with a recognisable password.
  std::string bad_dsn = "postgresql://postgres:Sup3rSecretPw@127.0.0.1:1/nowhere?connect_timeout=2";
  auto required = Cli({"run", "--lake", lake_, "--months", "latest"}, {{"POSTGRES_DSN", bad_dsn}});
  EXPECT_EQ(required.exit_code, 75) << required.err;  // unreachable: temporary
  EXPECT_EQ(required.err.find("Sup3rSecretPw"), std::string::npos) << required.err;
  EXPECT_EQ(required.err.find(bad_dsn), std::string::npos);

  auto optional = Cli({"run", "--lake", lake_, "--months", "latest"},
                      {{"POSTGRES_DSN", bad_dsn}, {"POSTGRES_SIGNALS_WRITE_REQUIRED", "No"}});
  EXPECT_EQ(optional.exit_code, 0) << optional.err;
  EXPECT_NE(optional.err.find("2024-03"), std::string::npos) << optional.err;
  EXPECT_EQ(optional.err.find("Sup3rSecretPw"), std::string::npos);

  // Delta is correct; PostgreSQL does not have the month; sync heals.
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_EQ(State(verify, "2024-03"), "missing") << verify.out;
  ASSERT_EQ(Cli({"sync", "--lake", lake_}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

TEST_F(JobTest, LedgerSaysFailedWhenTheDatabaseIsReachable) {
  SampleData(lake_);
  // Break the serving table after migrating: the schema check fails before any row is touched.
  Sql(dsn_, "ALTER TABLE ranking.ranking_signal DROP COLUMN score");
  auto run = Cli({"run", "--lake", lake_, "--months", "latest"},
                 {{"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("score"), std::string::npos) << run.err;
  auto status = Sql(dsn_, "SELECT status FROM ranking.signal_sync_state WHERE year_month='2024-03'");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0], "failed");
}

TEST_F(JobTest, VerifyCountsFlagEachWay) {
  SampleData(lake_);
  for (const char* v : {"true", "0"}) {
    auto run = Cli({"run", "--lake", lake_, "--months", "latest"},
                   {{"POSTGRES_SIGNALS_VERIFY_COUNTS", v}});
    EXPECT_EQ(run.exit_code, 0) << v << run.err;
  }
  auto bad = Cli({"run", "--lake", lake_, "--months", "latest"},
                 {{"POSTGRES_SIGNALS_VERIFY_COUNTS", "perhaps"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("POSTGRES_SIGNALS_VERIFY_COUNTS"), std::string::npos) << bad.err;
}

TEST_F(JobTest, MonthsOnSeveralConnectionsEqualOneConnection) {
  SampleData(lake_);
  // Which server backends wrote the months (each COPY holds its backend briefly).
  Sql(dsn_, "CREATE TABLE public.writers (pid int)");
  Sql(dsn_, "CREATE FUNCTION public.note_writer() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_sleep(0.05); INSERT INTO public.writers VALUES (pg_backend_pid()); "
            "RETURN NULL; END $$");
  Sql(dsn_, "CREATE TRIGGER note_writer AFTER INSERT ON ranking.composite_signal_daily "
            "FOR EACH STATEMENT EXECUTE FUNCTION public.note_writer()");
  const std::string writers = "SELECT count(DISTINCT pid) || ' ' || count(*) FROM public.writers";
  const std::string ledger =
      "SELECT year_month || ' ' || signals_rows || ' ' || composite_rows || ' ' || "
      "signals_checksum || ' ' || composite_checksum || ' ' || status "
      "FROM ranking.signal_sync_state ORDER BY year_month";
  auto one = Cli({"run", "--lake", lake_, "--months", "all"},
                 {{"POSTGRES_SIGNALS_CONNECTIONS", "1"}});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto by_one = Sql(dsn_, ledger);
  ASSERT_EQ(by_one.size(), 15u);
  EXPECT_EQ(Sql(dsn_, writers), std::vector<std::string>{"1 15"});
  Sql(dsn_, "TRUNCATE public.writers");
  // Same Delta content again (new versions), now four months at a time.
  auto four = Cli({"run", "--lake", lake_, "--months", "all"},
                  {{"POSTGRES_SIGNALS_CONNECTIONS", "4"}});
  ASSERT_EQ(four.exit_code, 0) << four.err;
  EXPECT_NE(four.err.find("connections=4"), std::string::npos) << four.err;
  EXPECT_EQ(Sql(dsn_, ledger), by_one);
  EXPECT_EQ(Sql(dsn_, writers), std::vector<std::string>{"4 15"});
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  auto bad = Cli({"run", "--lake", lake_, "--months", "latest"},
                 {{"POSTGRES_SIGNALS_CONNECTIONS", "17"}});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("POSTGRES_SIGNALS_CONNECTIONS='17'"), std::string::npos) << bad.err;
}

// One month fails inside its transaction while others are written on other
// connections: the failure is reported for that month, every month written is
// whole, and without write_required the rest of the run completes.
TEST_F(JobTest, AFailingMonthAmongParallelMonthsIsReportedAndTheOthersStayWhole) {
  SampleData(lake_);
  Sql(dsn_, "CREATE FUNCTION ranking.refuse_july() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.year_month = '2023-07' THEN RAISE EXCEPTION 'refused by test trigger'; "
            "END IF; RETURN NEW; END $$");
  Sql(dsn_, "CREATE TRIGGER refuse_july BEFORE INSERT ON ranking.composite_signal_daily "
            "FOR EACH ROW EXECUTE FUNCTION ranking.refuse_july()");
  const std::string whole =
      "SELECT count(*) FROM ranking.signal_sync_state s WHERE s.status = 'success' AND "
      "s.signals_rows <> (SELECT count(*) FROM ranking.ranking_signal r "
      "WHERE r.year_month = s.year_month)";
  const std::string july =
      "SELECT status || ' ' || coalesce(error, '') FROM ranking.signal_sync_state "
      "WHERE year_month = '2023-07'";

  auto required = Cli({"run", "--lake", lake_, "--months", "all"},
                      {{"POSTGRES_SIGNALS_CONNECTIONS", "3"}});
  EXPECT_EQ(required.exit_code, 1) << required.err;
  EXPECT_NE(required.err.find("replicate 2023-07"), std::string::npos) << required.err;
  EXPECT_NE(required.err.find("refused by test trigger"), std::string::npos) << required.err;
  EXPECT_EQ(Sql(dsn_, whole), std::vector<std::string>{"0"});
  auto status = Sql(dsn_, july);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].rfind("failed ", 0), 0u) << status[0];
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal WHERE year_month = '2023-07'"),
            std::vector<std::string>{"0"});

  auto optional = Cli({"run", "--lake", lake_, "--months", "all"},
                      {{"POSTGRES_SIGNALS_CONNECTIONS", "3"},
                       {"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
  EXPECT_EQ(optional.exit_code, 0) << optional.err;
  EXPECT_NE(optional.err.find("refused by test trigger"), std::string::npos) << optional.err;
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state WHERE status = 'success'"),
            std::vector<std::string>{"14"});
  EXPECT_EQ(Sql(dsn_, whole), std::vector<std::string>{"0"});

  Sql(dsn_, "DROP TRIGGER refuse_july ON ranking.composite_signal_daily");
  ASSERT_EQ(Cli({"sync", "--lake", lake_}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

TEST_F(JobTest, ThreeShardsAtOnceEqualOneRun) {
  std::string single = MakeTempDir("lake-single");
  SampleData(lake_);
  SampleData(single);
  std::vector<std::unique_ptr<BackgroundCli>> shards;
  for (int k = 0; k < 3; ++k) {
    shards.push_back(std::make_unique<BackgroundCli>(
        std::vector<std::string>{"run", "--lake", lake_, "--months", "all", "--shard",
                                 std::to_string(k) + "/3"},
        Env({{"POSTGRES_DSN", ""}})));
  }
  for (auto& s : shards) {
    auto r = s->Wait();
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(Cli({"run", "--lake", single, "--months", "all"}, {{"POSTGRES_DSN", ""}}).exit_code, 0);
  for (const char* t : {"/platinum/rankings", "/platinum/signals/ranking_signals",
                        "/platinum/signals/daily"}) {
    EXPECT_EQ(Scan(lake_ + t), Scan(single + t)) << t;
  }
  std::filesystem::remove_all(single);
}

TEST_F(JobTest, Issue20AutoShardReplicaKilledAfterClaimingReTakesItsShardWhenRetried) {
  std::string single = MakeTempDir("lake-single");
  SampleData(lake_);
  SampleData(single);
  auto replica = [&](const std::string& owner, std::map<std::string, std::string> env) {
    env["POSTGRES_DSN"] = "";
    return Cli({"run", "--lake", lake_, "--months", "all", "--shard", "auto/2", "--shard-group",
                "exec-7", "--shard-owner", owner},
               env);
  };
  auto killed = replica("replica-1", {{"RS_CRASH_POINT", "job.after_month_written"}});
  ASSERT_EQ(killed.exit_code, -9) << killed.err;
  std::string claims = lake_ + "/_ranking_jobs/shards/exec-7";
  ASSERT_TRUE(std::filesystem::exists(claims + "/0.claim"));
  // The platform retries the replica: same execution, same replica name.
  auto retried = replica("replica-1", {});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.err.find("re-took the shard this replica claimed"), std::string::npos)
      << retried.err;
  auto other = replica("replica-2", {});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.err.find("claimed shard"), std::string::npos);
  // Both shards done: the group's claims are gone, and the output equals one run's.
  EXPECT_TRUE(!std::filesystem::exists(claims) || std::filesystem::is_empty(claims));
  ASSERT_EQ(Cli({"run", "--lake", single, "--months", "all"}, {{"POSTGRES_DSN", ""}}).exit_code, 0);
  for (const char* t :
       {"/platinum/rankings", "/platinum/signals/ranking_signals", "/platinum/signals/daily"}) {
    EXPECT_EQ(Scan(lake_ + t), Scan(single + t)) << t;
  }
  // A replaced replica (a new name) is told what to do instead of waiting forever.
  replica("replica-1", {{"RS_CRASH_POINT", "job.after_month_written"}});
  replica("replica-2", {{"RS_CRASH_POINT", "job.after_month_written"}});
  auto replaced = replica("replica-3", {});
  EXPECT_EQ(replaced.exit_code, 1) << replaced.err;
  EXPECT_NE(replaced.err.find("claimed by another replica (0 by 'replica-1', 1 by 'replica-2')"),
            std::string::npos)
      << replaced.err;
  std::filesystem::remove_all(single);
}

TEST_F(JobTest, MaterializeFromRankingsEqualsRun) {
  SampleData(lake_);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}, {{"POSTGRES_DSN", ""}}).exit_code, 0);
  auto signals = Scan(lake_ + "/platinum/signals/ranking_signals");
  auto composite = Scan(lake_ + "/platinum/signals/daily");
  auto m = Cli({"materialize", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(Scan(lake_ + "/platinum/signals/ranking_signals"), signals);
  EXPECT_EQ(Scan(lake_ + "/platinum/signals/daily"), composite);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

TEST_F(JobTest, UsageErrorsExitTwoWithAClearMessage) {
  SampleData(lake_);
  auto months = Cli({"run", "--lake", lake_, "--months", "2024-13"});
  EXPECT_EQ(months.exit_code, 2) << months.err;
  auto shard = Cli({"run", "--lake", lake_, "--shard", "3/3"});
  EXPECT_EQ(shard.exit_code, 2) << shard.err;
  EXPECT_NE(shard.err.find("--shard"), std::string::npos);
  auto flag = Cli({"run", "--lake", lake_, "--no-such-flag"});
  EXPECT_EQ(flag.exit_code, 2);
  auto missing_lake = Cli({"run"});
  EXPECT_EQ(missing_lake.exit_code, 2);
  auto weights = Cli({"run", "--lake", lake_}, {{"RANKING_COMPOSITE_STRATEGY_WEIGHTS", "{\"x\":"}});
  EXPECT_EQ(weights.exit_code, 2) << weights.err;  // a usage error (issue 22, item 11)
  EXPECT_NE(weights.err.find("RANKING_COMPOSITE_STRATEGY_WEIGHTS"), std::string::npos) << weights.err;
}

// Issue 22, item 8: bounds that were not checked, through the binary.
// Issue 22, item 2: a month whose derived partitions are now empty in Delta
// (a rerun on an input without rankable rows, with replication failing and
// POSTGRES_SIGNALS_WRITE_REQUIRED=false) was "in PostgreSQL but not in
// Delta" for verify, while sync said every month was in sync. sync must heal
// every state verify reports, and say so in its exit code.
TEST_F(JobTest, Issue22SyncHealsAMonthWhoseDeltaPartitionIsNowEmpty) {
  SampleData(lake_);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "2024-01..2024-03"}).exit_code, 0);
  for (const char* table : {"/platinum/signals/ranking_signals", "/platinum/signals/daily"}) {
    auto store = storage::OpenStorage(lake_ + table, {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto delta = delta::Table::Open(std::shared_ptr<storage::Storage>(std::move(*store)), "");
    ASSERT_TRUE(delta.ok()) << delta.status().ToString();
    auto snapshot = delta->LoadSnapshot();
    ASSERT_TRUE(snapshot.ok());
    auto tx = delta->BeginOverwrite(snapshot->metadata.schema, {"year_month"}, {"2024-02"}, {});
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto before = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(before.exit_code, 3) << before.out << before.err;
  EXPECT_NE(State(before, "2024-02"), "in_sync") << before.out;
  auto sync = Cli({"sync", "--lake", lake_, "--months", "2024-02"});
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.err.find("nothing to sync"), std::string::npos) << sync.err;
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal WHERE year_month = '2024-02'"),
            std::vector<std::string>{"0"});
  auto after = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
}

// Issue 22, item 3: months of years outside 1000-2999 were reported stale
// after rerunning one of them, and sync could not clear them.
TEST_F(JobTest, Issue22MonthsOfFarYearsStayInSyncAfterRerunningOne) {
  auto sample = Cli({"sample-data", "--lake", lake_, "--symbols", "12", "--start", "9997-01-01",
                     "--end", "9997-04-30", "--seed", "5"});
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}).exit_code, 0);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "9997-03"}).exit_code, 0);
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  for (const char* month : {"9997-01", "9997-02", "9997-03", "9997-04"}) {
    EXPECT_EQ(State(verify, month), "in_sync") << month << "\n" << verify.out;
  }
  auto sync = Cli({"sync", "--lake", lake_});
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.err.find("nothing to sync"), std::string::npos) << sync.err;
}

TEST_F(JobTest, Issue22OutOfRangeNumbersAndDatesAreUsageErrorsNamingTheRange) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string message;
  } cases[] = {
      {{"run", "--lake", lake_, "--threads", "100000"}, {},
       "--threads=100000 is not a whole number from 0 to 256"},
      {{"run", "--lake", lake_, "--threads", "-1"}, {},
       "--threads=-1 is not a whole number from 0 to 256"},
      {{"run", "--lake", lake_}, {{"RANKING_SIGNALS_TOP_N", "2147483647"}},
       "RANKING_SIGNALS_TOP_N='2147483647' is not a whole number from 1 to 1000000000"},
      {{"sample-data", "--lake", lake_, "--symbols", "2000000000"}, {},
       "--symbols=2000000000 is not a whole number from 1 to 1000000"},
      {{"sample-data", "--lake", lake_, "--start", "0000-01-01"}, {},
       "--start: '0000-01-01' is not a date: expected YYYY-MM-DD from 0001-01-01 to 9999-12-31"},
  };
  for (const auto& c : cases) {
    auto r = Cli(c.args, c.env);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

TEST_F(JobTest, MissingInputIsAClearErrorAndWritesNothing) {
  auto r = Cli({"run", "--lake", lake_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("gold/market_daily"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(lake_ + "/platinum"));
}

TEST_F(JobTest, JsonLogsCarryTheRunIdOnEveryLine) {
  SampleData(lake_);
  auto r = Cli({"run", "--lake", lake_, "--log-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.err);
  int lines = 0;
  std::set<std::string> run_ids;
  for (std::string line; std::getline(in, line);) {
    ASSERT_EQ(line.front(), '{') << line;
    auto pos = line.find("\"run_id\":\"");
    ASSERT_NE(pos, std::string::npos) << line;
    run_ids.insert(line.substr(pos, line.find('"', pos + 10) - pos));
    ++lines;
  }
  EXPECT_GT(lines, 3);
  EXPECT_EQ(run_ids.size(), 1u);
  auto history = Cli({"table", "history", lake_ + "/platinum/signals/daily"});
  EXPECT_NE(history.out.find(run_ids.begin()->substr(10)), std::string::npos) << history.out;
}

// Issue 10: kill the job at each named point; Delta stays readable at the old
// or new version, PostgreSQL holds whole months only, and a rerun converges.
TEST_F(JobTest, CrashAtAnyPointThenRerunConverges) {
  SampleData(lake_);
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}).exit_code, 0);
  const std::vector<std::string> points = {
      "job.after_month_written",  "job.before_commits",    "job.before_table_commit:2",
      "job.before_table_commit:3", "job.before_replication", "replicate.after_month",
      "delta.commit.before_put",  "delta.commit.after_put", "postgres.replace.after_delete",
      "postgres.replace.before_commit"};
  for (const auto& point : points) {
    auto crashed = Cli({"run", "--lake", lake_, "--months", "2023-10..2023-12"},
                       {{"RS_CRASH_POINT", point}});
    EXPECT_EQ(crashed.exit_code, -9) << point << ": " << crashed.err;
    for (const char* t : {"/platinum/rankings", "/platinum/signals/ranking_signals",
                          "/platinum/signals/daily"}) {
      auto info = Cli({"table", "info", lake_ + t});
      EXPECT_EQ(info.exit_code, 0) << point << " " << t << ": " << info.err;
    }
    // Whole months only: each month's rows equal its ledger count.
    auto partial = Sql(dsn_,
                       "SELECT count(*) FROM ranking.signal_sync_state s WHERE s.signals_rows <> "
                       "(SELECT count(*) FROM ranking.ranking_signal r WHERE r.year_month = s.year_month)");
    ASSERT_EQ(partial.size(), 1u);
    EXPECT_EQ(partial[0], "0") << point;
    auto rerun = Cli({"run", "--lake", lake_, "--months", "2023-10..2023-12"});
    EXPECT_EQ(rerun.exit_code, 0) << point << ": " << rerun.err;
    auto verify = Cli({"verify", "--lake", lake_});
    EXPECT_EQ(verify.exit_code, 0) << point << ": " << verify.out;
  }
}

}  // namespace
}  // namespace rs::testing
