// Calendar helpers on dates stored as days since 1970-01-01 (Delta DATE).
#ifndef RS_SIGNALS_DATES_INTERNAL_H_
#define RS_SIGNALS_DATES_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rs::signals::internal {

// A month as year * 12 + (month - 1): ordered like the calendar.
int32_t MonthKeyOf(int32_t days_since_epoch);

// "YYYY-MM" of a month key.
std::string FormatMonthKey(int32_t month_key);

// Parses exactly "YYYY-MM" (year 0001..9999, month 01..12). False if malformed.
bool ParseMonthKey(std::string_view text, int32_t* month_key);

// First day of the month, and first day of the next month (days since epoch).
int32_t FirstDayOfMonth(int32_t month_key);
int32_t FirstDayAfterMonth(int32_t month_key);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_DATES_INTERNAL_H_
