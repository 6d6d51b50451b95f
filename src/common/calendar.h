// The calendar of the whole program: dates as days since 1970-01-01 (Delta
// and Parquet DATE) and months as YearMonth, each with one strict parser.
// Parsed and formatted years run from 0001 to 9999, the range of a four-digit
// year. The arithmetic is the proleptic Gregorian calendar over int64 days
// (Howard Hinnant's published days_from_civil / civil_from_days), which also
// serves Delta's timestamps to +-290,000 years, beyond C++20 <chrono>'s
// +-32,767 (docs/dependencies.md).
//
// Thread-safety: values and pure functions.
#ifndef RS_COMMON_CALENDAR_H_
#define RS_COMMON_CALENDAR_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rs {

inline constexpr int kMinYear = 1;
inline constexpr int kMaxYear = 9999;

// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31). No
// range check: callers bound the year and check the day exists.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// The inverse: the civil date of `days` since 1970-01-01.
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

// A calendar month, "YYYY-MM" as text (the year_month partition value).
class YearMonth {
 public:
  // Strictly "YYYY-MM": four digits, '-', two digits, year 0001-9999, month
  // 01-12, nothing else (no sign, no spaces). InvalidArgument otherwise,
  // quoting the text.
  static Result<YearMonth> Parse(std::string_view text);
  // The month of a date (days since 1970-01-01).
  static YearMonth OfDay(int32_t days_since_epoch);
  // The month of Key() == key.
  static YearMonth FromKey(int32_t key);

  YearMonth() = default;  // 1970-01
  int year() const { return year_; }
  unsigned month() const { return month_; }
  // year * 12 + month - 1: consecutive months differ by one.
  int32_t Key() const { return year_ * 12 + static_cast<int32_t>(month_) - 1; }
  YearMonth Next() const { return FromKey(Key() + 1); }
  // The first and last day of the month, in days since 1970-01-01.
  int32_t FirstDay() const;
  int32_t LastDay() const;
  // "YYYY-MM".
  std::string ToString() const;

  friend auto operator<=>(const YearMonth&, const YearMonth&) = default;

 private:
  YearMonth(int year, unsigned month) : year_(year), month_(month) {}
  int year_ = 1970;
  unsigned month_ = 1;
};

// Days since 1970-01-01 of a real date y-m-d; InvalidArgument for a day that
// does not exist (2023-02-29) or a year outside 0001-9999.
Result<int32_t> DaysFromDate(int year, unsigned month, unsigned day);

// Strictly "YYYY-MM-DD" (a real date, year 0001-9999) to days since
// 1970-01-01. InvalidArgument otherwise, quoting the text.
Result<int32_t> ParseDate(std::string_view text);

// "YYYY-MM-DD" of days since 1970-01-01.
std::string FormatDate(int32_t days_since_epoch);

// "YYYY-MM" of days since 1970-01-01 (YearMonth::OfDay(days).ToString()).
std::string YearMonthOf(int32_t days_since_epoch);

}  // namespace rs

#endif  // RS_COMMON_CALENDAR_H_
