// The one calendar of the program: every month from 0001-01 to 9999-12
// parses, formats and converts back; nothing else parses.
#include "common/calendar.h"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(YearMonthTest, EveryMonthFrom0001To9999RoundTrips) {
  int32_t previous_last_day = YearMonth::FromKey(12).FirstDay() - 1;  // 0000-12-31
  for (int32_t key = 12; key <= 9999 * 12 + 11; ++key) {
    YearMonth m = YearMonth::FromKey(key);
    std::string text = m.ToString();
    auto parsed = YearMonth::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(*parsed, m) << text;
    ASSERT_EQ(parsed->Key(), key);
    ASSERT_EQ(m.FirstDay(), previous_last_day + 1) << text;  // months tile the calendar
    ASSERT_EQ(YearMonth::OfDay(m.FirstDay()), m) << text;
    ASSERT_EQ(YearMonth::OfDay(m.LastDay()), m) << text;
    ASSERT_EQ(FormatDate(m.FirstDay()), text + "-01");
    ASSERT_EQ(YearMonthOf(m.LastDay()), text);
    previous_last_day = m.LastDay();
  }
  EXPECT_EQ(YearMonth::Parse("9999-12")->LastDay(), *ParseDate("9999-12-31"));
  EXPECT_EQ(YearMonth::Parse("1970-01")->FirstDay(), 0);
}

// Issue 22, item 3: a month pattern accepted only years 1000-2999.
TEST(YearMonthTest, Issue22YearsOutside1000To2999AreMonthsToo) {
  for (const char* text : {"0001-01", "0500-06", "9997-03", "9999-12"}) {
    auto m = YearMonth::Parse(text);
    ASSERT_TRUE(m.ok()) << text;
    EXPECT_EQ(m->ToString(), text);
  }
}

TEST(YearMonthTest, AnythingButStrictYyyyMmIsRefusedQuotingTheText) {
  for (const char* text : {"", "2024-13", "2024-00", "0000-01", "2024-1", "24-01", "2024/01",
                           " 2024-01", "2024-01 ", "+024-01", "2024-01-01", "２０２４-01",
                           "2024-0a", "10000-01"}) {
    auto m = YearMonth::Parse(text);
    EXPECT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().message(),
              std::string("'") + text + "' is not a month: expected YYYY-MM from 0001-01 to 9999-12");
  }
}

TEST(ParseDateTest, RealDatesOnlyFrom0001To9999) {
  EXPECT_EQ(*ParseDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseDate("2024-02-29"), 19782);
  EXPECT_EQ(FormatDate(*ParseDate("0001-01-01")), "0001-01-01");
  for (const char* text : {"2023-02-29", "1900-02-29", "2024-04-31", "0000-12-31", "2024-1-01",
                           "2024-01-1", "2024-01-01T", "2024_01_01", "10000-01-01"}) {
    auto d = ParseDate(text);
    EXPECT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().message(), std::string("'") + text +
                                        "' is not a date: expected YYYY-MM-DD from 0001-01-01 "
                                        "to 9999-12-31");
  }
  EXPECT_EQ(*DaysFromDate(2000, 2, 29), 11016);
  EXPECT_FALSE(DaysFromDate(2100, 2, 29).ok());
}

TEST(CivilDaysTest, WideRangeRoundTripsForDeltaTimestamps) {
  for (int64_t days : {int64_t{-106000000}, int64_t{-719468}, int64_t{-1}, int64_t{0},
                       int64_t{2932896}, int64_t{105000000}}) {
    int64_t y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(days, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
}

}  // namespace
}  // namespace rs
