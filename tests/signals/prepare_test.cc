#include <gtest/gtest.h>

#include "signals/months.h"
#include "signals/ranking.h"
#include "signals_test_util.h"

namespace rs::signals {
namespace {

using testing::Col;
using testing::Day;
using testing::Market;
using testing::MarketRow;

TEST(PrepareTest, WrongColumnTypeNamesTableColumnAndTypes) {
  RecordBatch market = Market({{Day("2024-03-05"), "AAPL", 10}});
  market.schema[2].type = DataType::Primitive(TypeId::kString);
  market.columns[2] = Col("close", TypeId::kString);
  market.columns[2].As<std::string>().push_back("10");
  auto r = Prepare(market, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "market_daily: column 'close' has type string, expected double");
}

TEST(PrepareTest, MissingColumnIsAnError) {
  RecordBatch market = Market({{Day("2024-03-05"), "AAPL", 10}});
  market.schema.pop_back();
  market.columns.pop_back();
  auto r = Prepare(market, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "market_daily: missing column 'volume' (expected double or long)");
}

TEST(PrepareTest, FinanceColumnsAreChecked) {
  RecordBatch market = Market({{Day("2024-03-05"), "AAPL", 10}});
  RecordBatch finance = testing::Finance({});
  finance.schema[2].name = "pe";
  finance.columns[2].field.name = "pe";
  auto r = Prepare(market, &finance, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "finance_daily: missing column 'pe_ratio' (expected double)");
}

TEST(PrepareTest, DuplicateMarketRowNamesSymbolAndDate) {
  RecordBatch market = Market({{Day("2024-03-04"), "AAPL", 10},
                               {Day("2024-03-05"), "AAPL", 11},
                               {Day("2024-03-05"), "MSFT", 11},
                               {Day("2024-03-05"), "AAPL", -1}});  // invalid rows count too
  auto r = Prepare(market, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "market_daily: duplicate row for symbol AAPL on 2024-03-05; the input must have one "
            "row per (symbol, date): fix the upstream table");
}

TEST(PrepareTest, DuplicateFinanceRowIsAnErrorEvenForUnknownSymbols) {
  RecordBatch market = Market({{Day("2024-03-04"), "AAPL", 10}});
  RecordBatch finance = testing::Finance(
      {{Day("2024-02-01"), "ZZZ", 3}, {Day("2024-02-01"), "ZZZ", 4}, {Day("2024-02-01"), "AAPL", 4}});
  auto r = Prepare(market, &finance, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("finance_daily: duplicate row for symbol ZZZ on 2024-02-01", 0),
            0u)
      << r.status().message();
}

TEST(PrepareTest, CountsInvalidRowsAndBuildsMonths) {
  std::vector<MarketRow> rows = {
      {Day("2024-01-31"), "A", 10},  {Day("2024-02-01"), "A", 0},
      {Day("2024-02-02"), "A", std::numeric_limits<double>::infinity()},
      {Day("2024-02-05"), "A", 10, -1}, {Day("2024-02-06"), "A", 10, 0, true},
      {Day("2024-04-02"), "B", 10},  {Day("2024-05-02"), "", 10}};
  RecordBatch market = Market(rows);
  PrepareStats stats;
  auto r = Prepare(market, nullptr, &stats);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(stats.market_rows, 7);
  EXPECT_EQ(stats.market_invalid_rows, 5);  // four bad values and an empty symbol
  EXPECT_EQ(stats.symbols, 2);
  EXPECT_EQ(AvailableMonths(*r), (std::vector<std::string>{"2024-01", "2024-04"}));
}

TEST(PrepareTest, LongVolumeIsAccepted) {
  RecordBatch market = Market({{Day("2024-03-04"), "A", 10}, {Day("2024-03-05"), "A", 11}});
  market.schema[3].type = DataType::Primitive(TypeId::kLong);
  market.columns[3] = Col("volume", TypeId::kLong);
  market.columns[3].As<int64_t>() = {5, -5};
  PrepareStats stats;
  auto r = Prepare(market, nullptr, &stats);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(stats.market_invalid_rows, 1);
}

}  // namespace
}  // namespace rs::signals
