#include <gtest/gtest.h>

#include "signals/ranking.h"
#include "signals_test_util.h"

namespace rs::signals {
namespace {

using testing::Col;
using testing::Day;

struct Row {
  int32_t date;
  std::string strategy;
  std::string symbol;
  int64_t rank;
};

RecordBatch Rankings(const std::vector<Row>& rows, bool with_score = true) {
  auto date = Col("date", TypeId::kDate);
  auto strategy = Col("strategy", TypeId::kString);
  auto symbol = Col("symbol", TypeId::kString);
  auto rank = Col("rank", TypeId::kLong);
  auto score = Col("score", TypeId::kDouble);
  for (const Row& r : rows) {
    date.As<int32_t>().push_back(r.date);
    strategy.As<std::string>().push_back(r.strategy);
    symbol.As<std::string>().push_back(r.symbol);
    rank.As<int64_t>().push_back(r.rank);
    score.As<double>().push_back(r.rank * 0.25);
    score.validity.push_back(r.rank == 2 ? 0 : 1);
  }
  std::vector<ColumnVector> cols = {date, strategy, symbol, rank};
  if (with_score) cols.push_back(score);
  return testing::Batch(cols, rows.size());
}

const int32_t kDay = Day("2024-03-05");

DerivedSignals MaterializeOrDie(const RecordBatch& rankings, MaterializeOptions opt = {}) {
  auto r = Materialize(rankings, opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : DerivedSignals{};
}

struct Composite {
  double value;
  int present, hit, rank;
};

std::map<std::string, Composite> CompositeBySymbol(const RecordBatch& c) {
  std::map<std::string, Composite> out;
  for (size_t r = 0; r < c.num_rows; ++r) {
    out[c.columns[2].As<std::string>()[r]] = {
        c.columns[3].As<double>()[r], c.columns[4].As<int32_t>()[r],
        c.columns[5].As<int32_t>()[r], c.columns[6].As<int32_t>()[r]};
  }
  return out;
}

TEST(MaterializeTest, PercentilesAndSymbolCountsPerDateAndStrategy) {
  DerivedSignals out = MaterializeOrDie(Rankings({{kDay, "A", "Z", 3},
                                                  {kDay, "A", "X", 1},
                                                  {kDay, "A", "Y", 2},
                                                  {kDay, "B", "X", 1},
                                                  {kDay + 1, "A", "X", 1}}));
  const RecordBatch& s = out.ranking_signals;
  ASSERT_EQ(s.num_rows, 5u);
  std::vector<std::string> names;
  for (const Field& f : s.schema) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"date", "year_month", "symbol", "strategy", "rank",
                                             "rank_percentile", "n_symbols", "score"}));
  // Sorted by (date, strategy, rank).
  EXPECT_EQ(s.columns[2].As<std::string>(), (std::vector<std::string>{"X", "Y", "Z", "X", "X"}));
  EXPECT_EQ(s.columns[5].As<double>(), (std::vector<double>{1.0, 0.5, 0.0, 1.0, 1.0}));
  EXPECT_EQ(s.columns[6].As<int32_t>(), (std::vector<int32_t>{3, 3, 3, 1, 1}));
  EXPECT_EQ(s.columns[1].As<std::string>()[0], "2024-03");
  EXPECT_EQ(s.columns[7].As<double>()[0], 0.25);
  EXPECT_FALSE(s.columns[7].IsValid(1));  // a null score stays null
}

TEST(MaterializeTest, MissingScoreColumnGivesNullScores) {
  DerivedSignals out = MaterializeOrDie(Rankings({{kDay, "A", "X", 1}}, /*with_score=*/false));
  EXPECT_FALSE(out.ranking_signals.columns[7].IsValid(0));
}

TEST(MaterializeTest, EqualWeightsAverageThePercentilesOfThePresentStrategies) {
  // A ranks W X Y Z V (percentiles 1, .75, .5, .25, 0); B ranks Z Y X W.
  std::vector<Row> rows;
  std::vector<std::string> order = {"W", "X", "Y", "Z"};
  for (int k = 0; k < 4; ++k) {
    rows.push_back({kDay, "A", order[k], k + 1});
    rows.push_back({kDay, "B", order[3 - k], k + 1});
  }
  rows.push_back({kDay, "A", "V", 5});
  DerivedSignals out = MaterializeOrDie(Rankings(rows));
  auto c = CompositeBySymbol(out.composite_signals);
  double x_unrounded = ((1 - 1.0 / 4) + (1 - 2.0 / 3)) / 2;
  EXPECT_NEAR(c["X"].value, x_unrounded, 1e-12);
  EXPECT_EQ(c["W"].value, 0.5);
  EXPECT_EQ(c["V"].value, 0.0);
  EXPECT_EQ(c["V"].present, 1);
  EXPECT_EQ(c["W"].present, 2);
  EXPECT_EQ(c["V"].rank, 5);
}

TEST(MaterializeTest, CompositeTiesAfterRoundingShareADenseRank) {
  // Four symbols, A ranks them W X Y Z and B ranks Z Y X W: composites are
  // (1 + 0)/2, (2/3 + 1/3)/2, ... all 0.5 once rounded to 12 decimals.
  std::vector<Row> rows;
  std::vector<std::string> order = {"W", "X", "Y", "Z"};
  for (int k = 0; k < 4; ++k) {
    rows.push_back({kDay, "A", order[k], k + 1});
    rows.push_back({kDay, "B", order[3 - k], k + 1});
  }
  rows.push_back({kDay, "C", "W", 1});
  rows.push_back({kDay, "C", "Q", 2});
  DerivedSignals out = MaterializeOrDie(Rankings(rows));
  auto c = CompositeBySymbol(out.composite_signals);
  EXPECT_EQ(c["W"].value, 0.666666666667);  // 2/3 rounded to 12 decimals
  EXPECT_EQ(c["W"].rank, 1);
  for (const char* s : {"X", "Y", "Z"}) {
    EXPECT_EQ(c[s].value, 0.5) << s;
    EXPECT_EQ(c[s].rank, 2) << s;
  }
  EXPECT_EQ(c["Q"].rank, 3);  // dense: no gap after the three-way tie
  // Output sorted by (date, composite_rank, symbol).
  EXPECT_EQ(out.composite_signals.columns[2].As<std::string>(),
            (std::vector<std::string>{"W", "X", "Y", "Z", "Q"}));
}

TEST(MaterializeTest, UnequalWeightsAndTopNHits) {
  std::vector<Row> rows = {{kDay, "A", "X", 1}, {kDay, "A", "Y", 2}, {kDay, "A", "Z", 3},
                           {kDay, "B", "Y", 1}, {kDay, "B", "X", 2}, {kDay, "B", "Z", 3}};
  MaterializeOptions opt;
  opt.weights = {{"A", 3.0}, {"B", 1.0}, {"Unused", 7.0}};
  opt.top_n = 1;
  auto c = CompositeBySymbol(MaterializeOrDie(Rankings(rows), opt).composite_signals);
  EXPECT_EQ(c["X"].value, (3 * 1.0 + 1 * 0.5) / 4);
  EXPECT_EQ(c["Y"].value, (3 * 0.5 + 1 * 1.0) / 4);
  EXPECT_EQ(c["X"].hit, 1);
  EXPECT_EQ(c["Z"].hit, 0);
  EXPECT_EQ(c["X"].rank, 1);
  EXPECT_EQ(c["Y"].rank, 2);
  opt.top_n = 2;
  c = CompositeBySymbol(MaterializeOrDie(Rankings(rows), opt).composite_signals);
  EXPECT_EQ(c["X"].hit, 2);
  EXPECT_EQ(c["Y"].hit, 2);
}

TEST(MaterializeTest, ConfigurationErrorsArePinned) {
  RecordBatch rankings = Rankings({{kDay, "A", "X", 1}, {kDay, "B", "X", 1}});
  MaterializeOptions opt;
  opt.weights = {{"A", 1.0}};
  EXPECT_EQ(Materialize(rankings, opt).status().message(),
            "composite weights: strategy 'B' is present in rankings but has no weight in "
            "RANKING_COMPOSITE_STRATEGY_WEIGHTS; give every present strategy a weight");
  opt.weights = {{"A", 1.0}, {"B", -1.0}};
  EXPECT_EQ(Materialize(rankings, opt).status().message(),
            "composite weights: weight of strategy 'B' is -1: a weight must be a finite number "
            ">= 0");
  opt.weights = {{"A", 0.0}, {"B", 0.0}, {"C", 1.0}};
  EXPECT_EQ(Materialize(rankings, opt).status().message(),
            "composite weights: the weights of the strategies present sum to 0: the sum must be "
            "a finite number greater than 0");
  opt.weights = {};
  opt.top_n = 0;
  auto r = Materialize(rankings, opt);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "materialize: top_n (RANKING_SIGNALS_TOP_N) is 0, it must be at least 1");
}

TEST(MaterializeTest, BadRankingsAreErrors) {
  auto dup = Materialize(Rankings({{kDay, "A", "X", 1}, {kDay, "A", "X", 2}}), {});
  EXPECT_EQ(dup.status().message(),
            "rankings: duplicate row for strategy A, symbol X on 2024-03-05; rankings must have "
            "one row per (date, strategy, symbol)");
  auto range = Materialize(Rankings({{kDay, "A", "X", 1}, {kDay, "A", "Y", 3}}), {});
  EXPECT_EQ(range.status().message(),
            "rankings: rank 3 for strategy A, symbol Y on 2024-03-05 is outside 1..2 (the number "
            "of symbols ranked that day)");
  RecordBatch no_rank = Rankings({{kDay, "A", "X", 1}});
  no_rank.schema.erase(no_rank.schema.begin() + 3);
  no_rank.columns.erase(no_rank.columns.begin() + 3);
  EXPECT_EQ(Materialize(no_rank, {}).status().message(),
            "rankings: missing column 'rank' (expected integer or long)");
}

TEST(MaterializeTest, ManyDatesInParallelMatchOneThread) {
  std::vector<Row> rows;
  for (int d = 0; d < 40; ++d) {
    for (int s = 0; s < 7; ++s) {
      rows.push_back({kDay + d, "A", "S" + std::to_string(s), (s + d) % 7 + 1});
      if (s % 2 == 0) rows.push_back({kDay + d, "B", "S" + std::to_string(s), s / 2 + 1});
    }
  }
  MaterializeOptions one;
  one.threads = 1;
  MaterializeOptions many;
  many.threads = 4;
  DerivedSignals a = MaterializeOrDie(Rankings(rows), one);
  DerivedSignals b = MaterializeOrDie(Rankings(rows), many);
  EXPECT_EQ(a.composite_signals.columns[2].As<std::string>(),
            b.composite_signals.columns[2].As<std::string>());
  EXPECT_EQ(a.composite_signals.columns[3].As<double>(),
            b.composite_signals.columns[3].As<double>());
  EXPECT_EQ(a.composite_signals.columns[6].As<int32_t>(),
            b.composite_signals.columns[6].As<int32_t>());
  EXPECT_EQ(a.ranking_signals.columns[2].As<std::string>(),
            b.ranking_signals.columns[2].As<std::string>());
  EXPECT_EQ(a.ranking_signals.columns[5].As<double>(), b.ranking_signals.columns[5].As<double>());
}

TEST(ParseWeightsTest, ParsesObjectsOfNumbers) {
  auto w = ParseWeights(R"({"Momentum_60D": 2, "Value_PE": 0.5})");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->at("Momentum_60D"), 2.0);
  EXPECT_EQ(w->at("Value_PE"), 0.5);
  auto blank = ParseWeights("  ");
  ASSERT_TRUE(blank.ok());
  EXPECT_TRUE(blank->empty());
}

// The caller names the source (variable or config file); the message names
// the strategy and the rule.
TEST(ParseWeightsTest, ErrorsArePinned) {
  EXPECT_EQ(ParseWeights("{\"A\": }").status().message(),
            "invalid JSON '{\"A\": }'; expected an object such as {\"Momentum_60D\": 2, "
            "\"Value_PE\": 1}");
  EXPECT_EQ(ParseWeights("[1, 2]").status().message(),
            "expected a JSON object mapping strategy names to numbers, got array");
  EXPECT_EQ(ParseWeights(R"({"A": "2"})").status().message(),
            "weight of strategy 'A' is \"2\", expected a finite number >= 0");
  EXPECT_EQ(ParseWeights(R"({"A": 1, "B": -1})").status().message(),
            "weight of strategy 'B' is -1: a weight must be a finite number >= 0");
  EXPECT_EQ(ParseWeights(R"({"A": 0, "B": 0})").status().message(),
            "weights sum to 0: the sum must be a finite number greater than 0");
  EXPECT_EQ(ParseWeights("{}").status().code(), StatusCode::kInvalidArgument);
}

// Issue 22, item 6: two finite weights whose sum overflows made NaN and 0
// composites; a weight too large for a double (1e400) is not finite either.
TEST(ParseWeightsTest, Issue22WeightsWhoseSumOverflowsAreRefused) {
  EXPECT_EQ(ParseWeights(R"({"A": 1e308, "B": 1e308})").status().message(),
            "weights sum to inf: the sum must be a finite number greater than 0");
  EXPECT_EQ(ParseWeights(R"({"A": 1e400})").status().code(), StatusCode::kInvalidArgument);
  auto fine = ParseWeights(R"({"A": 1e308, "B": 0})");
  EXPECT_TRUE(fine.ok()) << fine.status().ToString();
}

}  // namespace
}  // namespace rs::signals
