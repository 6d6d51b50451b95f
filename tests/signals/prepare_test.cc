#include <gtest/gtest.h>

#include <limits>

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

// The overload that takes the rows frees their symbol column early and names
// a duplicate's symbol from its dictionary instead.
TEST(PrepareTest, TakingTheMarketRowsFreesTheSymbolColumnAndStillNamesDuplicates) {
  std::vector<MarketRow> rows = {{Day("2024-03-04"), "AAPL", 10},
                                 {Day("2024-03-05"), "MSFT", 11},
                                 {Day("2024-03-05"), "AAPL", 11},
                                 {Day("2024-03-05"), "AAPL", 12}};
  RecordBatch market = Market(rows);
  auto r = Prepare(std::move(market), nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "market_daily: duplicate row for symbol AAPL on 2024-03-05; the input must have one "
            "row per (symbol, date): fix the upstream table");

  rows.pop_back();
  RecordBatch kept = Market(rows), given = Market(rows);
  PrepareStats kept_stats, given_stats;
  auto a = Prepare(kept, nullptr, &kept_stats);
  auto b = Prepare(std::move(given), nullptr, &given_stats);
  ASSERT_TRUE(a.ok() && b.ok());
  // NOLINTNEXTLINE(bugprone-use-after-move): what Prepare left of the rows it took
  EXPECT_TRUE(given.columns[given.FindColumn("symbol")].As<std::string>().empty());
  EXPECT_EQ(kept.columns[kept.FindColumn("symbol")].As<std::string>().size(), 3u);
  EXPECT_EQ(given_stats.market_rows, kept_stats.market_rows);
  EXPECT_EQ(given_stats.symbols, kept_stats.symbols);
  EXPECT_EQ(AvailableMonths(*b), AvailableMonths(*a));
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

// Issue 10 (hostile input): a damaged date column (flipped bits in a Parquet
// page) gave dates millions of years away; month bookkeeping then sized a
// vector from garbage and aborted or corrupted the heap.
TEST(PrepareTest, Issue10DateOutsideTheDateRangeIsAnErrorNotACrash) {
  for (int32_t bad : {std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                      Day("9999-12-31") + 1, Day("0001-01-01") - 1}) {
    RecordBatch market = Market({{Day("2024-03-04"), "AAPL", 10}, {bad, "MSFT", 11}});
    auto r = Prepare(market, nullptr, nullptr);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "market_daily: column 'date' of symbol MSFT holds " + std::to_string(bad) +
                  " days from 1970-01-01, outside the DATE range 0001-01-01..9999-12-31; the "
                  "column is damaged or not a calendar date: fix the upstream table");
  }
  RecordBatch market = Market({{Day("2024-03-04"), "AAPL", 10}});
  RecordBatch finance = testing::Finance({{-800000, "AAPL", 3}});
  auto r = Prepare(market, &finance, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("finance_daily: column 'date' of symbol AAPL holds", 0), 0u)
      << r.status().message();
  EXPECT_NE(r.status().message().find(" holds -800000 days"), std::string::npos);
  // The extremes of the range are dates like any other.
  RecordBatch edges = Market({{Day("0001-01-01"), "A", 10}, {Day("9999-12-31"), "A", 11}});
  auto ok = Prepare(edges, nullptr, nullptr);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(AvailableMonths(*ok), (std::vector<std::string>{"0001-01", "9999-12"}));
}

// Issue 10: a symbol from a damaged file that is not UTF-8 reached the Delta
// writer, whose JSON stats threw, and the job aborted.
TEST(PrepareTest, Issue10SymbolThatIsNotUtf8IsAnErrorShowingItsBytes) {
  RecordBatch market = Market({{Day("2024-03-04"), "Z\xC3\xBCrich", 10},
                               {Day("2024-03-05"), "\xAC\x41\\", 11}});
  auto r = Prepare(market, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "market_daily: column 'symbol' holds \"\\xACA\\x5C\" on 2024-03-05, which is not "
            "UTF-8; the column is damaged or not text: fix the upstream table");
  RecordBatch finance = testing::Finance({{Day("2024-03-01"), "\xFF", 3}});
  auto f = Prepare(Market({{Day("2024-03-04"), "A", 10}}), &finance, nullptr);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(
      f.status().message().rfind("finance_daily: column 'symbol' holds \"\\xFF\" on 2024-03-01", 0),
      0u)
      << f.status().message();
}

// The printable-ASCII fast path of the symbol rules ends where they do:
// DEL (0x7F) is a control character, and 256 bytes pass where 257 do not.
TEST(PrepareTest, SymbolRulesHoldAtThePrintableAsciiBoundaries) {
  auto message = [](const std::string& symbol) {
    auto r = Prepare(Market({{Day("2024-03-04"), symbol, 10}}), nullptr, nullptr);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(message(std::string(256, '~')), "ok");
  EXPECT_EQ(message(" !A~"), "ok");
  EXPECT_NE(message(std::string(257, '~')).find("has 257 bytes (symbols may have at most 256"),
            std::string::npos);
  EXPECT_NE(message("AB\x7F").find("holds control character 0x7F at byte 2"), std::string::npos);
  EXPECT_NE(message("A\x1F").find("holds control character 0x1F at byte 1"), std::string::npos);
}

}  // namespace
}  // namespace rs::signals
