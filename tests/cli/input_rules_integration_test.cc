// Issue 22, items 4, 5, 6, 7, 10 and 11 (inputs): the input rules of
// docs/operations.md through the real binary, without PostgreSQL. Each test
// failed before its fix: leftovers of other writers were read, absolute
// Parquet files were ignored, overflowing weights passed, symbols PostgreSQL
// cannot store were committed, two tables at one location half-committed,
// mixed column types and damaged checkpoints were not named.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "cli/cli_harness.h"
#include "cli/hostile_input_util.h"
#include "common/calendar.h"
#include "common/test_services.h"
#include "parquet/writer.h"
#include "signals/sample_data.h"
#include "storage/storage.h"

namespace rs::testing {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

signals::SampleData RulesSample(int symbols = 8) {
  signals::SampleOptions o;
  o.symbols = symbols;
  o.seed = 3;
  o.start_date = static_cast<int32_t>(DaysFromCivil(2023, 11, 1));
  o.end_date = static_cast<int32_t>(DaysFromCivil(2024, 1, 31));
  return std::move(signals::GenerateSampleData(o)).value();
}

void WriteParquet(const std::string& dir, const std::string& key, const RecordBatch& batch) {
  auto store = storage::OpenStorage(dir, {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto written = parquet::WriteFile(**store, key, batch, {});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
}

// `batch` with every symbol of the rows of `from` renamed to `to`.
RecordBatch RenameSymbol(RecordBatch batch, const std::string& from, const std::string& to) {
  auto& symbols = batch.columns[batch.FindColumn("symbol")].As<std::string>();
  for (auto& s : symbols) {
    if (s == from) s = to;
  }
  return batch;
}

std::string FirstSymbol(const RecordBatch& batch) {
  return batch.columns[batch.FindColumn("symbol")].As<std::string>()[0];
}

class InputRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("input-rules");
    lake_ = root_ + "/lake";
    sample_ = RulesSample();
    ASSERT_TRUE(WriteDeltaTable(lake_ + "/gold/market_daily", sample_.market_daily).ok());
    ASSERT_TRUE(WriteDeltaTable(lake_ + "/gold/finance_daily", sample_.finance_daily).ok());
  }
  void TearDown() override { fs::remove_all(root_); }

  CliResult Cli(std::vector<std::string> args, const Env& env = {}) const {
    Env full = {{"RANKING_THREADS", "2"}};
    full.insert(env.begin(), env.end());
    return RunCli(args, full);
  }
  CliResult Run(std::vector<std::string> extra = {}, const Env& env = {}) const {
    std::vector<std::string> args = {"run", "--lake", lake_, "--months", "all"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, env);
  }
  // Rows of `table scan` of a table under the lake, sorted.
  std::vector<std::string> Scan(const std::string& table) const {
    auto r = Cli({"table", "scan", lake_ + "/" + table});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return SortedLines(r.out);
  }
  // Nothing a run writes exists: no output table, no shard claim.
  void ExpectNothingWritten(const std::string& what) const {
    EXPECT_FALSE(fs::exists(lake_ + "/platinum")) << what;
    EXPECT_FALSE(fs::exists(lake_ + "/_ranking_jobs")) << what;
  }
  void ExpectRefused(const CliResult& r, int exit_code, const std::vector<std::string>& needles,
                     const std::string& what) const {
    EXPECT_EQ(r.exit_code, exit_code) << what << "\n" << r.err;
    for (const auto& n : needles) {
      EXPECT_NE(r.err.find(n), std::string::npos) << what << ": no '" << n << "' in\n" << r.err;
    }
    ExpectNothingWritten(what);
    auto lines = Lines(r.err);
    std::cout << "[ refused ] " << what << " -> exit " << r.exit_code << ": "
              << (lines.empty() ? "" : lines.back().substr(0, 300)) << "\n";
  }

  std::string root_, lake_;
  signals::SampleData sample_;
};

// Item 4: a Parquet-folder input written by Spark, Hive or Arrow keeps its
// failed attempts under _temporary/ and hidden files; they are skipped (and
// counted in the log), Hive partition folders are read.
TEST_F(InputRulesTest, Issue22Item4WriterLeftoversInAParquetFolderAreSkipped) {
  std::string folder = lake_ + "/gold/market_daily";
  fs::remove_all(folder);
  WriteParquet(folder, "year=2023/part-00000.parquet", sample_.market_daily);
  RecordBatch ghost =
      RenameSymbol(sample_.market_daily, FirstSymbol(sample_.market_daily), "GHOST");
  WriteParquet(folder, "_temporary/0/task_1/part-00001.parquet", ghost);
  WriteParquet(folder, ".part-00002.parquet", sample_.market_daily);  // would be duplicates
  WriteParquet(folder, "year=2023/_part-00003.parquet", ghost);
  WriteFile(folder + "/_SUCCESS", "");

  auto r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("skipped Parquet files under '_' or '.' paths"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("files=3"), std::string::npos) << r.err;
  for (const auto& row : Scan("platinum/rankings")) {
    ASSERT_EQ(row.find("GHOST"), std::string::npos) << row;
  }
}

// Item 5: one Parquet file named by absolute path reads like the same file
// named relative to the lake; an explicitly named finance table that is not
// there fails the run, while the default one only warns.
TEST_F(InputRulesTest, Issue22Item5AbsoluteParquetFilesAreReadAndANamedFinanceIsRequired) {
  WriteParquet(root_, "market.parquet", sample_.market_daily);
  WriteParquet(root_, "finance.parquet", sample_.finance_daily);
  auto absolute = Run(
      {"--market-table", root_ + "/market.parquet", "--finance-table", root_ + "/finance.parquet"});
  ASSERT_EQ(absolute.exit_code, 0) << absolute.err;
  EXPECT_NE(absolute.err.find("read finance_daily"), std::string::npos) << absolute.err;
  EXPECT_EQ(absolute.err.find("not found"), std::string::npos) << absolute.err;
  auto from_absolute = Scan("platinum/rankings");
  EXPECT_TRUE(std::any_of(from_absolute.begin(), from_absolute.end(), [](const std::string& row) {
    return row.find("Value_PE") != std::string::npos;
  }));

  WriteParquet(lake_, "gold/market.parquet", sample_.market_daily);
  WriteParquet(lake_, "gold/finance.parquet", sample_.finance_daily);
  auto relative =
      Run({"--market-table", "gold/market.parquet", "--finance-table", "gold/finance.parquet"});
  ASSERT_EQ(relative.exit_code, 0) << relative.err;
  EXPECT_EQ(Scan("platinum/rankings"), from_absolute);

  fs::remove_all(lake_ + "/platinum");
  for (const std::string& missing : {root_ + "/no-such.parquet", std::string("gold/none")}) {
    auto named = Run({"--finance-table", missing});
    ExpectRefused(named, 1, {"--finance-table", "no Parquet files there"}, missing);
  }
  fs::remove_all(lake_ + "/gold/finance_daily");
  auto unnamed = Run();
  EXPECT_EQ(unnamed.exit_code, 0) << unnamed.err;
  EXPECT_NE(unnamed.err.find("finance_daily not found: Value_PE ranks nothing"), std::string::npos)
      << unnamed.err;
}

// Item 6: weights are finite and >= 0 with a finite sum > 0, from the
// environment or the config file; a bad one is a usage error (exit 2).
TEST_F(InputRulesTest, Issue22Item6WeightsThatOverflowOrAreNegativeAreUsageErrors) {
  const std::string six_with = R"("LowVol_63D": 1, "Momentum_12_1": 1, "Momentum_60D": 1,
                                  "Reversal_21D": 1, "Trend_50_200": )";
  struct Case {
    std::string weights;
    std::string message;
  } cases[] = {
      {"{" + six_with + R"(1e308, "Value_PE": 1e308})",
       "RANKING_COMPOSITE_STRATEGY_WEIGHTS: weights sum to inf: the sum must be a finite number "
       "greater than 0"},
      {"{" + six_with + R"(-1, "Value_PE": 3})",
       "RANKING_COMPOSITE_STRATEGY_WEIGHTS: weight of strategy 'Trend_50_200' is -1: a weight "
       "must be a finite number >= 0"},
      {R"({"x":)", "RANKING_COMPOSITE_STRATEGY_WEIGHTS: invalid JSON"},
  };
  for (const auto& c : cases) {
    ExpectRefused(Run({}, {{"RANKING_COMPOSITE_STRATEGY_WEIGHTS", c.weights}}), 2, {c.message},
                  c.weights);
  }
  std::string config = root_ + "/config.json";
  WriteFile(config, "{\"weights\": {" + six_with + "1e308, \"Value_PE\": 1e308}}");
  ExpectRefused(Run({"--config", config}), 2,
                {"config file " + config + ": weights: weights sum to inf"}, "config file");
}

// Item 7: symbols PostgreSQL cannot store or index are refused when the
// inputs are validated, naming the symbol, date, rule and table.
TEST_F(InputRulesTest, Issue22Item7SymbolsPostgresCannotStoreAreRefusedBeforeAnyWrite) {
  const std::string first = FirstSymbol(sample_.market_daily);
  struct Case {
    std::string symbol;
    std::vector<std::string> needles;
  } cases[] = {
      // The text log escapes the message's quotes and backslashes once more.
      {std::string("AB\0C", 4), {"AB\\\\x00C", "holds control character 0x00 at byte 2"}},
      {"A\nB", {"A\\\\x0AB", "holds control character 0x0A at byte 1"}},
      {std::string(2700, 'Q'),
       {"... (2700 bytes)", "has 2700 bytes (symbols may have at most 256"}},
  };
  for (const auto& c : cases) {
    RecordBatch market = RenameSymbol(sample_.market_daily, first, c.symbol);
    ASSERT_TRUE(WriteDeltaTable(lake_ + "/gold/market_daily", market).ok());
    auto needles = c.needles;
    needles.push_back("market_daily");
    needles.push_back("column 'symbol' holds");
    needles.push_back(" on 2023-11-01, which ");
    ExpectRefused(Run(), 1, needles, c.needles.back());
  }
  // 256 bytes is allowed, and reaches the outputs.
  const std::string longest(256, 'L');
  ASSERT_TRUE(WriteDeltaTable(lake_ + "/gold/market_daily",
                              RenameSymbol(sample_.market_daily, first, longest))
                  .ok());
  auto ok = Run();
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto rows = Scan("platinum/signals/daily");
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const std::string& row) {
    return row.find(longest) != std::string::npos;
  }));
}

// Item 10: two tables of a run at one location, or one inside another, are
// refused before anything is written, however the paths are spelled.
TEST_F(InputRulesTest, Issue22Item10OneLocationForTwoTablesIsAUsageError) {
  struct Case {
    std::vector<std::string> flags;
    std::vector<std::string> needles;
  } cases[] = {
      {{"--signals-table", "platinum/x", "--composite-table", "platinum/x"},
       {"--signals-table and --composite-table both name"}},
      {{"--signals-table", "platinum/x/", "--composite-table", "./platinum//x"},
       {"--signals-table and --composite-table both name"}},
      {{"--composite-table", lake_ + "/platinum/rankings/"},
       {"--rankings-table and --composite-table both name"}},
      {{"--rankings-table", "file://" + lake_ + "/platinum/a/../s", "--signals-table",
        "platinum/s"},
       {"--rankings-table and --signals-table both name"}},
      {{"--signals-table", "gold/market_daily"}, {"--market-table and --signals-table both name"}},
      {{"--composite-table", "gold/finance_daily/composite"},
       {"--composite-table (", "is inside --finance-table ("}},
      {{"--rankings-table", "gold"}, {"--market-table (", "is inside --rankings-table ("}},
  };
  for (const auto& c : cases) {
    ExpectRefused(Run(c.flags), 2, c.needles, Joined(c.flags));
  }
  auto materialize = Cli({"materialize", "--lake", lake_, "--signals-table", "platinum/rankings"});
  ExpectRefused(materialize, 2, {"--rankings-table and --signals-table both name"}, "materialize");
  // verify and sync read the served tables: one table for both would be
  // replicated into both PostgreSQL tables. Refused before connecting.
  for (const char* command : {"verify", "sync"}) {
    auto served = Cli({command, "--lake", lake_, "--signals-table", "platinum/x",
                       "--composite-table", "platinum/x/"},
                      {{"POSTGRES_DSN", "postgresql://writer@127.0.0.1:1/none"}});
    ExpectRefused(served, 2, {"--signals-table and --composite-table both name"}, command);
  }
}

// Item 11: files of one folder with different column types name both files
// and both types.
TEST_F(InputRulesTest, Issue22Item11MixedColumnTypesInAFolderNameBothFilesAndTypes) {
  std::string folder = lake_ + "/gold/market_daily";
  fs::remove_all(folder);
  WriteParquet(folder, "part-00000.parquet", sample_.market_daily);
  RecordBatch other = RenameSymbol(sample_.market_daily, FirstSymbol(sample_.market_daily), "ZZZ");
  ColumnVector close = ColumnVector::Make({"close", DataType::Primitive(TypeId::kString), true});
  close.As<std::string>().assign(other.num_rows, "1.5");
  WriteParquet(folder, "part-00001.parquet", WithColumn(other, "close", close));
  ExpectRefused(
      Run(), 1,
      {"column 'close' is double in", "part-00000.parquet but string in", "part-00001.parquet"},
      "mixed types");
}

// Item 11: a damaged checkpoint of a Delta input is read around by log
// replay, and the run says so with a WARN naming the file.
TEST_F(InputRulesTest, Issue22Item11ADamagedCheckpointOfAnInputIsNamedInAWarning) {
  std::string market = lake_ + "/gold/market_daily";
  {
    auto store = storage::OpenStorage(market, {});
    ASSERT_TRUE(store.ok());
    auto table = delta::Table::Open(std::shared_ptr<storage::Storage>(std::move(*store)), "");
    ASSERT_TRUE(table.ok());
    auto snapshot = table->LoadSnapshot();
    ASSERT_TRUE(snapshot.ok());
    ASSERT_TRUE(table->WriteCheckpoint(*snapshot).ok());
  }
  std::string checkpoint = market + "/_delta_log/00000000000000000000.checkpoint.parquet";
  ASSERT_TRUE(fs::exists(checkpoint));
  WriteFile(checkpoint, "not a parquet file at all");
  auto r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("damaged checkpoint skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("00000000000000000000.checkpoint.parquet"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rs::testing
