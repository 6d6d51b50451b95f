// PrimaryKeyOrder (src/postgres/month_swap.cc): the order the staging COPY
// sends a month's rows in, by packed integer keys or, for keys too wide to
// pack, by comparing the values.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "postgres/month_swap_internal.h"
#include "postgres/signal_batches.h"

namespace rs::postgres::internal {
namespace {

using rs::postgres::testing::EmptyBatch;

// A batch of `rows` random keys: dates first_date + [0, dates), symbols and
// strategies drawn from the given names (with repeats).
RecordBatch RandomKeys(size_t rows, int32_t first_date, int32_t dates,
                       const std::vector<std::string>& symbols,
                       const std::vector<std::string>& strategies, uint32_t seed) {
  RecordBatch b = EmptyBatch(strategies.empty() ? CompositeSchema() : SignalsSchema());
  std::mt19937 rng(seed);
  for (size_t i = 0; i < rows; ++i) {
    b.columns[0].As<int32_t>().push_back(first_date + static_cast<int32_t>(rng() % dates));
    b.columns[2].As<std::string>().push_back(symbols[rng() % symbols.size()]);
    if (!strategies.empty()) {
      b.columns[3].As<std::string>().push_back(strategies[rng() % strategies.size()]);
    }
  }
  b.num_rows = rows;
  return b;
}

// The reference: a stable sort comparing the values, so equal keys keep
// their row order (as the packed keys, which end in the row, do).
std::vector<uint32_t> ComparedOrder(const RecordBatch& b) {
  const auto& date = b.columns[0].As<int32_t>();
  const auto& symbol = b.columns[2].As<std::string>();
  const bool has_strategy = b.schema.size() == SignalsSchema().size();
  std::vector<uint32_t> order(b.num_rows);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    if (date[x] != date[y]) return date[x] < date[y];
    if (symbol[x] != symbol[y]) return symbol[x] < symbol[y];
    return has_strategy && b.columns[3].As<std::string>()[x] < b.columns[3].As<std::string>()[y];
  });
  return order;
}

// Byte order, not a locale's: upper before lower case, a prefix before its
// extensions, UTF-8 after ASCII.
const std::vector<std::string> kSymbols = {
    "b", "B", "AB", "A", "ABC", "Z9", "\xC3\x84PFEL", "", "SYM00042", "SYM0004"};

TEST(PrimaryKeyOrderTest, PackedKeysGiveTheComparedOrderInByteOrder) {
  RecordBatch b = RandomKeys(5000, 19800, 31, kSymbols, {"Value", "Trend", "Low_Vol"}, 1);
  std::vector<uint32_t> order = PrimaryKeyOrder(b);
  ASSERT_EQ(order.size(), b.num_rows);
  EXPECT_EQ(order, ComparedOrder(b));
}

TEST(PrimaryKeyOrderTest, CompositeRowsWithoutStrategyAndNegativeDates) {
  RecordBatch b = RandomKeys(3000, -400, 31, kSymbols, {}, 2);
  std::vector<uint32_t> order = PrimaryKeyOrder(b);
  ASSERT_EQ(order.size(), b.num_rows);
  EXPECT_EQ(order, ComparedOrder(b));
}

TEST(PrimaryKeyOrderTest, KeysTooWideToPackAreSortedByComparison) {
  // 32 bits of dates, 12 of symbols, 12 of strategies and 12 of rows: 68 > 64.
  std::vector<std::string> names;
  for (int i = 0; i < 4096; ++i) names.push_back("N" + std::to_string(i * 7919 % 4096));
  RecordBatch b = RandomKeys(4096, 0, 1, names, names, 3);
  b.columns[0].As<int32_t>()[17] = std::numeric_limits<int32_t>::min();
  b.columns[0].As<int32_t>()[99] = std::numeric_limits<int32_t>::max();
  std::vector<uint32_t> order = PrimaryKeyOrder(b);
  ASSERT_EQ(order.size(), b.num_rows);
  EXPECT_EQ(order.front(), 17u);
  EXPECT_EQ(order.back(), 99u);
  const auto& date = b.columns[0].As<int32_t>();
  const auto& symbol = b.columns[2].As<std::string>();
  const auto& strategy = b.columns[3].As<std::string>();
  for (size_t i = 1; i < order.size(); ++i) {
    uint32_t x = order[i - 1], y = order[i];
    ASSERT_LE(std::tie(date[x], symbol[x], strategy[x]), std::tie(date[y], symbol[y], strategy[y]))
        << i;
  }
}

TEST(PrimaryKeyOrderTest, RowsAlreadyInKeyOrderNeedNoOrder) {
  RecordBatch b = RandomKeys(2000, 19800, 20, kSymbols, {"S1", "S2"}, 4);
  std::vector<uint32_t> order = PrimaryKeyOrder(b);
  RecordBatch sorted = EmptyBatch(SignalsSchema());
  for (uint32_t row : order) {
    sorted.columns[0].As<int32_t>().push_back(b.columns[0].As<int32_t>()[row]);
    sorted.columns[2].As<std::string>().push_back(b.columns[2].As<std::string>()[row]);
    sorted.columns[3].As<std::string>().push_back(b.columns[3].As<std::string>()[row]);
  }
  sorted.num_rows = order.size();
  EXPECT_TRUE(PrimaryKeyOrder(sorted).empty());
  EXPECT_TRUE(PrimaryKeyOrder(EmptyBatch(SignalsSchema())).empty());
}

}  // namespace
}  // namespace rs::postgres::internal
