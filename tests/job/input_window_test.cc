// Issue 18 item 3: a run reads only the input history its months need, and
// its output equals a run over all history. Each case compares the output
// tables of a run of some months with the same months of a `--months all`
// run (which plans no window: its first month is the table's start).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <type_traits>
#include <variant>

#include "common/calendar.h"
#include "job/input_window_internal.h"
#include "job/job_test_lake.h"
#include "job/run.h"
#include "parquet/writer.h"

namespace rs::job {
namespace {

using testing::NewMemoryLake;
using testing::TestLog;

int32_t Day(const char* text) { return *ParseDate(text); }

// The first window of a run whose first target day is `day`.
int32_t FirstWindowDay(int32_t day) {
  return YearMonth::OfDay(day - internal::kInitialDays).FirstDay();
}

bool IsWeekday(int32_t days) { return ((days % 7) + 7 + 3) % 7 < 5; }  // 1970-01-01: Thursday

struct Rows {
  RecordBatch batch;
  explicit Rows(std::vector<Field> fields) {
    batch.schema = fields;
    for (const Field& f : fields) batch.columns.push_back(ColumnVector::Make(f));
  }
};

// The inputs: 2019-01-01 .. 2021-06-30, weekdays.
//   FULL  every day; finance every 40 days
//   HALT  2019-01-01 .. 2020-03-31, then from 2021-05-03 (a gap longer than any window)
//   NEW   listed 2021-03-01; no finance rows at all
//   BAD   every day, but its first 60 rows of the latest month's first window
//         are invalid (close 0 or NaN, volume -1), leaving about 244 valid rows
//         there: short of 252, though it has more than 252 rows
//   STALE every day; one finance row, 2019-02-01 (older than any window)
//   SHADE every day; finance 2019-01-15 (10.0), then 2019-03-01 (null: no score)
struct Inputs {
  RecordBatch market, finance;
};

Inputs MakeInputs(bool short_symbols = true) {
  const Field date{"date", DataType::Primitive(TypeId::kDate), true};
  const Field symbol{"symbol", DataType::Primitive(TypeId::kString), true};
  Rows market({date, symbol, Field{"close", DataType::Primitive(TypeId::kDouble), true},
               Field{"volume", DataType::Primitive(TypeId::kDouble), true}});
  Rows finance({date, symbol, Field{"pe_ratio", DataType::Primitive(TypeId::kDouble), true}});
  auto add_market = [&](int32_t d, const std::string& s, double close, double volume) {
    auto& c = market.batch.columns;
    c[0].As<int32_t>().push_back(d);
    c[1].As<std::string>().push_back(s);
    c[2].As<double>().push_back(close);
    c[3].As<double>().push_back(volume);
    ++market.batch.num_rows;
  };
  auto add_finance = [&](int32_t d, const std::string& s, std::optional<double> pe) {
    auto& c = finance.batch.columns;
    c[0].As<int32_t>().push_back(d);
    c[1].As<std::string>().push_back(s);
    c[2].As<double>().push_back(pe.value_or(0));
    if (!pe && c[2].validity.empty()) c[2].validity.assign(finance.batch.num_rows, 1);
    if (!c[2].validity.empty()) c[2].validity.push_back(pe ? 1 : 0);
    ++finance.batch.num_rows;
  };
  const int32_t latest_window_start = FirstWindowDay(Day("2021-06-01"));
  int bad_invalid = 0;
  int k = 0;
  for (int32_t d = Day("2019-01-01"); d <= Day("2021-06-30"); ++d) {
    if (!IsWeekday(d)) continue;
    ++k;
    auto close = [&](int salt) { return 50 + 10 * std::sin(0.05 * k + salt) + 0.02 * k * salt; };
    add_market(d, "FULL", close(1), 1000);
    if (k % 40 == 0) add_finance(d, "FULL", 5 + k % 17);
    if (!short_symbols) continue;
    if (d <= Day("2020-03-31") || d >= Day("2021-05-03")) add_market(d, "HALT", close(2), 500);
    if (d >= Day("2021-03-01")) add_market(d, "NEW", close(3), 700);
    if (d >= latest_window_start && bad_invalid < 60) {
      ++bad_invalid;
      double nan = std::numeric_limits<double>::quiet_NaN();
      add_market(d, "BAD", bad_invalid % 3 == 0 ? 0.0 : close(4), bad_invalid % 3 == 1 ? -1 : 10);
      if (bad_invalid % 3 == 2) market.batch.columns[2].As<double>().back() = nan;
    } else {
      add_market(d, "BAD", close(4), 900);
    }
    add_market(d, "STALE", close(5), 800);
    add_market(d, "SHADE", close(6), 600);
  }
  add_finance(Day("2019-02-01"), "STALE", 12.5);
  add_finance(Day("2019-01-15"), "SHADE", 10.0);
  add_finance(Day("2019-03-01"), "SHADE", std::nullopt);
  return Inputs{std::move(market.batch), std::move(finance.batch)};
}

// Writes `batch` as a Delta table partitioned by year_month.
void WriteInput(const Lake& lake, const std::string& path, const RecordBatch& batch,
                const parquet::WriterOptions& files = {}) {
  const auto& dates = batch.columns[0].As<int32_t>();
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) rows[YearMonthOf(dates[i])].push_back(i);
  Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
  Schema schema = batch.schema;
  schema.push_back(ym);
  std::vector<std::string> months;
  for (const auto& [m, _] : rows) months.push_back(m);
  auto table = lake.OpenTable(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  delta::CommitOptions options;
  options.data_files = files;
  auto tx = table->BeginOverwrite(schema, {"year_month"}, months, options);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  for (const auto& [month, idx] : rows) {
    RecordBatch part = TakeRows(batch, idx);
    ColumnVector col = ColumnVector::Make(ym);
    col.As<std::string>().assign(idx.size(), month);
    part.schema.push_back(ym);
    part.columns.push_back(std::move(col));
    ASSERT_TRUE(tx->WritePartition(month, part).ok());
  }
  ASSERT_TRUE(tx->Commit().ok());
}

Lake LakeOf(const std::string& tag, const Inputs& inputs,
            const parquet::WriterOptions& files = {}) {
  Lake lake = NewMemoryLake(tag);
  WriteInput(lake, lake.layout().market, inputs.market, files);
  WriteInput(lake, lake.layout().finance, inputs.finance, files);
  return lake;
}

Lake LakeWithInputs(const std::string& tag, bool short_symbols = true) {
  static const Inputs with_short = MakeInputs(true);
  static const Inputs without_short = MakeInputs(false);
  return LakeOf(tag, short_symbols ? with_short : without_short);
}

// FULL only, and RARE: listed 2021-03-01 but with rows in one old month,
// 2019-02, too (no finance rows). Short of history in every window, it
// sends the window to the table's start, and only the 2019-02 file holds it.
// With `zed`, ZED has rows every day too, so that every file's symbol
// statistics (FULL .. ZED) hold RARE and only a dictionary can rule it out.
Inputs RareInputs(bool zed = false) {
  Inputs inputs = MakeInputs(false);
  RecordBatch& m = inputs.market;
  auto add = [&m](int32_t d, const char* symbol, double close) {
    m.columns[0].As<int32_t>().push_back(d);
    m.columns[1].As<std::string>().push_back(symbol);
    m.columns[2].As<double>().push_back(close);
    m.columns[3].As<double>().push_back(300);
    ++m.num_rows;
  };
  int k = 0;
  for (int32_t d = Day("2019-01-01"); d <= Day("2021-06-30"); ++d) {
    if (!IsWeekday(d)) continue;
    ++k;
    if (zed) add(d, "ZED", 70 + 3 * std::sin(0.03 * k));
    if (YearMonthOf(d) != "2019-02" && d < Day("2021-03-01")) continue;
    add(d, "RARE", 30 + 5 * std::cos(0.07 * k) + 0.01 * k);
  }
  return inputs;
}

std::string RunSpec(const Lake& lake, const std::string& months) {
  TestLog log;
  JobRequest req;
  req.months_spec = months;
  req.run_id = "window-test";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << log.text.str();
  return log.text.str();
}

// Every row of `month` in the table at `path`, as sorted text.
std::vector<std::string> MonthRows(const Lake& lake, const std::string& path,
                                   const std::string& month) {
  auto table = lake.OpenTable(path);
  EXPECT_TRUE(table.ok());
  auto snapshot = table->LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  delta::ScanOptions scan;
  scan.ranges.push_back({"year_month", Value::Bytes(month), Value::Bytes(month)});
  auto batch = table->Scan(*snapshot, scan);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  std::vector<std::string> out(batch->num_rows);
  for (const ColumnVector& col : batch->columns) {
    for (size_t i = 0; i < batch->num_rows; ++i) {
      std::string cell = "null";
      if (col.IsValid(i)) {
        cell = std::visit(
            [&](const auto& v) -> std::string {
              using T = typename std::decay_t<decltype(v)>::value_type;
              if constexpr (std::is_same_v<T, std::string>)
                return v[i];
              else if constexpr (std::is_same_v<T, double>)
                return fmt::format("{:a}", v[i]);
              else if constexpr (std::is_arithmetic_v<T>)
                return std::to_string(v[i]);
              else
                return "?";
            },
            col.values);
      }
      out[i] += col.field.name + "=" + cell + " ";
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The months of `spec` in `windowed` equal those of a run over all history
// (`full`), in all three tables.
void ExpectSameAs(const Lake& full, const Lake& windowed, const std::string& spec,
                  const std::vector<std::string>& months) {
  std::string log = RunSpec(windowed, spec);
  for (const std::string& month : months) {
    for (const std::string* path :
         {&full.layout().rankings, &full.layout().signals, &full.layout().composite}) {
      auto expected = MonthRows(full, *path, month);
      auto actual = MonthRows(windowed, *path, month);
      EXPECT_FALSE(expected.empty()) << *path << " " << month;
      EXPECT_EQ(actual, expected) << spec << ": " << *path << " " << month << "\n" << log;
    }
  }
}

void ExpectSameAsFullHistory(const std::string& spec, const std::vector<std::string>& months) {
  static const Lake full = [] {
    Lake lake = LakeWithInputs("window-full");
    RunSpec(lake, "all");
    return lake;
  }();
  ExpectSameAs(full, LakeWithInputs("window"), spec, months);
}

// Rows of `symbol` and `strategy` in the rankings of `month`.
size_t RankedRows(const Lake& lake, const std::string& month, const std::string& symbol,
                  const std::string& strategy) {
  auto rows = MonthRows(lake, lake.layout().rankings, month);
  return std::count_if(rows.begin(), rows.end(), [&](const std::string& r) {
    return r.find("symbol=" + symbol + " ") != std::string::npos &&
           r.find("strategy=" + strategy + " ") != std::string::npos;
  });
}

TEST(InputWindowTest, TheLatestMonthEqualsAFullHistoryRun) {
  ExpectSameAsFullHistory("latest", {"2021-06"});
}

TEST(InputWindowTest, MonthsAtTheStartOfTheDataEqualAFullHistoryRun) {
  ExpectSameAsFullHistory("2019-01", {"2019-01"});
  ExpectSameAsFullHistory("2019-02..2019-03", {"2019-02", "2019-03"});
}

TEST(InputWindowTest, MonthsFarApartEqualAFullHistoryRun) {
  ExpectSameAsFullHistory("2020-02,2021-05..2021-06", {"2020-02", "2021-05", "2021-06"});
}

// The cases the window has to extend for, checked to have happened: without
// them these symbols would lose scores in the latest month.
TEST(InputWindowTest, HaltedNewInvalidAndStaleSymbolsKeepTheirScores) {
  Lake lake = LakeWithInputs("window-cases");
  RunSpec(lake, "latest");
  EXPECT_GT(RankedRows(lake, "2021-06", "HALT", "Momentum_12_1"), 0u);  // 252 rows back
  EXPECT_GT(RankedRows(lake, "2021-06", "NEW", "Momentum_60D"), 0u);    // listed in March
  EXPECT_GT(RankedRows(lake, "2021-06", "BAD", "Momentum_12_1"), 0u);
  EXPECT_GT(RankedRows(lake, "2021-06", "STALE", "Value_PE"), 0u);  // 2019's P/E still holds
  EXPECT_EQ(RankedRows(lake, "2021-06", "SHADE", "Value_PE"), 0u);  // its latest P/E is null
}

TEST(InputWindowTest, TheLatestMonthReadsOnlyItsWindowAndExtendsForShortSymbols) {
  Lake lake = LakeWithInputs("window-read");
  auto window = internal::PlanInputWindow(lake, "latest");
  ASSERT_TRUE(window.ok()) << window.status().ToString();
  ASSERT_TRUE(window->has_value());
  EXPECT_EQ((*window)->first_target_day, Day("2021-06-01"));
  EXPECT_EQ((*window)->last_day, Day("2021-06-30"));
  EXPECT_EQ((*window)->market_first_day, Day("2019-01-01"));
  InputReadInfo info;
  auto market = internal::ReadMarketWindow(lake, **window, &info);
  ASSERT_TRUE(market.ok()) << market.status().ToString();
  // One file per month; NEW takes the window to the table's start, and the
  // windows start on the 1st of a month, so no file is read twice. The first
  // window is 2020-04 .. 2021-06 (15 files); the first extension, 2019-03 ..
  // 2020-03, is read for HALT and BAD; then only NEW is short, and the
  // symbol dictionaries of 2019-01 and 2019-02 show it is not there.
  EXPECT_EQ(info.files_total, 30);
  EXPECT_EQ(info.files_read, 28);
  EXPECT_EQ(info.files_skipped_by_symbol, 2);
  // HALT, NEW and BAD are short in the first window; NEW sends it to the table's start.
  EXPECT_EQ(market->short_symbols, 3);
  EXPECT_GT(market->extensions, 0);
  EXPECT_FALSE(market->first_day.has_value());
  // Only the short symbols' rows are kept from before the first window.
  int32_t first_window = FirstWindowDay(Day("2021-06-01"));
  const auto& dates = market->rows.columns[0].As<int32_t>();
  const auto& symbols = market->rows.columns[1].As<std::string>();
  for (size_t i = 0; i < market->rows.num_rows; ++i) {
    if (dates[i] < first_window) {
      EXPECT_NE(symbols[i], "FULL") << FormatDate(dates[i]);
    }
  }
  EXPECT_LT(market->rows.num_rows, info.rows_total);
}

TEST(InputWindowTest, AShortSymbolWithRowsInOneOldFileReadsOnlyThatFile) {
  const Inputs inputs = RareInputs();
  Lake full = LakeOf("window-rare-full", inputs);
  RunSpec(full, "all");
  ExpectSameAs(full, LakeOf("window-rare", inputs), "latest", {"2021-06"});

  Lake lake = LakeOf("window-rare-read", inputs);
  auto window = internal::PlanInputWindow(lake, "latest");
  ASSERT_TRUE(window.ok() && window->has_value());
  InputReadInfo info;
  auto market = internal::ReadMarketWindow(lake, **window, &info);
  ASSERT_TRUE(market.ok()) << market.status().ToString();
  EXPECT_EQ(market->short_symbols, 1);
  EXPECT_FALSE(market->first_day.has_value());  // to the table's start
  // The first window's 15 files, and of the 15 older ones only 2019-02.
  EXPECT_EQ(info.files_total, 30);
  EXPECT_EQ(info.files_read, 16);
  EXPECT_EQ(info.files_skipped_by_symbol, 14);
  size_t rare_2019 = 0;
  const auto& dates = market->rows.columns[0].As<int32_t>();
  const auto& symbols = market->rows.columns[1].As<std::string>();
  for (size_t i = 0; i < market->rows.num_rows; ++i) {
    if (dates[i] < Day("2020-01-01")) {
      EXPECT_EQ(symbols[i], "RARE");
      EXPECT_EQ(YearMonthOf(dates[i]), "2019-02");
      ++rare_2019;
    }
  }
  EXPECT_EQ(rare_2019, 20u);  // the weekdays of 2019-02
}

// Files without symbol dictionaries (written PLAIN): min/max statistics
// still rule a symbol out; where they cannot, every older file is read, with
// the same result.
TEST(InputWindowTest, FilesWithoutSymbolDictionariesAreRuledOutOnlyByStatistics) {
  parquet::WriterOptions plain;
  plain.dictionary_enabled = false;
  for (bool zed : {false, true}) {
    const Inputs inputs = RareInputs(zed);
    const std::string tag = zed ? "window-plain-zed" : "window-plain";
    Lake full = LakeOf(tag + "-full", inputs, plain);
    RunSpec(full, "all");
    ExpectSameAs(full, LakeOf(tag, inputs, plain), "latest", {"2021-06"});

    Lake lake = LakeOf(tag + "-read", inputs, plain);
    auto window = internal::PlanInputWindow(lake, "latest");
    ASSERT_TRUE(window.ok() && window->has_value());
    InputReadInfo info;
    auto market = internal::ReadMarketWindow(lake, **window, &info);
    ASSERT_TRUE(market.ok()) << market.status().ToString();
    // Without ZED an older file's symbols are FULL .. FULL (2019-02: FULL ..
    // RARE); with it FULL .. ZED, which holds RARE: nothing is ruled out.
    EXPECT_EQ(info.files_read, zed ? 30 : 16) << tag;
    EXPECT_EQ(info.files_skipped_by_symbol, zed ? 0 : 14) << tag;
  }
}

TEST(InputWindowTest, WithoutShortSymbolsTheOlderFilesAreSkipped) {
  Lake lake = LakeWithInputs("window-skip", /*short_symbols=*/false);
  auto window = internal::PlanInputWindow(lake, "latest");
  ASSERT_TRUE(window.ok() && window->has_value());
  InputReadInfo info;
  auto market = internal::ReadMarketWindow(lake, **window, &info);
  ASSERT_TRUE(market.ok()) << market.status().ToString();
  EXPECT_EQ(market->extensions, 0);
  EXPECT_EQ(market->first_day, FirstWindowDay(Day("2021-06-01")));  // 2020-04-01
  EXPECT_EQ(info.files_total, 30);
  EXPECT_EQ(info.files_read, 15);  // 2020-04 .. 2021-06
  EXPECT_EQ(info.rows_total, static_cast<int64_t>(MakeInputs(false).market.num_rows));
  EXPECT_LT(market->rows.num_rows, static_cast<size_t>(info.rows_total));
}

TEST(InputWindowTest, AllMonthsPlanFromTheTableStart) {
  Lake lake = LakeWithInputs("window-all");
  auto window = internal::PlanInputWindow(lake, "all");
  ASSERT_TRUE(window.ok());
  ASSERT_TRUE(window->has_value());
  EXPECT_EQ((*window)->first_target_day, Day("2019-01-01"));
  // The whole table, read as a full read reads it.
  InputReadInfo info;
  auto market = internal::ReadMarketWindow(lake, **window, &info);
  ASSERT_TRUE(market.ok()) << market.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(market->rows.num_rows), info.rows_total);
  EXPECT_EQ(info.files_read, info.files_total);
}

TEST(InputWindowTest, AMonthWithoutDataIsReportedAsByAFullRead) {
  Lake lake = LakeWithInputs("window-none");
  TestLog log;
  JobRequest req;
  req.months_spec = "2030-01";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("data exists for 2019-01..2021-06"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rs::job
