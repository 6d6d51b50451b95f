#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_data.h"
#include "signals_test_util.h"

namespace rs::signals {
namespace {

using testing::Append;
using testing::Day;
using testing::FinanceRow;
using testing::Index;
using testing::Market;
using testing::MarketRow;
using testing::Series;

// A non-linear close path so that windows differ from simple arithmetic.
double Close(int k) { return 100.0 + k + (k % 7) * 0.5 + (k % 3 == 0 ? 2.25 : 0.0); }

std::vector<double> Closes(int n) {
  std::vector<double> c;
  for (int k = 0; k < n; ++k) c.push_back(Close(k));
  return c;
}

RecordBatch RankOrDie(const PreparedInput& in, const std::string& month, int threads = 2) {
  auto r = RankMonth(in, month, EngineOptions{threads});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : RecordBatch{};
}

PreparedInput PrepareOrDie(const std::vector<MarketRow>& rows,
                           const std::vector<FinanceRow>* finance = nullptr) {
  RecordBatch market = Market(rows);
  RecordBatch fin = finance ? testing::Finance(*finance) : RecordBatch{};
  auto r = Prepare(market, finance ? &fin : nullptr, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

const int32_t kStart = Day("2024-01-01");

TEST(RankMonthTest, ScoresMatchHandComputedDefinitions) {
  PreparedInput in = PrepareOrDie(Series("A", kStart, Closes(300)));
  auto idx = Index(RankOrDie(in, "2024-10"));
  const int i = 280;
  const int32_t d = kStart + i;
  ASSERT_EQ(FormatDate(d), "2024-10-07");
  EXPECT_EQ(idx.at({d, "Momentum_60D", "A"}).score, Close(i) / Close(i - 60) - 1);
  EXPECT_EQ(idx.at({d, "Reversal_21D", "A"}).score, Close(i) / Close(i - 21) - 1);
  EXPECT_EQ(idx.at({d, "Momentum_12_1", "A"}).score, Close(i - 21) / Close(i - 252) - 1);

  double s50 = 0, s200 = 0;
  for (int k = i - 49; k <= i; ++k) s50 += Close(k);
  for (int k = i - 199; k <= i; ++k) s200 += Close(k);
  EXPECT_NEAR(idx.at({d, "Trend_50_200", "A"}).score, (s50 / 50) / (s200 / 200) - 1, 1e-13);

  double mean = 0, ss = 0;
  for (int k = i - 62; k <= i; ++k) mean += std::log(Close(k) / Close(k - 1)) / 63;
  for (int k = i - 62; k <= i; ++k) ss += std::pow(std::log(Close(k) / Close(k - 1)) - mean, 2);
  double expected_vol = std::sqrt(ss / 62) * std::sqrt(252.0);
  EXPECT_NEAR(idx.at({d, "LowVol_63D", "A"}).score, expected_vol, 1e-13 * expected_vol);
  EXPECT_EQ(idx.at({d, "Momentum_60D", "A"}).rank, 1);
}

TEST(RankMonthTest, StrategiesStartExactlyWhenTheirHistoryIsLongEnough) {
  PreparedInput in = PrepareOrDie(Series("A", kStart, Closes(300)));
  std::map<std::tuple<int32_t, std::string, std::string>, testing::RankedValue> idx;
  for (const char* m : {"2024-01", "2024-02", "2024-03", "2024-07", "2024-09"}) {
    auto part = Index(RankOrDie(in, m));
    idx.insert(part.begin(), part.end());
  }
  auto has = [&](int i, const char* s) { return idx.count({kStart + i, s, "A"}) == 1; };
  EXPECT_FALSE(has(20, "Reversal_21D"));
  EXPECT_TRUE(has(21, "Reversal_21D"));
  EXPECT_FALSE(has(59, "Momentum_60D"));
  EXPECT_TRUE(has(60, "Momentum_60D"));
  EXPECT_FALSE(has(62, "LowVol_63D"));
  EXPECT_TRUE(has(63, "LowVol_63D"));
  EXPECT_FALSE(has(198, "Trend_50_200"));
  EXPECT_TRUE(has(199, "Trend_50_200"));
  EXPECT_FALSE(has(251, "Momentum_12_1"));
  EXPECT_TRUE(has(252, "Momentum_12_1"));
}

TEST(RankMonthTest, TiesBreakBySymbolInByteOrderAndDirectionFollowsStrategy) {
  std::vector<MarketRow> rows;
  std::vector<double> flat = Closes(70);
  std::vector<double> steep = flat;
  steep.back() *= 1.5;
  Append(&rows, Series("b", kStart, flat));  // lower case sorts after upper case
  Append(&rows, Series("B", kStart, flat));
  Append(&rows, Series("A", kStart, flat));
  Append(&rows, Series("C", kStart, steep));
  PreparedInput in = PrepareOrDie(rows);
  auto idx = Index(RankOrDie(in, "2024-03"));
  int32_t d = kStart + 69;
  EXPECT_EQ(idx.at({d, "Momentum_60D", "C"}).rank, 1);  // higher is better
  EXPECT_EQ(idx.at({d, "Momentum_60D", "A"}).rank, 2);
  EXPECT_EQ(idx.at({d, "Momentum_60D", "B"}).rank, 3);
  EXPECT_EQ(idx.at({d, "Momentum_60D", "b"}).rank, 4);
  EXPECT_EQ(idx.at({d, "Reversal_21D", "A"}).rank, 1);  // lower is better
  EXPECT_EQ(idx.at({d, "Reversal_21D", "B"}).rank, 2);
  EXPECT_EQ(idx.at({d, "Reversal_21D", "b"}).rank, 3);
  EXPECT_EQ(idx.at({d, "Reversal_21D", "C"}).rank, 4);
}

// Cross-sections of hundreds of symbols take the radix-sort path; scores tie
// in groups, and symbol names of mixed lengths make byte order differ from
// insertion and numeric order.
TEST(RankMonthTest, LargeCrossSectionsRankByScoreThenSymbolInEveryDirection) {
  std::vector<MarketRow> rows;
  const int kSymbols = 600;
  for (int s = 0; s < kSymbols; ++s) {
    std::vector<double> closes = Closes(70);
    // Five last-day moves shared by many symbols: ties in every strategy that
    // looks at the last close; some down, some flat, some up.
    closes.back() *= 0.8 + 0.1 * (s % 5);
    Append(&rows, Series((s % 3 == 0 ? "s" : "S") + std::to_string(s * 7919 % 1000), kStart,
                         closes));
  }
  PreparedInput in = PrepareOrDie(rows);
  RecordBatch out = RankOrDie(in, "2024-03");
  const auto& date = out.columns[0].As<int32_t>();
  const auto& strategy = out.columns[2].As<std::string>();
  const auto& symbol = out.columns[3].As<std::string>();
  const auto& rank = out.columns[4].As<int32_t>();
  const auto& score = out.columns[5].As<double>();
  const std::vector<std::string>& names = StrategyNames();
  const bool kHigherBetter[] = {false, true, true, false, true, false};  // in name order
  size_t checked = 0;
  for (size_t r = 1; r < out.num_rows; ++r) {
    if (date[r] != date[r - 1] || strategy[r] != strategy[r - 1]) {
      ASSERT_EQ(rank[r], 1);
      continue;
    }
    size_t k = std::find(names.begin(), names.end(), strategy[r]) - names.begin();
    ASSERT_LT(k, names.size());
    ASSERT_EQ(rank[r], rank[r - 1] + 1);
    bool better = kHigherBetter[k] ? score[r - 1] > score[r] : score[r - 1] < score[r];
    ASSERT_TRUE(better || (score[r - 1] == score[r] && symbol[r - 1] < symbol[r]))
        << strategy[r] << " on " << FormatDate(date[r]) << ": " << symbol[r - 1] << " ("
        << score[r - 1] << ") ranked before " << symbol[r] << " (" << score[r] << ")";
    ++checked;
  }
  EXPECT_GT(checked, 10u * kSymbols);
}

TEST(RankMonthTest, OutputIsSortedByDateStrategyRankWithCanonicalSchema) {
  std::vector<MarketRow> rows;
  Append(&rows, Series("X", kStart, Closes(100)));
  Append(&rows, Series("Y", kStart + 3, Closes(97)));
  PreparedInput in = PrepareOrDie(rows);
  RecordBatch out = RankOrDie(in, "2024-03");
  ASSERT_EQ(out.schema.size(), 6u);
  EXPECT_EQ(out.schema[4].name, "rank");
  EXPECT_EQ(out.schema[4].type.id, TypeId::kInteger);
  ASSERT_GT(out.num_rows, 0u);
  for (size_t r = 1; r < out.num_rows; ++r) {
    auto key = [&](size_t k) {
      return std::make_tuple(out.columns[0].As<int32_t>()[k], out.columns[2].As<std::string>()[k],
                             out.columns[4].As<int32_t>()[k]);
    };
    EXPECT_LT(key(r - 1), key(r));
    EXPECT_EQ(out.columns[1].As<std::string>()[r], "2024-03");
  }
}

TEST(RankMonthTest, InvalidRowsAreDroppedBeforeIndexingTheSeries) {
  std::vector<MarketRow> rows = Series("A", kStart, Closes(23));
  rows[5].close = -1;       // invalid: close <= 0
  rows[6].volume = -1;      // invalid: negative volume
  rows[7].close_null = true;
  PreparedInput in = PrepareOrDie(rows);
  auto idx = Index(RankOrDie(in, "2024-01"));
  // 20 valid rows: the last is i = 19, too short for Reversal_21D.
  EXPECT_EQ(idx.count({kStart + 22, "Reversal_21D", "A"}), 0u);

  std::vector<MarketRow> longer = Series("A", kStart, Closes(25));
  longer[5].close = std::nan("");
  PreparedInput in2 = PrepareOrDie(longer);
  auto idx2 = Index(RankOrDie(in2, "2024-01"));
  // 24 valid rows; the last (day 24) is i = 23 and looks back to i = 2 = day 2.
  EXPECT_EQ(idx2.at({kStart + 24, "Reversal_21D", "A"}).score, Close(24) / Close(2) - 1);
  EXPECT_EQ(idx2.count({kStart + 5, "Value_PE", "A"}), 0u);
}

TEST(RankMonthTest, ValuePeUsesTheLatestFinanceRowOnOrBeforeTheDate) {
  std::vector<MarketRow> rows = Series("A", kStart, Closes(10));
  Append(&rows, Series("B", kStart, Closes(10)));
  std::vector<FinanceRow> fin = {
      {kStart + 2, "A", 15.0},
      {kStart + 5, "A", -3.0},                  // latest row not usable: hides the 15
      {kStart + 7, "A", 0.0, /*pe_null=*/true}, // null: also hides
      {kStart + 8, "A", 9.5},
      {kStart + 4, "B", 12.0},
      {kStart + 6, "B", std::nan("")},
      {kStart + 20, "B", 1.0},                  // no market row that day: never ranked
  };
  PreparedInput in = PrepareOrDie(rows, &fin);
  auto idx = Index(RankOrDie(in, "2024-01"));
  auto pe = [&](int day, const char* sym) -> double {
    auto it = idx.find({kStart + day, "Value_PE", sym});
    return it == idx.end() ? -1 : it->second.score;
  };
  EXPECT_EQ(pe(1, "A"), -1);  // nothing published yet
  EXPECT_EQ(pe(2, "A"), 15.0);  // published the same day
  EXPECT_EQ(pe(4, "A"), 15.0);
  EXPECT_EQ(pe(5, "A"), -1);
  EXPECT_EQ(pe(7, "A"), -1);
  EXPECT_EQ(pe(8, "A"), 9.5);
  EXPECT_EQ(pe(9, "A"), 9.5);
  EXPECT_EQ(pe(4, "B"), 12.0);
  EXPECT_EQ(pe(6, "B"), -1);
  EXPECT_EQ(idx.at({kStart + 4, "Value_PE", "A"}).rank, 2);  // 15 > 12: lower is better
  EXPECT_EQ(idx.at({kStart + 4, "Value_PE", "B"}).rank, 1);
}

TEST(RankMonthTest, WithoutFinanceValuePeRanksNothing) {
  PreparedInput in = PrepareOrDie(Series("A", kStart, Closes(40)));
  RecordBatch out = RankOrDie(in, "2024-02");
  for (size_t r = 0; r < out.num_rows; ++r) {
    EXPECT_NE(out.columns[2].As<std::string>()[r], "Value_PE");
  }
}

TEST(RankMonthTest, MonthWithoutDataIsEmptyAndBadMonthIsAnError) {
  PreparedInput in = PrepareOrDie(Series("A", kStart, Closes(40)));
  EXPECT_EQ(RankOrDie(in, "2023-05").num_rows, 0u);
  auto bad = RankMonth(in, "2024-13", EngineOptions{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "rank month '2024-13': not a month; expected YYYY-MM");
}

bool SameBatch(const RecordBatch& a, const RecordBatch& b) {
  if (a.num_rows != b.num_rows) return false;
  return a.columns[0].As<int32_t>() == b.columns[0].As<int32_t>() &&
         a.columns[2].As<std::string>() == b.columns[2].As<std::string>() &&
         a.columns[3].As<std::string>() == b.columns[3].As<std::string>() &&
         a.columns[4].As<int32_t>() == b.columns[4].As<int32_t>() &&
         a.columns[5].As<double>() == b.columns[5].As<double>();
}

TEST(RankMonthTest, MonthAloneEqualsMonthWithinTheFullHistoryForAnyThreadCount) {
  SampleOptions opt;
  opt.symbols = 40;
  opt.start_date = Day("2023-01-01");
  opt.end_date = Day("2024-06-30");
  auto sample = GenerateSampleData(opt);
  ASSERT_TRUE(sample.ok());
  auto full = Prepare(sample->market_daily, &sample->finance_daily, nullptr);
  ASSERT_TRUE(full.ok());
  for (const std::string month : {"2023-02", "2024-01", "2024-06"}) {
    // The same inputs cut after the month: nothing later may change the month.
    RecordBatch cut = sample->market_daily;
    std::vector<MarketRow> kept;
    for (size_t r = 0; r < cut.num_rows; ++r) {
      if (YearMonthOf(cut.columns[0].As<int32_t>()[r]) > month) continue;
      kept.push_back({cut.columns[0].As<int32_t>()[r], cut.columns[1].As<std::string>()[r],
                      cut.columns[2].As<double>()[r], cut.columns[3].As<double>()[r],
                      !cut.columns[2].IsValid(r)});
    }
    RecordBatch kept_batch = Market(kept);
    auto alone = Prepare(kept_batch, &sample->finance_daily, nullptr);
    ASSERT_TRUE(alone.ok());
    RecordBatch a = RankOrDie(*full, month, 1);
    RecordBatch b = RankOrDie(*alone, month, 3);
    EXPECT_GT(a.num_rows, 0u);
    EXPECT_TRUE(SameBatch(a, b)) << month;
  }
}

}  // namespace
}  // namespace rs::signals
