// Issue 10 (reliability and security), end to end through the real binary:
//  - PostgreSQL faults during replication, with POSTGRES_SIGNALS_WRITE_REQUIRED
//    each way: a connection cut mid-COPY by a loopback TCP proxy, and
//    statements past POSTGRES_STATEMENT_TIMEOUT_MS behind a conflicting lock.
//    Required: exit 1 with the month and the cause named. Optional: exit 0.
//    Either way Delta is committed and correct, PostgreSQL holds whole months
//    only, the ledger never claims the failed month, `verify` exits 3 and
//    `sync` heals.
//  - Azure faults behind a fault-injecting HTTP proxy in front of Azurite:
//    transient 503s and stalls past RS_STORAGE_REQUEST_TIMEOUT_MS are retried
//    and the run succeeds with one commit per table; a service that goes down
//    once the data files are written fails the run with no Delta commit and
//    no PostgreSQL change.
//  - No secret (DSN, its password, a wrong password, the account key, a SAS
//    signature) in any command's output, any object of the lake (Delta log
//    commitInfo included) or any ledger row.
// PostgreSQL "down at start" is in job_integration_test.cc and "server killed
// mid-COPY" in tests/postgres/replicator_integration_test.cc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_harness.h"
#include "common/test_services.h"
#include "storage/azure_blob.h"
#include "storage/azure_test_util.h"
#include "storage/loopback_http_server.h"
#include "storage/storage.h"

namespace rs::testing {
namespace {

using storage::testing::LoopbackHttpServer;
using storage::testing::ServedRequest;
using storage::testing::ServedResponse;

constexpr char kSignalsTable[] = "platinum/signals/ranking_signals";
const std::vector<std::string> kPlatinumTables = {"platinum/rankings", kSignalsTable,
                                                  "platinum/signals/daily"};

// The state `verify` printed for `month` ("absent" when not listed).
std::string State(const CliResult& verify, const std::string& month) {
  for (const std::string& line : Lines(verify.out)) {
    if (line.rfind(month + " ", 0) == 0) {
      std::istringstream cols(line);
      std::string m, state;
      cols >> m >> state;
      return state;
    }
  }
  return "absent";
}

// The run id of a command's text log ("... INFO  [<run id>] ...").
std::string RunId(const CliResult& r) {
  size_t open = r.err.find(" [");
  size_t close = r.err.find(']', open);
  return open == std::string::npos || close == std::string::npos
             ? "?"
             : r.err.substr(open + 2, close - open - 2);
}

// Fails the test when `text` holds any of `secrets`; names where, not the secret.
void ExpectNoSecret(const std::string& text, const std::vector<std::string>& secrets,
                    const std::string& where) {
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (secrets[i].empty()) continue;
    size_t at = text.find(secrets[i]);
    EXPECT_EQ(at, std::string::npos)
        << where << " holds secret #" << i << " at offset " << at << ": ..."
        << text.substr(at > 60 ? at - 60 : 0, 60) << "<secret>...";
  }
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// A TCP proxy in front of PostgreSQL that cuts one connection mid-COPY. It
// follows the frontend protocol (client to server): untyped startup packets
// (SSLRequest, GSSENCRequest, StartupMessage), then typed messages. Once
// `cut_after_copy_bytes` bytes of CopyData ('d') have passed on a connection,
// the chunk being relayed is dropped and both sockets are closed, so the
// server sees the COPY end abruptly. Only the first connection to get there
// is cut; everything else is relayed unchanged.
class PgCutProxy {
 public:
  PgCutProxy(int upstream_port, int64_t cut_after_copy_bytes)
      : upstream_port_(upstream_port), cut_after_(cut_after_copy_bytes) {
    listen_fd_ = storage::testing::ListenOnLoopback(&port_);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~PgCutProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (auto& c : conns_) c->Cut();
    for (auto& c : conns_) {
      c->up.join();
      c->down.join();
      ::close(c->client);
      ::close(c->server);
    }
  }

  int port() const { return port_; }
  int cuts() const { return cuts_.load(); }
  int connections() const { return connections_.load(); }
  // CopyData bytes relayed on the connection that was cut, before the cut.
  int64_t copy_bytes_at_cut() const { return copy_bytes_at_cut_.load(); }

 private:
  struct Conn {
    int client = -1, server = -1;
    std::thread up, down;
    void Cut() {
      ::shutdown(client, SHUT_RDWR);
      ::shutdown(server, SHUT_RDWR);
    }
  };

  // Message boundaries of the client-to-server stream.
  struct FrontendParser {
    bool startup = true;  // untyped packets until the StartupMessage
    std::string head;     // partial header
    uint32_t skip = 0;    // body bytes left of the current message
    int64_t copy_bytes = 0;

    static uint32_t Be32(const std::string& s, size_t at) {
      return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
             (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
             (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
             static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
    }
    void Feed(const char* p, size_t n) {
      while (n > 0) {
        if (skip > 0) {
          size_t k = std::min<size_t>(skip, n);
          skip -= static_cast<uint32_t>(k);
          p += k;
          n -= k;
          continue;
        }
        size_t need = startup ? 8 : 5;
        size_t k = std::min(need - head.size(), n);
        head.append(p, k);
        p += k;
        n -= k;
        if (head.size() < need) return;
        if (startup) {
          uint32_t code = Be32(head, 4);
          skip = Be32(head, 0) - 8;
          startup = code == 80877103 || code == 80877104;  // SSL / GSSENC request
        } else {
          uint32_t length = Be32(head, 1);
          skip = length - 4;
          if (head[0] == 'd') copy_bytes += skip;
        }
        head.clear();
      }
    }
  };

  static bool SendAll(int fd, const char* data, size_t n) {
    while (n > 0) {
      ssize_t k = ::send(fd, data, n, MSG_NOSIGNAL);
      if (k <= 0) return false;
      data += k;
      n -= static_cast<size_t>(k);
    }
    return true;
  }

  void AcceptLoop() {
    while (!stopping_) {
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) {
        if (stopping_) return;
        continue;
      }
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = storage::testing::LoopbackAddress(upstream_port_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ++connections_;
      std::lock_guard lock(mu_);
      auto conn = std::make_unique<Conn>();
      Conn* c = conn.get();
      c->client = client;
      c->server = server;
      c->up = std::thread([this, c] { RelayUp(c); });
      c->down = std::thread([c] {
        char buf[65536];
        for (;;) {
          ssize_t n = ::recv(c->server, buf, sizeof(buf), 0);
          if (n <= 0 || !SendAll(c->client, buf, static_cast<size_t>(n))) break;
        }
        c->Cut();
      });
      conns_.push_back(std::move(conn));
    }
  }

  void RelayUp(Conn* c) {
    FrontendParser parser;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(c->client, buf, sizeof(buf), 0);
      if (n <= 0) break;
      int64_t before = parser.copy_bytes;
      parser.Feed(buf, static_cast<size_t>(n));
      if (before > 0 && parser.copy_bytes >= cut_after_ && !cut_done_.exchange(true)) {
        copy_bytes_at_cut_ = before;
        ++cuts_;
        break;  // this chunk is never delivered: the COPY stops mid-stream
      }
      if (!SendAll(c->server, buf, static_cast<size_t>(n))) break;
    }
    c->Cut();
  }

  int upstream_port_;
  int64_t cut_after_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_done_{false};
  std::atomic<int> cuts_{0};
  std::atomic<int> connections_{0};
  std::atomic<int64_t> copy_bytes_at_cut_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> conns_;  // guarded by mu_
};

// A PostgreSQL connection held by the test (e.g. to keep a lock).
class HeldConnection {
 public:
  explicit HeldConnection(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str()), PQfinish) {
    EXPECT_EQ(PQstatus(conn_.get()), CONNECTION_OK) << PQerrorMessage(conn_.get());
  }
  void Exec(const std::string& sql) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn_.get(), sql.c_str()), PQclear);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK)
        << sql << ": " << PQerrorMessage(conn_.get());
  }

 private:
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
};

// ---------------------------------------------------------------------------
// A database per test; every command's output is checked for the secrets.
class FaultsTest : public ::testing::Test {
 protected:
  void SetUpDatabase() {
    auto pg = ServiceEnv("pg");
    ASSERT_FALSE(pg["RS_TEST_PG_PORT"].empty());
    pg_port_ = std::stoi(pg["RS_TEST_PG_PORT"]);
    password_ = pg["RS_TEST_PG_PASSWORD"];
    dsn_ = CreateDatabase("faults");
    db_ = dsn_.substr(dsn_.rfind('/') + 1);
    secrets_ = {password_, dsn_};
    env_ = {{"POSTGRES_DSN", dsn_},
            {"RANKING_MIGRATIONS_DIR", SourcePath("deploy/sql/postgres/migrations")},
            {"RANKING_THREADS", "2"}};
    auto migrate = Cli({"migrate"});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  }

  // The test database reached through 127.0.0.1:`port`, URI form with the password.
  std::string DsnVia(int port) const {
    return "postgresql://postgres:" + password_ + "@127.0.0.1:" + std::to_string(port) + "/" + db_ +
           "?sslmode=disable&connect_timeout=10";
  }

  // Runs the binary with env_ changed by `extra` (an empty value unsets).
  CliResult Cli(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = env_;
    for (const auto& [k, v] : extra) {
      if (v.empty()) {
        env.erase(k);
      } else {
        env[k] = v;
      }
    }
    CliResult r = RunCli(args, env);
    std::string what = args.empty() ? "cli" : args[0] + (args.size() > 1 ? " " + args[1] : "");
    ExpectNoSecret(r.out, secrets_, "stdout of `" + what + "`");
    ExpectNoSecret(r.err, secrets_, "stderr of `" + what + "`");
    return r;
  }

  void SampleData(int symbols, const std::string& start = "2023-01-02") {
    auto r = Cli({"sample-data", "--lake", lake_, "--symbols", std::to_string(symbols), "--start",
                  start, "--end", "2024-03-31", "--seed", "7"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::vector<std::string> Scan(const std::string& table) {
    auto r = Cli({"table", "scan", lake_ + "/" + table});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return SortedLines(r.out);
  }

  // The table's latest version from `table info` (-1 when unreadable).
  int64_t Version(const std::string& table) {
    auto r = Cli({"table", "info", lake_ + "/" + table});
    EXPECT_EQ(r.exit_code, 0) << table << ": " << r.err;
    size_t at = r.out.find("\"version\":");
    if (r.exit_code != 0 || at == std::string::npos) return -1;
    return std::stoll(r.out.substr(at + 10));
  }

  std::map<std::string, int64_t> Versions() {
    std::map<std::string, int64_t> versions;
    for (const std::string& t : kPlatinumTables) versions[t] = Version(t);
    return versions;
  }

  std::string LedgerStatus(const std::string& month) {
    auto rows = Sql(
        dsn_, "SELECT status FROM ranking.signal_sync_state WHERE year_month = '" + month + "'");
    return rows.empty() ? "absent" : rows[0];
  }

  std::vector<std::string> LedgerRows() {
    return Sql(dsn_,
               "SELECT row_to_json(s)::text FROM ranking.signal_sync_state s "
               "ORDER BY year_month");
  }

  // PostgreSQL holds whole months only: each month's row count equals the
  // month's count in Delta (`delta_counts`), and every ledger row claiming
  // success counts exactly the rows present.
  void ExpectWholeMonthsOnly(const std::map<std::string, int64_t>& delta_counts) {
    auto pg = Sql(dsn_,
                  "SELECT year_month || ' ' || count(*) FROM ranking.ranking_signal "
                  "GROUP BY year_month ORDER BY 1");
    for (const std::string& row : pg) {
      std::string month = row.substr(0, 7);
      auto it = delta_counts.find(month);
      ASSERT_NE(it, delta_counts.end()) << row;
      EXPECT_EQ(std::stoll(row.substr(8)), it->second) << "partial month in PostgreSQL: " << row;
    }
    auto claimed_wrongly = Sql(
        dsn_,
        "SELECT s.year_month FROM ranking.signal_sync_state s WHERE s.status = 'success' AND "
        "(s.signals_rows <> (SELECT count(*) FROM ranking.ranking_signal r WHERE r.year_month = "
        "s.year_month) OR s.composite_rows <> (SELECT count(*) FROM "
        "ranking.composite_signal_daily c WHERE c.year_month = s.year_month))");
    EXPECT_TRUE(claimed_wrongly.empty())
        << "ledger claims rows that are not there: " << claimed_wrongly[0];
  }

  // Rows per month of a scan's JSON lines.
  static std::map<std::string, int64_t> CountByMonth(const std::vector<std::string>& scan) {
    std::map<std::string, int64_t> counts;
    for (const std::string& line : scan) {
      size_t at = line.find("\"year_month\":\"");
      if (at != std::string::npos) ++counts[line.substr(at + 14, 7)];
    }
    return counts;
  }

  int pg_port_ = 0;
  std::string password_, dsn_, db_, lake_;
  std::vector<std::string> secrets_;
  std::map<std::string, std::string> env_;
};

// ---------------------------------------------------------------------------
// PostgreSQL faults on a local lake.
class PostgresFaultsTest : public FaultsTest {
 protected:
  void SetUp() override {
    lake_ = MakeTempDir("faults-lake");
    SetUpDatabase();
  }
  void TearDown() override { std::filesystem::remove_all(lake_); }

  // After a failed replication by a run that started with the tables at
  // `versions`: each table has the run's commit and the same rows as before
  // (same inputs), the months `out_of_sync` are reported by `verify`, and
  // `sync` heals them.
  void ExpectHealedBySync(const std::map<std::string, int64_t>& versions,
                          const std::vector<std::string>& baseline_signals,
                          const std::vector<std::string>& out_of_sync) {
    for (const std::string& t : kPlatinumTables) EXPECT_EQ(Version(t), versions.at(t) + 1) << t;
    EXPECT_EQ(Scan(kSignalsTable), baseline_signals) << "Delta differs after the fault";
    auto verify = Cli({"verify", "--lake", lake_});
    EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
    for (const std::string& month : out_of_sync) {
      EXPECT_NE(State(verify, month), "in_sync") << month << "\n" << verify.out;
      EXPECT_NE(State(verify, month), "absent") << month << "\n" << verify.out;
    }
    auto sync = Cli({"sync", "--lake", lake_});
    EXPECT_EQ(sync.exit_code, 0) << sync.err;
    auto again = Cli({"verify", "--lake", lake_});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  }
};

TEST_F(PostgresFaultsTest, ConnectionCutMidCopy) {
  SampleData(60);
  auto baseline = Cli({"run", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  const auto signals = Scan(kSignalsTable);
  const auto counts = CountByMonth(signals);
  for (bool required : {true, false}) {
    SCOPED_TRACE(required ? "write required" : "write optional");
    const auto versions = Versions();
    // ~1.5 months of ranking_signal rows: the cut lands inside a later month's COPY.
    PgCutProxy proxy(pg_port_, counts.at("2024-01") * 120);
    std::string proxy_dsn = DsnVia(proxy.port());
    secrets_.push_back(proxy_dsn);
    auto run = Cli({"run", "--lake", lake_, "--months", "2023-10..2024-03"},
                   {{"POSTGRES_DSN", proxy_dsn},
                    {"POSTGRES_SIGNALS_WRITE_REQUIRED", required ? "true" : "false"}});
    ASSERT_EQ(proxy.cuts(), 1) << "the proxy never cut a COPY\n" << run.err;
    EXPECT_EQ(run.exit_code, required ? 75 : 0) << run.err;  // a lost connection: temporary

    // The ledger names exactly the month cut, as failed; it was written
    // through a new connection after the cut.
    auto failed = Sql(dsn_,
                      "SELECT year_month FROM ranking.signal_sync_state "
                      "WHERE status <> 'success'");
    ASSERT_EQ(failed.size(), 1u) << run.err;
    const std::string month = failed[0];
    EXPECT_GT(month, "2023-10") << "no whole month was replicated before the cut";
    EXPECT_NE(run.err.find("replicate " + month + ": COPY ranking."), std::string::npos) << run.err;
    ExpectWholeMonthsOnly(counts);
    if (!required) {  // the other months replicated through new connections
      std::string by_run = "SELECT count(*) FROM ranking.signal_sync_state WHERE run_id = '" +
                           RunId(run) + "' AND status = 'success'";
      EXPECT_EQ(Sql(dsn_, by_run).at(0), "5") << run.err;
    }
    ExpectHealedBySync(versions, signals, {month});
  }
}

TEST_F(PostgresFaultsTest, StatementTimeoutBehindAConflictingLock) {
  SampleData(20, "2023-06-01");
  auto baseline = Cli({"run", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  const auto signals = Scan(kSignalsTable);
  for (bool required : {true, false}) {
    SCOPED_TRACE(required ? "write required" : "write optional");
    const auto versions = Versions();
    auto start = std::chrono::steady_clock::now();
    CliResult run;
    {
      HeldConnection holder(dsn_);
      // Should the job wait for the lock regardless, the server ends this
      // session after a minute: the run then succeeds and the test fails.
      holder.Exec("SET idle_in_transaction_session_timeout = '60s'");
      holder.Exec("BEGIN");
      holder.Exec("LOCK TABLE ranking.ranking_signal IN ACCESS EXCLUSIVE MODE");
      run = Cli({"run", "--lake", lake_, "--months", "2024-02..2024-03"},
                {{"POSTGRES_STATEMENT_TIMEOUT_MS", "1000"},
                 {"POSTGRES_SIGNALS_WRITE_REQUIRED", required ? "yes" : "no"}});
      holder.Exec("ROLLBACK");
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 120) << "the timeout did not bound the wait";
    EXPECT_EQ(run.exit_code, required ? 75 : 0) << run.err;  // a timeout: temporary
    // The month is swapped in as a partition: the wait is for the parent's lock.
    EXPECT_NE(run.err.find("replicate 2024-02: swap partitions: canceling "
                           "statement due to statement timeout"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(LedgerStatus("2024-02"), "failed");
    if (!required) {
      EXPECT_EQ(LedgerStatus("2024-03"), "failed");
    }
    ExpectWholeMonthsOnly(CountByMonth(signals));
    // 2024-03: failed (optional) or never attempted, its ledger at the old version (required).
    ExpectHealedBySync(versions, signals, {"2024-02", "2024-03"});
  }
}

// ---------------------------------------------------------------------------
// Azure faults: an az:// lake on Azurite, a proxy in front where needed.
class AzureFaultsTest : public FaultsTest {
 protected:
  void SetUp() override {
    auto az = ServiceEnv("azurite");
    account_ = az["RS_TEST_AZURITE_ACCOUNT"];
    key_ = az["RS_TEST_AZURITE_KEY"];
    std::string endpoint = az["RS_TEST_AZURITE_ENDPOINT"];
    origin_ = endpoint.substr(0, endpoint.find('/', std::string("http://").size()));
    container_ = "faults" + std::to_string(getpid()) + "x" + std::to_string(counter_++);
    storage_.settings = {{"AZURE_STORAGE_ACCOUNT_NAME", account_},
                         {"AZURE_STORAGE_ACCOUNT_KEY", key_},
                         {"AZURE_STORAGE_ENDPOINT", endpoint}};
    Status created = storage::CreateAzureContainer("az://" + container_ + "/", storage_);
    ASSERT_TRUE(created.ok()) << created.ToString();
    lake_ = "az://" + container_ + "/lake";
    SetUpDatabase();
    for (const auto& [k, v] : storage_.settings) env_[k] = v;
    secrets_.push_back(key_);
  }

  // Settings that send the job's storage requests through `proxy_url`.
  std::map<std::string, std::string> ViaProxy(const std::string& proxy_url) const {
    return {{"AZURE_STORAGE_ENDPOINT", proxy_url + "/" + account_},
            {"RS_STORAGE_MAX_RETRIES", "8"},
            {"RS_STORAGE_RETRY_BASE_DELAY_MS", "10"},
            {"RS_STORAGE_RETRY_MAX_DELAY_MS", "200"},
            {"RS_STORAGE_REQUEST_TIMEOUT_MS", std::to_string(kRequestTimeoutMs)}};
  }

  static constexpr int kRequestTimeoutMs = 2000;
  static inline int counter_ = 0;
  std::string account_, key_, origin_, container_;
  storage::StorageOptions storage_;
};

// A proxy in front of Azurite.
//   kFlaky: some requests are answered 503 unforwarded (FailThisAttempt); the first GET, the
//     first data-file PUT and the first Delta commit PUT that get through are
//     forwarded (the service acts) and their reply is then held past the
//     client's request timeout, so the client sees a timeout.
//   kLogDownAfterCommit: the first PUT of a platinum table's _delta_log/ (the
//     first commit) reaches the service but is answered 503; from then on
//     every request about a _delta_log is answered 503 (its commit's outcome
//     cannot be learnt) while the others, data files included, pass.
//   kDownOnCommit: everything is forwarded until the first PUT of a platinum
//     table's _delta_log/ (the first commit, after every data file is written);
//     from then on every request is answered 503.
class AzureFaultProxy {
 public:
  enum class Mode { kFlaky, kLogDownAfterCommit, kDownOnCommit };

  AzureFaultProxy(std::string origin, Mode mode, int stall_ms)
      : origin_(std::move(origin)),
        mode_(mode),
        stall_ms_(stall_ms),
        server_([this](const ServedRequest& r) { return Handle(r); }) {}

  std::string url() const { return server_.url(); }
  int injected() const { return injected_.load(); }
  int requests() const { return seen_.load(); }
  int data_puts() const { return data_puts_.load(); }
  std::set<std::string> stalled() {
    std::lock_guard lock(mu_);
    return stalled_;
  }
  bool down() const { return down_.load(); }

 private:
  static bool IsCommit(const ServedRequest& r) {
    return r.method == "PUT" && r.target.find("/platinum/") != std::string::npos &&
           r.target.find("/_delta_log/") != std::string::npos;
  }

  // kFlaky's schedule, decided per request (method and target) so that it
  // does not depend on how concurrent requests interleave: of the distinct
  // requests in the order first seen, every 2nd fails its first attempt and
  // every 6th its first two. No request fails more than twice in a row, well
  // inside the retry budget ViaProxy sets.
  bool FailThisAttempt(const ServedRequest& r) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = attempts_.try_emplace(r.method + " " + r.target);
    if (inserted) it->second.seq = ++distinct_;
    int attempt = ++it->second.count;
    int seq = it->second.seq;
    return (attempt == 1 && seq % 2 == 0) || (attempt == 2 && seq % 6 == 0);
  }

  ServedResponse Handle(const ServedRequest& r) {
    ++seen_;
    bool commit = IsCommit(r);
    if (r.method == "PUT" && r.target.find(".parquet") != std::string::npos) ++data_puts_;
    if (mode_ == Mode::kLogDownAfterCommit) {
      if (commit && !down_.exchange(true)) {
        storage::testing::Forward(origin_, r);  // the commit lands, its reply is lost
        ++injected_;
        return ServedResponse{503, {}, "injected: reply lost"};
      }
      if (down_ && r.target.find("_delta_log") != std::string::npos) {
        ++injected_;
        return ServedResponse{503, {}, "injected: log unreachable"};
      }
      return storage::testing::Forward(origin_, r);
    }
    if (mode_ == Mode::kDownOnCommit) {
      if (commit) down_ = true;
      if (down_) {
        ++injected_;
        return ServedResponse{503, {}, "injected: service down"};
      }
      return storage::testing::Forward(origin_, r);
    }
    if (FailThisAttempt(r)) {
      ++injected_;
      return ServedResponse{503, {}, "injected: server busy"};
    }
    std::string kind = commit ? "commit" : r.method == "PUT" ? "put" : r.method;
    bool stall = false;
    if (kind == "commit" || kind == "put" || kind == "GET") {
      std::lock_guard lock(mu_);
      stall = stalled_.insert(kind).second;
    }
    ServedResponse response = storage::testing::Forward(origin_, r);
    if (stall) std::this_thread::sleep_for(std::chrono::milliseconds(stall_ms_));
    return response;
  }

  std::string origin_;
  Mode mode_;
  int stall_ms_;
  std::atomic<int> seen_{0};
  std::atomic<int> injected_{0};
  std::atomic<int> data_puts_{0};
  std::atomic<bool> down_{false};
  std::mutex mu_;
  std::set<std::string> stalled_;  // guarded by mu_
  struct Attempts {
    int count = 0;
    int seq = 0;
  };
  std::map<std::string, Attempts> attempts_;  // guarded by mu_
  int distinct_ = 0;                          // guarded by mu_
  LoopbackHttpServer server_;      // last: stops before the members it uses
};

TEST_F(AzureFaultsTest, TransientErrorsAndStallsAreRetriedAndTheRunSucceeds) {
  SampleData(15, "2023-09-01");
  AzureFaultProxy proxy(origin_, AzureFaultProxy::Mode::kFlaky, kRequestTimeoutMs + 1500);
  auto run = Cli({"run", "--lake", lake_, "--months", "all"}, ViaProxy(proxy.url()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GT(proxy.injected(), 10) << "too few faults injected to prove anything";
  EXPECT_EQ(proxy.stalled(), (std::set<std::string>{"GET", "commit", "put"}));
  // One commit per table (a commit that landed while its reply was lost is
  // recognised as ours, not written again), and PostgreSQL in sync.
  for (const std::string& t : kPlatinumTables) EXPECT_EQ(Version(t), 0) << t;
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(State(verify, "2024-03"), "in_sync") << verify.out;

  // The same inputs written without faults give the same rows.
  std::string local = MakeTempDir("faults-ref");
  std::string azure_lake = lake_;
  lake_ = local;
  SampleData(15, "2023-09-01");
  ASSERT_EQ(Cli({"run", "--lake", lake_, "--months", "all"}, {{"POSTGRES_DSN", ""}}).exit_code, 0);
  std::map<std::string, std::vector<std::string>> reference;
  for (const std::string& t : kPlatinumTables) reference[t] = Scan(t);
  lake_ = azure_lake;
  for (const std::string& t : kPlatinumTables) {
    EXPECT_FALSE(reference[t].empty()) << t;
    EXPECT_EQ(Scan(t), reference[t]) << t;
  }
  std::filesystem::remove_all(local);
}

TEST_F(AzureFaultsTest, ServiceDownBeforeTheCommitsLeavesDeltaAndPostgresUnchanged) {
  SampleData(15, "2023-09-01");
  auto baseline = Cli({"run", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  const auto versions = Versions();
  const auto signals = Scan(kSignalsTable);
  const auto ledger = LedgerRows();
  const auto pg_rows = Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal");

  AzureFaultProxy proxy(origin_, AzureFaultProxy::Mode::kDownOnCommit, 0);
  auto env = ViaProxy(proxy.url());
  env["RS_STORAGE_MAX_RETRIES"] = "3";
  auto start = std::chrono::steady_clock::now();
  auto run = Cli({"run", "--lake", lake_, "--months", "2023-12..2024-02"}, env);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(run.exit_code, 75) << run.err;  // storage down: temporary
  ASSERT_TRUE(proxy.down()) << "the run never reached its first commit\n" << run.err;
  EXPECT_GE(proxy.data_puts(), 9) << "the data files were not all written before the commit";
  // The error names the table, the unknown outcome and its cause; no table
  // was committed before this one, so none is said to be.
  EXPECT_NE(run.err.find("platinum/rankings: commit overwrite"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("outcome unknown: the put failed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("HTTP 503"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("committed before this one"), std::string::npos) << run.err;
  EXPECT_LT(seconds, 120) << run.err;

  EXPECT_EQ(Versions(), versions);
  EXPECT_EQ(Scan(kSignalsTable), signals);
  EXPECT_EQ(LedgerRows(), ledger);
  EXPECT_EQ(Sql(dsn_, "SELECT count(*) FROM ranking.ranking_signal"), pg_rows);
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// The first commit lands but its outcome cannot be learnt (its reply and the
// log are lost) while the rest of the store works: the run fails, and the
// table stands at the new version with every data file it references (they
// used to be deleted as for a failed commit); a rerun converges.
TEST_F(AzureFaultsTest, CommitWithAnUnknownOutcomeKeepsItsDataFiles) {
  SampleData(15, "2023-09-01");
  auto baseline = Cli({"run", "--lake", lake_, "--months", "all"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  const int64_t before = Version("platinum/rankings");
  const auto rankings = Scan("platinum/rankings");

  AzureFaultProxy proxy(origin_, AzureFaultProxy::Mode::kLogDownAfterCommit, 0);
  auto env = ViaProxy(proxy.url());
  env["RS_STORAGE_MAX_RETRIES"] = "3";
  auto run = Cli({"run", "--lake", lake_, "--months", "2023-12..2024-02"}, env);
  EXPECT_EQ(run.exit_code, 75) << run.err;  // storage down: temporary
  ASSERT_TRUE(proxy.down()) << run.err;
  EXPECT_NE(run.err.find("outcome unknown"), std::string::npos) << run.err;

  EXPECT_EQ(Version("platinum/rankings"), before + 1);
  auto scan = Cli({"table", "scan", lake_ + "/platinum/rankings"});
  EXPECT_EQ(scan.exit_code, 0) << "a committed version lost its data files: " << scan.err;
  auto lines = Lines(scan.out);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, rankings);  // same inputs, same rows
  for (const std::string& t : {std::string(kSignalsTable), std::string("platinum/signals/daily")}) {
    EXPECT_EQ(Cli({"table", "scan", lake_ + "/" + t}).exit_code, 0) << t;
  }
  auto rerun = Cli({"run", "--lake", lake_, "--months", "2023-12..2024-02"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(AzureFaultsTest, NoSecretInAnyOutputObjectOrLedgerRow) {
  const std::string wrong = "Wr0ngSecretPw-XYZ";
  const std::string pg_port = std::to_string(pg_port_);
  const std::string kv_dsn =
      "host=127.0.0.1 port=" + pg_port + " dbname=" + db_ + " user=postgres password=" + password_;
  const std::string wrong_uri =
      "postgresql://postgres:" + wrong + "@127.0.0.1:" + pg_port + "/" + db_;
  const std::string wrong_kv = "host=127.0.0.1 port=" + pg_port + " dbname=" + db_ +
                               " user=postgres password='" + wrong + "' connect_timeout=5";
  const std::string wrong_query = "postgresql://postgres@127.0.0.1:" + pg_port + "/" + db_ +
                                  "?connect_timeout=5&password=" + wrong;
  const std::string sas =
      storage::testing::ContainerSas(account_, key_, container_, "racwdl", "2099-01-01T00:00:00Z");
  const std::string read_only_sas =
      storage::testing::ContainerSas(account_, key_, container_, "rl", "2099-01-01T00:00:00Z");
  const std::string forged_sas = storage::testing::ContainerSas(
      account_, storage::testing::TestBase64("not the account key at all"), container_, "racwdl",
      "2099-01-01T00:00:00Z");
  for (const std::string* s : {&sas, &read_only_sas, &forged_sas}) {
    std::string sig = s->substr(s->find("sig=") + 4);
    secrets_.insert(secrets_.end(), {*s, sig, PercentDecode(sig)});
  }
  secrets_.insert(secrets_.end(), {kv_dsn, wrong, wrong_uri, wrong_kv, wrong_query});

  // Every command, with the right credentials (the key; the DSN as URI and key=value).
  ASSERT_EQ(Cli({"migrate", "--dsn", kv_dsn}).exit_code, 0);
  SampleData(10, "2023-10-01");
  auto run = Cli({"run", "--lake", lake_, "--months", "all", "--log-format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // A failed month recorded in the ledger, with its error text.
  Sql(dsn_, "ALTER TABLE ranking.ranking_signal RENAME TO ranking_signal_away");
  auto failed = Cli({"run", "--lake", lake_, "--months", "latest"},
                    {{"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
  EXPECT_EQ(failed.exit_code, 0) << failed.err;
  Sql(dsn_, "ALTER TABLE ranking.ranking_signal_away RENAME TO ranking_signal");
  EXPECT_EQ(LedgerStatus("2024-03"), "failed");
  auto ledger_with_error = LedgerRows();
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 3);
  EXPECT_EQ(Cli({"sync", "--lake", lake_}, {{"POSTGRES_DSN", kv_dsn}}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_, "--log-format", "json"}).exit_code, 0);
  std::string history_text;
  for (const std::string& t : kPlatinumTables) {
    for (const char* sub : {"info", "history", "scan"}) {
      auto r = Cli({"table", sub, lake_ + "/" + t});
      EXPECT_EQ(r.exit_code, 0) << sub << " " << t << ": " << r.err;
      if (std::string(sub) == "history") history_text += r.out;
    }
  }
  size_t run_id_at = run.err.find("\"run_id\":\"");
  ASSERT_NE(run_id_at, std::string::npos) << run.err;
  EXPECT_NE(history_text.find(run.err.substr(run_id_at + 10, 20)), std::string::npos)
      << "history lacks the run id: the check reads the wrong thing\n"
      << history_text;

  // Wrong passwords (URI, key=value, URI query): the authentication failure is named.
  for (const std::string& dsn : {wrong_uri, wrong_kv, wrong_query}) {
    auto r = Cli({"run", "--lake", lake_, "--months", "latest"}, {{"POSTGRES_DSN", dsn}});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("authentication failed"), std::string::npos) << r.err;
    auto optional = Cli({"run", "--lake", lake_, "--months", "latest"},
                        {{"POSTGRES_DSN", dsn}, {"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
    EXPECT_EQ(optional.exit_code, 0) << optional.err;
    auto verify = Cli({"verify", "--lake", lake_, "--dsn", dsn});
    EXPECT_EQ(verify.exit_code, 1) << verify.err;
  }
  EXPECT_EQ(Cli({"migrate"}, {{"POSTGRES_DSN", wrong_uri}}).exit_code, 1);

  // A SAS token instead of the key: read-write works; read-only and forged fail.
  std::map<std::string, std::string> with_sas = {{"AZURE_STORAGE_ACCOUNT_KEY", ""},
                                                 {"AZURE_STORAGE_SAS_TOKEN", "?" + sas}};
  auto sas_run = Cli({"run", "--lake", lake_, "--months", "latest"}, with_sas);
  EXPECT_EQ(sas_run.exit_code, 0) << sas_run.err;
  EXPECT_EQ(Cli({"table", "history", lake_ + "/" + kSignalsTable}, with_sas).exit_code, 0);
  with_sas["AZURE_STORAGE_SAS_TOKEN"] = read_only_sas;
  auto ro = Cli({"run", "--lake", lake_, "--months", "latest"}, with_sas);
  EXPECT_EQ(ro.exit_code, 1) << ro.err;
  EXPECT_NE(ro.err.find("SAS"), std::string::npos) << ro.err;
  with_sas["AZURE_STORAGE_SAS_TOKEN"] = forged_sas;
  auto forged = Cli({"table", "info", lake_ + "/" + kSignalsTable}, with_sas);
  EXPECT_EQ(forged.exit_code, 1) << forged.err;
  // The key inside a connection string.
  std::map<std::string, std::string> with_connection_string = {
      {"AZURE_STORAGE_ACCOUNT_KEY", ""},
      {"AZURE_STORAGE_ENDPOINT", ""},
      {"AZURE_STORAGE_CONNECTION_STRING",
       "DefaultEndpointsProtocol=http;AccountName=" + account_ + ";AccountKey=" + key_ +
           ";BlobEndpoint=" + storage_.settings["AZURE_STORAGE_ENDPOINT"]}};
  secrets_.push_back(with_connection_string["AZURE_STORAGE_CONNECTION_STRING"]);
  EXPECT_EQ(
      Cli({"table", "history", lake_ + "/" + kSignalsTable}, with_connection_string).exit_code, 0);

  // Every object in the container, the Delta logs (commitInfo) included.
  auto store = storage::OpenStorage("az://" + container_ + "/", storage_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto objects = (*store)->List("");
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  int logs = 0;
  for (const auto& o : *objects) {
    auto body = (*store)->Get(o.key);
    ASSERT_TRUE(body.ok()) << o.key << ": " << body.status().ToString();
    if (o.key.find("/_delta_log/") != std::string::npos && o.key.ends_with(".json")) {
      EXPECT_NE(body->find("\"commitInfo\""), std::string::npos) << o.key;
      ++logs;
    }
    ExpectNoSecret(*body, secrets_, o.key);
  }
  EXPECT_GE(logs, 3 * 3) << "expected the platinum tables' commits among the objects";

  // Every ledger row, before and after healing, and the migrations ledger.
  for (const std::string& row : ledger_with_error) ExpectNoSecret(row, secrets_, "ledger " + row);
  for (const std::string& row : LedgerRows()) ExpectNoSecret(row, secrets_, "ledger " + row);
  auto migrations = Sql(dsn_, "SELECT row_to_json(m)::text FROM public.schema_migrations m");
  EXPECT_FALSE(migrations.empty());
  for (const std::string& row : migrations) ExpectNoSecret(row, secrets_, "schema_migrations");
}

}  // namespace
}  // namespace rs::testing
