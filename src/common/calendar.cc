#include "common/calendar.h"

#include <fmt/format.h>

namespace rs {
namespace {

// The value of `text` when it is exactly `width` ASCII digits.
bool Digits(std::string_view text, size_t width, int* value) {
  if (text.size() != width) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

Result<YearMonth> YearMonth::Parse(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !Digits(text.substr(0, 4), 4, &year) ||
      !Digits(text.substr(5, 2), 2, &month) || year < kMinYear || month < 1 || month > 12) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a month: expected YYYY-MM from 0001-01 to 9999-12", text));
  }
  return YearMonth(year, static_cast<unsigned>(month));
}

YearMonth YearMonth::OfDay(int32_t days_since_epoch) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days_since_epoch, &y, &m, &d);
  return YearMonth(static_cast<int>(y), m);
}

YearMonth YearMonth::FromKey(int32_t key) {
  int32_t year = key >= 0 ? key / 12 : (key - 11) / 12;
  return YearMonth(year, static_cast<unsigned>(key - year * 12 + 1));
}

int32_t YearMonth::FirstDay() const {
  return static_cast<int32_t>(DaysFromCivil(year_, month_, 1));
}

int32_t YearMonth::LastDay() const { return Next().FirstDay() - 1; }

std::string YearMonth::ToString() const { return fmt::format("{:04d}-{:02d}", year_, month_); }

Result<int32_t> DaysFromDate(int year, unsigned month, unsigned day) {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return Status::InvalidArgument(
        fmt::format("{:04d}-{:02d}-{:02d} is not a date from 0001-01-01 to 9999-12-31", year,
                    month, day));
  }
  return static_cast<int32_t>(DaysFromCivil(year, month, day));
}

Result<int32_t> ParseDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
               Digits(text.substr(0, 4), 4, &year) && Digits(text.substr(5, 2), 2, &month) &&
               Digits(text.substr(8, 2), 2, &day);
  auto days = shape ? DaysFromDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day))
                    : Result<int32_t>(Status::InvalidArgument(""));
  if (!days.ok()) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a date: expected YYYY-MM-DD from 0001-01-01 to 9999-12-31", text));
  }
  return days;
}

std::string FormatDate(int32_t days_since_epoch) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days_since_epoch, &y, &m, &d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

std::string YearMonthOf(int32_t days_since_epoch) {
  return YearMonth::OfDay(days_since_epoch).ToString();
}

}  // namespace rs
