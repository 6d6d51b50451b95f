// Issue 10 "Hostile input": damaged, malformed and unusual inputs through the
// real binary. Every rejected case must exit 1 (2 for usage errors) without a
// crash or sanitizer report, say on stderr what is wrong and where, and leave
// what the job writes exactly as it was: the platinum Delta tables (version and
// rows, or still absent), every file outside the gold inputs, and PostgreSQL
// (ledger rows, row counts and content). Cases that must work (NaN rows
// dropped, unusual paths, escaped partition values) are checked end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>

#include "cli/cli_harness.h"
#include "cli/hostile_input_util.h"
#include "common/calendar.h"
#include "common/test_services.h"
#include "delta/table.h"
#include "parquet/writer.h"
#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_data.h"
#include "storage/storage.h"

namespace rs::testing {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

// Small inputs: 12 symbols over four months (2023-10 .. 2024-01).
constexpr int kSymbols = 12;
constexpr uint64_t kSeed = 5;
// A lone UTF-8 continuation byte, then "A": what a flipped bit makes of "A".
const std::string kNotUtf8 = std::string("\xAC") + "A";
const char* const kOutputs[] = {"platinum/rankings", "platinum/signals/ranking_signals",
                                "platinum/signals/daily"};

signals::SampleData HostileSample() {
  signals::SampleOptions o;
  o.symbols = kSymbols;
  o.seed = kSeed;
  o.start_date = static_cast<int32_t>(DaysFromCivil(2023, 10, 2));
  o.end_date = static_cast<int32_t>(DaysFromCivil(2024, 1, 31));
  return std::move(signals::GenerateSampleData(o)).value();
}

class HostileInputTest : public ::testing::Test {
 protected:
  // One set of gold tables, made by the real sample-data command, copied into
  // each test's lake.
  static void SetUpTestSuite() {
    pristine_ = MakeTempDir("hostile-pristine") + "/lake";
    auto r = RunCli(SampleArgs(pristine_), {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { fs::remove_all(fs::path(pristine_).parent_path()); }
  static std::vector<std::string> SampleArgs(const std::string& lake) {
    std::vector<std::string> args = {"sample-data", "--lake", lake};
    for (const char* a : {"--start", "2023-10-02", "--end", "2024-01-31"}) args.push_back(a);
    args.insert(args.end(),
                {"--symbols", std::to_string(kSymbols), "--seed", std::to_string(kSeed)});
    return args;
  }

  void SetUp() override {
    root_ = MakeTempDir("hostile");
    lake_ = root_ + "/lake";
    gold_ = lake_ + "/gold/market_daily";
    fs::copy(pristine_, lake_, fs::copy_options::recursive);
    dsn_ = CreateDatabase("hostile");
    auto r = Cli({"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { fs::remove_all(root_); }

  Env MakeEnv(const Env& extra) const {
    Env env = {{"POSTGRES_DSN", dsn_},
               {"RANKING_MIGRATIONS_DIR", SourcePath("deploy/sql/postgres/migrations")},
               {"RANKING_THREADS", "2"}};
    for (const auto& [k, v] : extra) {
      if (v.empty()) {
        env.erase(k);
      } else {
        env[k] = v;
      }
    }
    return env;
  }
  CliResult Cli(const std::vector<std::string>& args, const Env& extra = {}) const {
    return RunCli(args, MakeEnv(extra));
  }
  std::vector<std::string> RunAll(const std::string& lake) const {
    return {"run", "--lake", lake, "--months", "all"};
  }

  // A good run over every month: the outputs and PostgreSQL then exist, so a
  // failed run has something to leave unchanged.
  void Baseline() {
    auto r = Cli(RunAll(lake_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Puts the pristine gold tables back.
  void RestoreGold() {
    fs::remove_all(lake_ + "/gold");
    fs::copy(pristine_ + "/gold", lake_ + "/gold", fs::copy_options::recursive);
  }

  std::vector<std::string> SortedScan(const std::string& uri) const {
    auto r = Cli({"table", "scan", uri});
    EXPECT_EQ(r.exit_code, 0) << uri << ": " << r.err;
    return SortedLines(r.out);
  }
  // "absent", or the version, row count and a digest of the sorted rows.
  std::string TableState(const std::string& uri) const {
    if (!fs::exists(uri + "/_delta_log")) return "absent";
    auto info = Cli({"table", "info", uri});
    if (info.exit_code != 0) return "unreadable: " + info.err;
    auto j = nlohmann::json::parse(info.out, nullptr, false);
    auto rows = SortedScan(uri);
    std::string all;
    for (const auto& r : rows) all += r + "\n";
    return "version " + j.value("version", nlohmann::json()).dump() + ", " +
           std::to_string(rows.size()) + " rows #" + std::to_string(std::hash<std::string>()(all));
  }
  // Every file the job may write (all but the gold inputs), with size and mtime.
  std::string FilesState(const std::string& lake) const {
    std::vector<std::string> files;
    if (!fs::exists(lake)) return "";
    for (const auto& e : fs::recursive_directory_iterator(lake)) {
      std::string rel = fs::relative(e.path(), lake).string();
      if (rel.rfind("gold", 0) == 0 || !e.is_regular_file()) continue;
      files.push_back(rel + " " + std::to_string(e.file_size()) + " " +
                      std::to_string(e.last_write_time().time_since_epoch().count()));
    }
    std::sort(files.begin(), files.end());
    std::string out;
    for (const auto& f : files) out += f + "\n";
    return out;
  }
  std::string PostgresState() const {
    auto one = [&](const std::string& sql) {
      auto rows = Sql(dsn_, sql);
      return rows.empty() ? std::string("?") : rows[0];
    };
    return "ledger: " +
           one("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY year_month), '') FROM "
               "ranking.signal_sync_state t") +
           "\nsignals: " +
           one("SELECT count(*) || ' #' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
               "t::text)), '') FROM ranking.ranking_signal t") +
           "\ncomposite: " +
           one("SELECT count(*) || ' #' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
               "t::text)), '') FROM ranking.composite_signal_daily t");
  }
  // What a rejected command must not change: every file the job may write,
  // then (kPostgres) PostgreSQL, then (kFull) each output table's version and
  // rows, which costs six more runs of the binary.
  enum Level { kFiles, kPostgres, kFull };
  std::string State(Level level = kFull) const {
    std::string out;
    if (level == kFull) {
      for (const char* t : kOutputs)
        out += std::string(t) + ": " + TableState(lake_ + "/" + t) + "\n";
    }
    out += FilesState(lake_);
    return level == kFiles ? out : out + PostgresState();
  }

  static void ExpectNoCrash(const CliResult& r, const std::string& what) {
    EXPECT_GE(r.exit_code, 0) << what << ": killed by signal " << -r.exit_code << "\n" << r.err;
    for (const char* marker :
         {"Sanitizer", "runtime error:", "terminate called", "double free", "Segmentation fault"}) {
      EXPECT_EQ(r.err.find(marker), std::string::npos) << what << ": " << marker << "\n" << r.err;
    }
  }

  // Runs `args`, which must fail with `exit_code`, saying each of `needles` on
  // stderr, and change nothing State() sees.
  CliResult ExpectRejected(const std::vector<std::string>& args, int exit_code,
                           const std::vector<std::string>& needles, const Env& extra = {},
                           Level level = kFull) const {
    std::string before = State(level);
    CliResult r = Cli(args, extra);
    std::string what = Joined(args);
    ExpectNoCrash(r, what);
    EXPECT_EQ(r.exit_code, exit_code) << what << "\n" << r.err;
    for (const auto& n : needles) {
      EXPECT_NE(r.err.find(n), std::string::npos) << what << ": no '" << n << "' in\n" << r.err;
    }
    EXPECT_EQ(State(level), before) << what << " changed the outputs";
    auto lines = Lines(r.err);
    std::cout << "[ rejected ] " << what << " -> exit " << r.exit_code << ": "
              << (lines.empty() ? "" : lines.back().substr(0, 400)) << "\n";
    return r;
  }

  static inline std::string pristine_;
  std::string root_, lake_, gold_, dsn_;
};

TEST_F(HostileInputTest, DamagedParquetDataFilesAreNamedAndNothingIsWritten) {
  struct Damage {
    std::string name;
    std::function<void(const std::string&)> apply;
    std::vector<std::string> says;
  };
  const std::vector<Damage> damages = {
      {"bytes flipped mid-file",
       [](const std::string& f) {
         std::string b = ReadFile(f);
         for (size_t i = b.size() / 2 - 40; i < b.size() / 2 + 40; ++i) {
           b[i] = static_cast<char>(b[i] ^ 0xFF);
         }
         WriteFile(f, b);
       },
       {"column '", "row group 0", "page at offset"}},
      {"bad magic at the end",
       [](const std::string& f) {
         std::string b = ReadFile(f);
         b.replace(b.size() - 4, 4, "XXXX");
         WriteFile(f, b);
       },
       {"bad magic at end of file"}},
      {"bad magic at the start",
       [](const std::string& f) {
         std::string b = ReadFile(f);
         b.replace(0, 4, "PK\x03\x04");
         WriteFile(f, b);
       },
       {"bad magic at start of file"}},
      {"truncated to half",
       [](const std::string& f) { fs::resize_file(f, fs::file_size(f) / 2); },
       {"bytes, the Delta log recorded", "truncated or replaced"}},
      {"empty file",
       [](const std::string& f) { fs::resize_file(f, 0); },
       {"too short for Parquet", "the file has 0 bytes"}},
  };
  // First with no outputs yet (they must stay absent), then over a good run.
  for (bool with_outputs : {false, true}) {
    if (with_outputs) {
      RestoreGold();
      Baseline();
    }
    for (const Damage& d : damages) {
      SCOPED_TRACE(d.name + (with_outputs ? " (over existing outputs)" : " (no outputs yet)"));
      RestoreGold();
      auto files = PartitionFiles(gold_, "2023-11");
      ASSERT_EQ(files.size(), 1u);
      d.apply(files[0]);
      std::vector<std::string> says = d.says;
      says.push_back(gold_);
      says.push_back("year_month=2023-11/" + fs::path(files[0]).filename().string());
      says.push_back("the input is damaged: repair or rewrite it upstream");
      ExpectRejected(RunAll(lake_), 1, says);
    }
  }
  // A Parquet folder input (no Delta log) names the bad file the same way.
  RestoreGold();
  std::string folder = root_ + "/market parquet";
  fs::create_directories(folder);
  fs::copy_file(PartitionFiles(gold_, "2023-12")[0], folder + "/part-0.parquet");
  WriteFile(folder + "/part-1.parquet", "PAR1 this is not a parquet file PAR1?");
  ExpectRejected({"run", "--lake", lake_, "--months", "all", "--market-table", folder}, 1,
                 {folder, "part-1.parquet", "bad magic at end of file"});
}

TEST_F(HostileInputTest, DamagedDeltaLogOfTheInputIsNamedAndNothingIsWritten) {
  // Two more sample-data runs give the input versions 1 and 2 (same rows).
  for (int i = 0; i < 2; ++i) {
    auto r = RunCli(SampleArgs(lake_), {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string pristine_gold = root_ + "/gold-v2";
  fs::copy(lake_ + "/gold", pristine_gold, fs::copy_options::recursive);
  Baseline();
  const std::string log = gold_ + "/_delta_log/";
  const std::string v1 = "00000000000000000001.json", v2 = "00000000000000000002.json";
  auto reset = [&] {
    fs::remove_all(lake_ + "/gold");
    fs::copy(pristine_gold, lake_ + "/gold", fs::copy_options::recursive);
  };
  {
    SCOPED_TRACE("malformed JSON");
    reset();
    auto lines = Lines(ReadFile(log + v2));
    ASSERT_GE(lines.size(), 3u);
    lines[1] = "{\"add\": {\"path\": year_month=2023-10/oops.parquet, }";
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    WriteFile(log + v2, text);
    ExpectRejected(RunAll(lake_), 1,
                   {gold_, "_delta_log/" + v2 + " line 2: invalid JSON", "the input is damaged"});
  }
  {
    SCOPED_TRACE("truncated commit");
    reset();
    std::string text = ReadFile(log + v2);
    size_t cut = text.find('\n', text.size() / 2) - 10;  // mid-line, as a torn write leaves it
    WriteFile(log + v2, text.substr(0, cut));
    ExpectRejected(RunAll(lake_), 1, {gold_, "_delta_log/" + v2 + " line", "invalid JSON"});
  }
  {
    SCOPED_TRACE("a version missing");
    reset();
    fs::remove(log + v1);
    ExpectRejected(
        RunAll(lake_), 1,
        {gold_, "log is not contiguous", v1 + " (version 1) is missing", "the input is damaged"});
  }
  {
    SCOPED_TRACE("the first version missing");
    reset();
    fs::remove(log + "00000000000000000000.json");
    ExpectRejected(RunAll(lake_), 1, {gold_, "00000000000000000000.json (version 0) is missing"});
  }
  {
    SCOPED_TRACE("an add naming a file that is not there");
    reset();
    std::string text = ReadFile(log + v2);
    size_t at = text.find("\"add\":{\"path\":\"year_month=2023-11/");
    ASSERT_NE(at, std::string::npos) << text;
    text.insert(at + std::string("\"add\":{\"path\":\"year_month=2023-11/").size(), "gone-");
    WriteFile(log + v2, text);
    ExpectRejected(
        RunAll(lake_), 1,
        {gold_, "data file year_month=2023-11/gone-", "is missing", "the input is damaged"});
  }
  {
    // finance_daily is optional, but a damaged one is not an absent one: it
    // used to be skipped with a warning, silently ranking no Value_PE.
    SCOPED_TRACE("a finance_daily data file deleted");
    reset();
    std::string finance = lake_ + "/gold/finance_daily";
    auto files = PartitionFiles(finance, "2023-12");
    ASSERT_FALSE(files.empty());
    for (const auto& f : files) fs::remove(f);
    ExpectRejected(
        RunAll(lake_), 1,
        {finance, "data file year_month=2023-12/", "is missing", "the input is damaged"});
  }
}

TEST_F(HostileInputTest, InputSchemaProblemsNameTableAndColumn) {
  Baseline();
  signals::SampleData sample = HostileSample();
  const RecordBatch& market = sample.market_daily;
  const std::string validate = "validate market_daily " + gold_;
  {
    SCOPED_TRACE("missing column");
    RecordBatch b = market;
    int v = b.FindColumn("volume");
    b.schema.erase(b.schema.begin() + v);
    b.columns.erase(b.columns.begin() + v);
    ASSERT_TRUE(WriteDeltaTable(gold_, b).ok());
    ExpectRejected(RunAll(lake_), 1, {gold_, "missing column 'volume'"});
  }
  {
    SCOPED_TRACE("close as text");
    ColumnVector close = ColumnVector::Make({"close", DataType::Primitive(TypeId::kString), true});
    for (double c : market.columns[market.FindColumn("close")].As<double>()) {
      close.As<std::string>().push_back(std::to_string(c));
    }
    ASSERT_TRUE(WriteDeltaTable(gold_, WithColumn(market, "close", std::move(close))).ok());
    ExpectRejected(RunAll(lake_), 1,
                   {validate, "market_daily: column 'close' has type string, expected double"});
  }
  {
    SCOPED_TRACE("symbol as a number");
    ColumnVector symbol = ColumnVector::Make({"symbol", DataType::Primitive(TypeId::kLong), true});
    symbol.As<int64_t>().assign(market.num_rows, 7);
    ASSERT_TRUE(WriteDeltaTable(gold_, WithColumn(market, "symbol", std::move(symbol))).ok());
    ExpectRejected(RunAll(lake_), 1,
                   {validate, "market_daily: column 'symbol' has type long, expected string"});
  }
  {
    // The log says double, a data file holds text: what another writer's bug leaves.
    SCOPED_TRACE("data file type differs from the table schema");
    RestoreGold();
    std::string other = root_ + "/text-close";
    ColumnVector close = ColumnVector::Make({"close", DataType::Primitive(TypeId::kString), true});
    close.As<std::string>().assign(market.num_rows, "12.5");
    ASSERT_TRUE(WriteDeltaTable(other, WithColumn(market, "close", std::move(close))).ok());
    auto target = PartitionFiles(gold_, "2023-11");
    fs::copy_file(PartitionFiles(other, "2023-11")[0], target[0],
                  fs::copy_options::overwrite_existing);
    ExpectRejected(RunAll(lake_), 1,
                   {gold_, "year_month=2023-11/" + fs::path(target[0]).filename().string(),
                    "column close has type string in the file, table type is double",
                    "the Delta log recorded", "truncated or replaced"});
  }
  {
    // Bytes that are not UTF-8 where text belongs (a damaged dictionary page)
    // used to abort the job in the Delta writer's JSON stats.
    SCOPED_TRACE("a symbol that is not UTF-8");
    RecordBatch b = market;
    size_t row = b.num_rows / 2;
    std::string date = FormatDate(b.columns[b.FindColumn("date")].As<int32_t>()[row]);
    b.columns[b.FindColumn("symbol")].As<std::string>()[row] = kNotUtf8;
    ASSERT_TRUE(WriteRawDeltaTable(gold_, b).ok());
    ExpectRejected(RunAll(lake_), 1,
                   {validate, "market_daily: column 'symbol' holds", "xACA",  // quoted by the log
                    "on " + date + ", which is not UTF-8; the column is damaged"});
  }
  {
    SCOPED_TRACE("rankings from another tool with a symbol that is not UTF-8");
    RestoreGold();
    auto store =
        std::shared_ptr<storage::Storage>(std::move(storage::OpenStorage(lake_, {})).value());
    auto ours = std::move(delta::Table::Open(store, "platinum/rankings")).value();
    delta::ScanOptions cols;
    cols.columns = {"date", "strategy", "symbol", "rank", "score"};
    RecordBatch rankings = std::move(ours.Scan(ours.LoadSnapshot().value(), cols)).value();
    rankings.columns[2].As<std::string>()[rankings.num_rows / 2] = kNotUtf8;
    std::string other = root_ + "/other rankings";
    ASSERT_TRUE(WriteRawDeltaTable(other, rankings).ok());
    ExpectRejected(
        {"materialize", "--lake", lake_, "--months", "all", "--rankings-table", other}, 1,
        // Refused by the symbol rules of materialize's input (issue 22, item 7),
        // before the Parquet writer sees it.
        {"materialize: rankings: column 'symbol' holds", "xACA", "which is not UTF-8"});
  }
  {
    // Damaged dates (the Parquet page decodes, the days are garbage) used to
    // abort in month bookkeeping or corrupt the heap.
    SCOPED_TRACE("dates outside the DATE range");
    for (int32_t bad : {std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                        static_cast<int32_t>(DaysFromCivil(10000, 1, 1))}) {
      RecordBatch b = market;
      const auto& symbols = b.columns[b.FindColumn("symbol")].As<std::string>();
      size_t row = b.num_rows / 2;
      std::string symbol = symbols[row];
      std::string month = YearMonthOf(b.columns[0].As<int32_t>()[row]);
      b.columns[b.FindColumn("date")].As<int32_t>()[row] = bad;
      const auto& dates = b.columns[b.FindColumn("date")].As<int32_t>();
      ASSERT_TRUE(WriteDeltaTable(gold_, b, [&](size_t i) {
                    return i == row ? month : YearMonthOf(dates[i]);
                  }).ok());
      ExpectRejected(RunAll(lake_), 1,
                     {validate, "market_daily: column 'date' of symbol " + symbol + " holds " +
                                    std::to_string(bad) +
                                    " days from 1970-01-01, outside the "
                                    "DATE range 0001-01-01..9999-12-31"});
    }
  }
}

TEST_F(HostileInputTest, DuplicateRowsNameSymbolAndDateAndWriteNothing) {
  Baseline();
  signals::SampleData sample = HostileSample();
  const RecordBatch& market = sample.market_daily;
  size_t row = market.num_rows / 3;
  std::string symbol = market.columns[market.FindColumn("symbol")].As<std::string>()[row];
  int32_t date = market.columns[market.FindColumn("date")].As<int32_t>()[row];
  std::string says =
      "market_daily: duplicate row for symbol " + symbol + " on " + FormatDate(date);
  {
    SCOPED_TRACE("same file");
    std::vector<size_t> rows(market.num_rows);
    std::iota(rows.begin(), rows.end(), 0);
    rows.push_back(row);
    RecordBatch b = TakeRows(market, rows);
    b.columns[b.FindColumn("close")].As<double>().back() += 1;  // a different value
    ASSERT_TRUE(WriteDeltaTable(gold_, b).ok());
    ExpectRejected(RunAll(lake_), 1, {says, "fix the upstream table"});
  }
  {
    // The copy sits in another month's partition: still the same (symbol, date).
    SCOPED_TRACE("across partitions");
    std::vector<size_t> rows(market.num_rows);
    std::iota(rows.begin(), rows.end(), 0);
    rows.push_back(row);
    RecordBatch b = TakeRows(market, rows);
    const auto& dates = b.columns[b.FindColumn("date")].As<int32_t>();
    size_t copy = b.num_rows - 1;
    std::string other = YearMonthOf(date) == "2024-01" ? "2023-10" : "2024-01";
    ASSERT_TRUE(WriteDeltaTable(gold_, b, [&](size_t i) {
                  return i == copy ? other : YearMonthOf(dates[i]);
                }).ok());
    ExpectRejected(RunAll(lake_), 1, {says});
  }
  {
    SCOPED_TRACE("finance_daily");
    RestoreGold();
    const RecordBatch& finance = sample.finance_daily;
    ASSERT_GT(finance.num_rows, 0u);
    std::vector<size_t> rows(finance.num_rows);
    std::iota(rows.begin(), rows.end(), 0);
    rows.push_back(0);
    RecordBatch b = TakeRows(finance, rows);
    ASSERT_TRUE(WriteDeltaTable(lake_ + "/gold/finance_daily", b).ok());
    std::string fsym = finance.columns[finance.FindColumn("symbol")].As<std::string>()[0];
    int32_t fdate = finance.columns[finance.FindColumn("date")].As<int32_t>()[0];
    ExpectRejected(
        RunAll(lake_), 1,
        {"finance_daily " + lake_ + "/gold/finance_daily",
         "finance_daily: duplicate row for symbol " + fsym + " on " + FormatDate(fdate)});
  }
}

// SIGNALS.md: a row whose close or volume is NaN or infinite is invalid; invalid
// rows are dropped and counted, as if absent. Not an error.
TEST_F(HostileInputTest, NonFiniteCloseAndVolumeAreDroppedAsInvalidRows) {
  signals::SampleData sample = HostileSample();
  RecordBatch market = sample.market_daily;
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto& close = market.columns[market.FindColumn("close")].As<double>();
  auto& volume = market.columns[market.FindColumn("volume")].As<double>();
  int64_t invalid_before = 0;
  for (size_t i = 0; i < market.num_rows; ++i) invalid_before += !ValidByContract(market, i);
  // Poison valid rows spread over the months and symbols.
  std::vector<size_t> poisoned;
  int k = 0;
  for (size_t i = 7; i < market.num_rows && poisoned.size() < 10; i += market.num_rows / 11) {
    while (i < market.num_rows && !ValidByContract(market, i)) ++i;
    if (i == market.num_rows) break;
    switch (k++ % 5) {
      case 0: close[i] = nan; break;
      case 1: close[i] = inf; break;
      case 2: close[i] = -inf; break;
      case 3: volume[i] = nan; break;
      case 4: volume[i] = inf; break;
    }
    poisoned.push_back(i);
  }
  ASSERT_TRUE(WriteDeltaTable(gold_, market).ok());
  auto run = Cli(RunAll(lake_));
  ExpectNoCrash(run, "run");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string dropped = "market_invalid_rows_dropped=" +
                        std::to_string(invalid_before + static_cast<int64_t>(poisoned.size()));
  EXPECT_NE(run.err.find(dropped), std::string::npos) << dropped << "\n" << run.err;
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // Dropped means as if absent: the same outputs as an input without those rows.
  std::string clean = root_ + "/clean";
  fs::copy(pristine_, clean, fs::copy_options::recursive);
  std::vector<size_t> keep;
  for (size_t i = 0; i < market.num_rows; ++i) {
    if (std::find(poisoned.begin(), poisoned.end(), i) == poisoned.end()) keep.push_back(i);
  }
  ASSERT_TRUE(WriteDeltaTable(clean + "/gold/market_daily", TakeRows(market, keep)).ok());
  auto clean_run = Cli(RunAll(clean), {{"POSTGRES_DSN", ""}});
  ASSERT_EQ(clean_run.exit_code, 0) << clean_run.err;
  for (const char* t : kOutputs) {
    EXPECT_EQ(SortedScan(lake_ + "/" + t), SortedScan(clean + "/" + t)) << t;
  }
}

TEST_F(HostileInputTest, EmptyInputsAndMonthsWithoutDataAreClearFailures) {
  Baseline();
  {
    SCOPED_TRACE("months named have no data");
    ExpectRejected(
        {"run", "--lake", lake_, "--months", "2020-01..2020-06"}, 1,
        {"no input data in months 2020-01..2020-06", "data exists for 2023-10..2024-01"});
    ExpectRejected({"run", "--lake", lake_, "--months", "2030-01,2030-02"}, 1,
                   {"no input data in months 2030-01,2030-02"}, {}, kPostgres);
    ExpectRejected({"materialize", "--lake", lake_, "--months", "2019-12"}, 1,
                   {"no input data in months 2019-12", "data exists for 2023-10..2024-01"}, {},
                   kPostgres);
  }
  signals::SampleData sample = HostileSample();
  {
    SCOPED_TRACE("an input table with no rows");
    ASSERT_TRUE(WriteDeltaTable(gold_, TakeRows(sample.market_daily, {})).ok());
    for (const char* months : {"all", "latest", "2023-11"}) {
      ExpectRejected({"run", "--lake", lake_, "--months", months}, 1,
                     {"the input has no valid market_daily rows"}, {},
                     months[0] == 'a' ? kFull : kPostgres);
    }
  }
  {
    SCOPED_TRACE("every row invalid");
    RecordBatch market = sample.market_daily;
    market.columns[market.FindColumn("close")].As<double>().assign(
        market.num_rows, std::numeric_limits<double>::quiet_NaN());
    ASSERT_TRUE(WriteDeltaTable(gold_, market).ok());
    auto r = ExpectRejected(RunAll(lake_), 1, {"the input has no valid market_daily rows"});
    EXPECT_NE(r.err.find("market_invalid_rows_dropped=" + std::to_string(market.num_rows)),
              std::string::npos)
        << r.err;
  }
}

// Shapes not already in JobTest.UsageErrorsExitTwoWithAClearMessage, for every
// command taking --months. Usage errors come before any read.
TEST_F(HostileInputTest, MalformedMonthSpecsAreUsageErrors) {
  Baseline();
  const std::vector<std::string> specs = {
      "",
      " ",
      "2024-1",
      "24-01",
      "2024/01",
      "2024-01-15",
      "2024-00",
      "0000-01",
      "2024-03..2024-01",
      "2024-01..",
      "..2024-01",
      "2024-01...2024-02",
      "2024-01,,2024-02",
      "latest,",
      ",all",
      "LATEST",
      "All",
      "2024-01;2024-02",
      "-2024-01",
      "2024-01\n",
      "latest..all",
      "2024-01..latest",
      std::string(5000, '9'),
      "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x94-01"};  // full-width digits
  // run and verify share their parsing with materialize and sync: those two
  // get a sample of the shapes.
  const std::set<std::string> sample = {" ", "2024-1", "2024-03..2024-01", "latest,", "LATEST"};
  std::string before = State();
  for (const char* command : {"run", "verify", "materialize", "sync"}) {
    bool ops = command[0] == 'v' || command[0] == 's';
    bool all = command == std::string("run") || command == std::string("verify");
    for (const std::string& spec : specs) {
      if (ops && spec.empty()) continue;  // verify/sync: an empty --months means all months
      if (!all && sample.count(spec) == 0) continue;
      std::vector<std::string> args = {command, "--lake", lake_, "--months=" + spec};
      // CLI11 itself refuses an empty value, naming the flag.
      if (spec.empty()) {
        ExpectRejected(args, 2, {"--months"}, {}, kFiles);
        continue;
      }
      auto r = ExpectRejected(args, 2, {"error: month spec"}, {}, kFiles);
      if (spec.size() < 100 && spec.find_first_not_of(" ") != std::string::npos) {
        EXPECT_NE(r.err.find("'" + spec + "'"), std::string::npos) << Joined(args) << r.err;
      }
      bool reversed = spec == "2024-03..2024-01";
      EXPECT_NE(r.err.find(reversed ? "write the earlier month first" : "expected YYYY-MM"),
                std::string::npos)
          << Joined(args) << r.err;
    }
  }
  EXPECT_EQ(State(), before);
}

TEST_F(HostileInputTest, MalformedDsnIsAUsageErrorBeforeAnyWorkAndNeverEchoed) {
  Baseline();
  // Each DSN carries a recognisable password, in every form it could leak.
  struct BadDsn {
    std::string dsn;
    std::vector<std::string> secrets;
  };
  const std::vector<BadDsn> dsns = {
      {"postgresql://ranker:Pw%40Secret1@127.0.0.1:notaport/db", {"Pw%40Secret1", "Pw@Secret1"}},
      {"host=127.0.0.1 user=ranker password='Secret2 unterminated", {"Secret2"}},
      {"postgresql://ranker:Secret3@[::1/db", {"Secret3"}},
      {"Secret4-is-not-a-dsn", {"Secret4"}},
      {"host=127.0.0.1 port=99999 password=Secret5", {"Secret5"}},
      {"postgresql://ranker:Secret6@127.0.0.1:5432/db?sslmode=sometimes&x=1", {"Secret6"}},
  };
  std::string before = State();
  for (const BadDsn& bad : dsns) {
    SCOPED_TRACE(bad.dsn);
    for (std::vector<std::string> args :
         {RunAll(lake_), std::vector<std::string>{"materialize", "--lake", lake_},
          std::vector<std::string>{"verify", "--lake", lake_},
          std::vector<std::string>{"sync", "--lake", lake_}, std::vector<std::string>{"migrate"}}) {
      auto r = ExpectRejected(args, 2, {"POSTGRES_DSN", "connection string is malformed"},
                              {{"POSTGRES_DSN", bad.dsn}}, kFiles);
      for (const auto& s : bad.secrets) {
        EXPECT_EQ(r.err.find(s), std::string::npos) << Joined(args) << " echoed " << s << r.err;
      }
      EXPECT_EQ(r.out.find(bad.secrets[0]), std::string::npos);
    }
    auto flag = ExpectRejected({"verify", "--lake", lake_, "--dsn", bad.dsn}, 2,
                               {"--dsn", "connection string is malformed"}, {}, kFiles);
    for (const auto& s : bad.secrets) EXPECT_EQ(flag.err.find(s), std::string::npos) << flag.err;
  }
  EXPECT_EQ(State(), before);
}

// Issue 22 item 1: libpq's parse errors quote the token they reject, so a
// stray '%' in the password printed it ("invalid percent-encoded token:
// \"S3cr%zz\""). Every shape libpq rejects is a usage error naming the part,
// and no command prints any of it, through POSTGRES_DSN or --dsn.
TEST_F(HostileInputTest, Issue22MalformedDsnOfEveryShapeNeverReachesAnyOutput) {
  struct Shape {
    std::string dsn;
    std::string says;
  };
  const std::vector<Shape> shapes = {
      {"postgresql://u:S3cr%zz@127.0.0.1:5432/db", "the URI's password"},
      {"postgresql://u:S3cr%@127.0.0.1:5432/db", "the URI's password"},
      {"postgresql://u:S3cr%00x@127.0.0.1:5432/db", "the URI's password"},
      {"postgresql://S3cr%zz:pw@127.0.0.1/db", "the URI's user name"},
      {"postgresql://u:pw@S3cr%zz:5432/db", "host 1 of the URI"},
      {"postgresql://u:pw@127.0.0.1/S3cr%zz", "the URI's database name"},
      {"postgresql://u:pw@127.0.0.1/db?options=S3cr%zz", "query parameter 1 of the URI"},
      {"postgresql://u:pw@127.0.0.1/db?sslmode=disable&S3cret=x", "query parameter 2 of the URI"},
      {"postgresql://u:pw@127.0.0.1/db?S3cret", "query parameter 1 of the URI"},
      {"postgresql://u:pa@S3cret@127.0.0.1/db", "more than one '@'"},
      {"postgresql://u:pa/S3cret@127.0.0.1/db", "an '@' after a '/'"},
      {"host=127.0.0.1 password='S3cret unterminated", "the value of 'password'"},
      {"host=127.0.0.1 pasword=S3cret", "setting 2 (after 'host')"},
      {"host=127.0.0.1 password=S3cret with spaces", "the value of 'password' contains spaces"},
      {"postgre://u:S3cret@127.0.0.1/db", "neither a URI"},
      {"postgre://u:S3cret@127.0.0.1/db?sslmode=disable", "neither a URI"},
      {"host=127.0.0.1 password=pw sslmode=S3cret", "the value of 'sslmode' is not one of"},
      {"postgresql://u:pw@127.0.0.1/db?connect_timeout=S3cret", "not a whole number"},
  };
  std::string before = State(kFiles);
  const std::vector<std::vector<std::string>> commands = {
      RunAll(lake_), {"sync", "--lake", lake_}, {"verify", "--lake", lake_}, {"migrate"}};
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape.dsn);
    for (const auto& command : commands) {
      for (bool flag : {false, true}) {
        if (flag && command[0] == "run") continue;  // run takes POSTGRES_DSN only
        std::vector<std::string> args = command;
        Env extra = {{"POSTGRES_DSN", shape.dsn}};
        if (flag) {
          args.insert(args.end(), {"--dsn", shape.dsn});
          extra = {{"POSTGRES_DSN", ""}};
        }
        CliResult r = Cli(args, extra);
        ExpectNoCrash(r, Joined(args));
        EXPECT_EQ(r.exit_code, 2) << Joined(args) << "\n" << r.err;
        EXPECT_NE(r.err.find(flag ? "--dsn: " : "POSTGRES_DSN: "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("connection string is malformed: "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(shape.says), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("S3cr"), std::string::npos) << Joined(args) << " echoed\n" << r.err;
        EXPECT_EQ(r.out.find("S3cr"), std::string::npos) << Joined(args) << " echoed\n" << r.out;
      }
    }
  }
  // Unquoted in a shell, a DSN with spaces spills into words CLI11 refuses
  // ("The following argument was not expected: ..."): they are masked too.
  for (const auto& command : commands) {
    if (command[0] == "run") continue;
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--dsn", "host=127.0.0.1", "user=u", "password=S3cret"});
    CliResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << Joined(args) << "\n" << r.err;
    EXPECT_EQ(r.err.find("S3cr"), std::string::npos) << Joined(args) << " echoed\n" << r.err;
  }
  EXPECT_EQ(State(kFiles), before);
}

TEST_F(HostileInputTest, WrongCredentialsFailClearlyWithoutTheSecret) {
  Baseline();
  const std::string secret = "Wr0ngButPlausible";
  std::string wrong = dsn_;
  size_t colon = wrong.find(':', std::string("postgresql://").size());
  size_t at = wrong.find('@');
  std::string target = wrong.substr(at + 1);  // 127.0.0.1:port/db
  wrong.replace(colon + 1, at - colon - 1, secret);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"migrate"}, std::vector<std::string>{"verify", "--lake", lake_},
        std::vector<std::string>{"sync", "--lake", lake_}}) {
    auto r = ExpectRejected(args, 1,
                            {"PostgreSQL at " + target, "password authentication failed",
                             "check the user and password of the connection string"},
                            {{"POSTGRES_DSN", wrong}}, kPostgres);
    EXPECT_EQ(r.err.find("migrate: migrate:"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  }
  // `run` commits Delta first, then replication fails (docs/architecture.md):
  // PostgreSQL is untouched, and `sync` with the right DSN heals it.
  std::string pg_before = PostgresState();
  auto run = Cli({"run", "--lake", lake_, "--months", "2023-12"}, {{"POSTGRES_DSN", wrong}});
  ExpectNoCrash(run, "run");
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("replicate 2023-12"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("password authentication failed"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(secret), std::string::npos) << run.err;
  EXPECT_EQ(PostgresState(), pg_before);
  auto verify = Cli({"verify", "--lake", lake_});
  EXPECT_EQ(verify.exit_code, 3) << verify.out;
  ASSERT_EQ(Cli({"sync", "--lake", lake_}).exit_code, 0);
  EXPECT_EQ(Cli({"verify", "--lake", lake_}).exit_code, 0);
}

// Paths with spaces, non-ASCII letters and URI-special characters work end to
// end, as a plain path and as a percent-encoded file:// URI.
TEST_F(HostileInputTest, LakePathsWithSpacesAndUnicodeWork) {
  std::string lake = root_ + "/lake with spaces/ünïcødé € #%20?";
  auto sample = RunCli(SampleArgs(lake), {});
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  auto run = Cli(RunAll(lake));
  ExpectNoCrash(run, "run");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto verify = Cli({"verify", "--lake", lake});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  int in_sync = 0;
  for (const auto& line : Lines(verify.out)) in_sync += line.find(" in_sync ") != std::string::npos;
  EXPECT_EQ(in_sync, 4) << verify.out;
  auto rows = Sql(dsn_, "SELECT count(*) FROM ranking.signal_sync_state WHERE status = 'success'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], "4");

  std::string uri = "file://";
  for (unsigned char c : lake) {
    static const char* kHex = "0123456789ABCDEF";
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    }
  }
  for (const char* t : kOutputs) {
    EXPECT_EQ(SortedScan(uri + "/" + t), SortedScan(lake + "/" + t)) << t;
  }
  auto again = Cli({"verify", "--lake", uri});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

// `materialize` from a rankings table written by another tool, partitioned by
// strategy, whose values need escaping in directory names and log paths.
TEST_F(HostileInputTest, MaterializeFromRankingsWithEscapedPartitionValues) {
  auto base = Cli(RunAll(lake_), {{"POSTGRES_DSN", ""}});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  const std::map<std::string, std::string> renamed = {
      {"LowVol_63D", "Low Vol,63D\\"},         {"Momentum_12_1", "Momentum 12-1 ☃"},
      {"Momentum_60D", "Momentum 60D/ünï%20"}, {"Reversal_21D", "Reversal=21D:#?"},
      {"Trend_50_200", "Trend%2F50 € [x]"},    {"Value_PE", "Value\"PE' {*}^"}};

  // The rankings rows, grouped by (renamed) strategy.
  auto store =
      std::shared_ptr<storage::Storage>(std::move(storage::OpenStorage(lake_, {})).value());
  auto ours = std::move(delta::Table::Open(store, "platinum/rankings")).value();
  auto snap = std::move(ours.LoadSnapshot()).value();
  delta::ScanOptions cols;
  cols.columns = {"date", "strategy", "symbol", "rank", "score"};
  RecordBatch rankings = std::move(ours.Scan(snap, cols)).value();
  std::map<std::string, std::vector<size_t>> by_strategy;
  const auto& strategies = rankings.columns[1].As<std::string>();
  for (size_t i = 0; i < rankings.num_rows; ++i) by_strategy[strategies[i]].push_back(i);
  ASSERT_GE(by_strategy.size(), 2u);

  // The other tool's table: data files under escaped directories, a log written by hand.
  std::string table_dir = root_ + "/other tool/rankings ünï";
  auto other = std::move(storage::OpenStorage(table_dir, {})).value();
  std::string log = nlohmann::json({{"commitInfo",
                                     {{"timestamp", 1700000000000},
                                      {"operation", "WRITE"},
                                      {"engineInfo", "other-tool/9.9"}}}})
                        .dump() +
                    "\n" + R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" + "\n";
  auto field = [](const char* name, const char* type) {
    return nlohmann::json{
        {"name", name}, {"type", type}, {"nullable", true}, {"metadata", nlohmann::json::object()}};
  };
  nlohmann::json schema_json = {
      {"type", "struct"},
      {"fields",
       {field("date", "date"), field("strategy", "string"), field("symbol", "string"),
        field("rank", "integer"), field("score", "double")}}};
  nlohmann::json metadata = {
      {"metaData",
       {{"id", "0b7c2d7e-1111-4222-8333-944455556666"},
        {"format", {{"provider", "parquet"}, {"options", nlohmann::json::object()}}},
        {"schemaString", schema_json.dump()},
        {"partitionColumns", {"strategy"}},
        {"configuration", nlohmann::json::object()},
        {"createdTime", 1700000000000}}}};
  log += metadata.dump() + "\n";
  int n = 0;
  for (const auto& [strategy, idx] : by_strategy) {
    const std::string& value = renamed.at(strategy);
    RecordBatch part = TakeRows(rankings, idx);
    part.schema.erase(part.schema.begin() + 1);
    part.columns.erase(part.columns.begin() + 1);
    std::string relative = "strategy=" + PartitionDirValue(value) + "/part-0000" +
                           std::to_string(n++) + "-other.c000.snappy.parquet";
    auto summary = parquet::WriteFile(*other, relative, part, parquet::WriterOptions{});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    nlohmann::json add = {{"add",
                           {{"path", UriPath(relative)},
                            {"partitionValues", {{"strategy", value}}},
                            {"size", summary->size_bytes},
                            {"modificationTime", 1700000000000},
                            {"dataChange", true}}}};
    log += add.dump() + "\n";
  }
  ASSERT_TRUE(other->Put("_delta_log/00000000000000000000.json", log).ok());

  // Sanity: the table reads back with the partition values as written.
  auto scan = Cli({"table", "scan", table_dir, "--where", "strategy=" + renamed.at("Value_PE")});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(Lines(scan.out).size(), by_strategy["Value_PE"].size());

  std::string lake2 = root_ + "/lake2";
  std::vector<std::string> layout = {"--lake", lake2, "--rankings-table", table_dir};
  std::vector<std::string> args = {"materialize", "--months", "all"};
  args.insert(args.end(), layout.begin(), layout.end());
  auto m = Cli(args);
  ExpectNoCrash(m, "materialize");
  ASSERT_EQ(m.exit_code, 0) << m.err;

  // The same signals as from our own rankings, under the other tool's names.
  auto expected = SortedScan(lake_ + "/platinum/signals/ranking_signals");
  std::vector<std::string> got;
  for (const auto& line : SortedScan(lake2 + "/platinum/signals/ranking_signals")) {
    auto j = nlohmann::json::parse(line);
    for (const auto& [ours_name, theirs] : renamed) {
      if (j["strategy"] == theirs) j["strategy"] = ours_name;
    }
    got.push_back(j.dump());
  }
  std::vector<std::string> expected_dumped;
  for (const auto& line : expected) expected_dumped.push_back(nlohmann::json::parse(line).dump());
  std::sort(got.begin(), got.end());
  std::sort(expected_dumped.begin(), expected_dumped.end());
  EXPECT_EQ(got, expected_dumped);
  EXPECT_EQ(SortedScan(lake2 + "/platinum/signals/daily"),
            SortedScan(lake_ + "/platinum/signals/daily"));
  std::vector<std::string> verify = {"verify"};
  verify.insert(verify.end(), layout.begin(), layout.end());
  auto v = Cli(verify);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto names = Sql(dsn_,
                   "SELECT string_agg(DISTINCT strategy, '|' ORDER BY strategy) FROM "
                   "ranking.ranking_signal");
  ASSERT_EQ(names.size(), 1u);
  for (const auto& [strategy, idx] : by_strategy) {
    EXPECT_NE(names[0].find(renamed.at(strategy)), std::string::npos) << names[0];
  }
}

}  // namespace
}  // namespace rs::testing
