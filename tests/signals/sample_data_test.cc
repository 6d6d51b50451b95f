#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_data.h"

namespace rs::signals {
namespace {

SampleData Generate(int symbols, uint64_t seed) {
  SampleOptions opt;
  opt.symbols = symbols;
  opt.seed = seed;
  auto r = GenerateSampleData(opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

TEST(SampleDataTest, SameOptionsGiveTheSameDataAndOtherSeedsDiffer) {
  SampleData a = Generate(30, 1);
  SampleData b = Generate(30, 1);
  SampleData c = Generate(30, 2);
  // Bitwise: the data holds NaN closes on purpose.
  const auto& ca = a.market_daily.columns[2].As<double>();
  const auto& cb = b.market_daily.columns[2].As<double>();
  ASSERT_EQ(ca.size(), cb.size());
  EXPECT_EQ(std::memcmp(ca.data(), cb.data(), ca.size() * sizeof(double)), 0);
  EXPECT_EQ(a.market_daily.columns[1].As<std::string>(), b.market_daily.columns[1].As<std::string>());
  EXPECT_EQ(a.finance_daily.columns[2].validity, b.finance_daily.columns[2].validity);
  EXPECT_NE(a.market_daily.columns[2].As<double>(), c.market_daily.columns[2].As<double>());
}

TEST(SampleDataTest, ContainsTheCasesTheEngineMustHandle) {
  SampleData d = Generate(50, 42);
  PrepareStats stats;
  auto in = Prepare(d.market_daily, &d.finance_daily, &stats);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(stats.symbols, 50);
  EXPECT_GT(stats.market_invalid_rows, 0);
  EXPECT_EQ(AvailableMonths(*in).front(), "2023-01");
  EXPECT_EQ(AvailableMonths(*in).back(), "2024-12");

  const auto& pe = d.finance_daily.columns[2];
  int negative = 0, zero = 0, null = 0, nan = 0;
  for (size_t r = 0; r < d.finance_daily.num_rows; ++r) {
    if (!pe.IsValid(r)) ++null;
    else if (std::isnan(pe.As<double>()[r])) ++nan;
    else if (pe.As<double>()[r] < 0) ++negative;
    else if (pe.As<double>()[r] == 0) ++zero;
  }
  EXPECT_GT(negative, 0);
  EXPECT_GT(zero, 0);
  EXPECT_GT(null + nan, 0);

  // Late listings: some symbols start well after the first trading day.
  std::map<std::string, int32_t> first_day;
  for (size_t r = 0; r < d.market_daily.num_rows; ++r) {
    const auto& s = d.market_daily.columns[1].As<std::string>()[r];
    int32_t day = d.market_daily.columns[0].As<int32_t>()[r];
    if (!first_day.count(s) || day < first_day[s]) first_day[s] = day;
  }
  int late = 0;
  for (const auto& [s, day] : first_day) late += day > 19358 + 30 ? 1 : 0;
  EXPECT_GT(late, 0);

  // Twins tie on every score: some cross-section has equal neighbouring scores.
  auto ranked = RankMonth(*in, "2024-06", EngineOptions{});
  ASSERT_TRUE(ranked.ok());
  const auto& score = ranked->columns[5].As<double>();
  int ties = 0;
  for (size_t r = 1; r < score.size(); ++r) ties += score[r] == score[r - 1] ? 1 : 0;
  EXPECT_GT(ties, 0);
}

TEST(SampleDataTest, BadOptionsAreRejected) {
  SampleOptions opt;
  opt.symbols = 0;
  EXPECT_EQ(GenerateSampleData(opt).status().message(),
            "sample data: symbols is 0, it must be at least 1");
}

}  // namespace
}  // namespace rs::signals
