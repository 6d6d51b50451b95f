#include "common/calendar.h"

#include <fmt/format.h>

#include <chrono>

namespace rs {
namespace {

namespace chr = std::chrono;

chr::year_month_day Civil(int32_t days) {
  return chr::year_month_day{chr::sys_days{chr::days{days}}};
}

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

}  // namespace

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
  auto ymd = Civil(days_since_epoch);
  return YearMonth(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
}

YearMonth YearMonth::FromKey(int32_t key) {
  int32_t year = key >= 0 ? key / 12 : (key - 11) / 12;
  return YearMonth(year, static_cast<unsigned>(key - year * 12 + 1));
}

int32_t YearMonth::FirstDay() const {
  chr::year_month_day first{chr::year{year_}, chr::month{month_}, chr::day{1}};
  return static_cast<int32_t>(chr::sys_days{first}.time_since_epoch().count());
}

int32_t YearMonth::LastDay() const { return Next().FirstDay() - 1; }

std::string YearMonth::ToString() const { return fmt::format("{:04d}-{:02d}", year_, month_); }

Result<int32_t> DaysFromDate(int year, unsigned month, unsigned day) {
  chr::year_month_day ymd{chr::year{year}, chr::month{month}, chr::day{day}};
  if (year < kMinYear || year > kMaxYear || !ymd.ok()) {
    return Status::InvalidArgument(
        fmt::format("{:04d}-{:02d}-{:02d} is not a date from 0001-01-01 to 9999-12-31", year,
                    month, day));
  }
  return static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count());
}

Result<int32_t> ParseDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a date: expected YYYY-MM-DD from 0001-01-01 to 9999-12-31", text));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !Digits(text.substr(0, 4), 4, &year) || !Digits(text.substr(5, 2), 2, &month) ||
      !Digits(text.substr(8, 2), 2, &day)) {
    return bad();
  }
  auto days = DaysFromDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!days.ok()) return bad();
  return days;
}

std::string FormatDate(int32_t days_since_epoch) {
  auto ymd = Civil(days_since_epoch);
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace rs
