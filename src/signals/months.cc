#include "signals/months.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "signals/dates_internal.h"
#include "signals/prepared_internal.h"

namespace rs::signals {
namespace internal {

namespace {

std::chrono::year_month_day Civil(int32_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

int32_t DaysOf(int year, unsigned month) {
  auto ymd = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{1};
  return static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

int32_t MonthKeyOf(int32_t days_since_epoch) {
  auto ymd = Civil(days_since_epoch);
  return static_cast<int32_t>(static_cast<int>(ymd.year()) * 12 +
                              static_cast<int>(static_cast<unsigned>(ymd.month())) - 1);
}

std::string FormatMonthKey(int32_t month_key) {
  int year = month_key >= 0 ? month_key / 12 : (month_key - 11) / 12;
  int month = month_key - year * 12 + 1;
  return fmt::format("{:04d}-{:02d}", year, month);
}

bool ParseMonthKey(std::string_view text, int32_t* month_key) {
  if (text.size() != 7 || text[4] != '-') return false;
  std::string_view year_text = text.substr(0, 4);
  std::string_view month_text = text.substr(5, 2);
  if (!AllDigits(year_text) || !AllDigits(month_text)) return false;
  int year = std::stoi(std::string(year_text));
  int month = std::stoi(std::string(month_text));
  if (year < 1 || month < 1 || month > 12) return false;
  *month_key = year * 12 + month - 1;
  return true;
}

int32_t FirstDayOfMonth(int32_t month_key) {
  return DaysOf(month_key / 12, static_cast<unsigned>(month_key % 12 + 1));
}

int32_t FirstDayAfterMonth(int32_t month_key) { return FirstDayOfMonth(month_key + 1); }

}  // namespace internal

namespace {

constexpr const char* kAccepted =
    "expected YYYY-MM, YYYY-MM..YYYY-MM, latest, all, or a comma-separated list of those";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string DescribeAvailable(const std::vector<std::string>& available) {
  if (available.empty()) return "the input has no valid market_daily rows";
  if (available.size() == 1) return "data exists for " + available.front() + " only";
  return "data exists for " + available.front() + ".." + available.back();
}

// Adds the available months selected by one spec item to `out`.
Status SelectItem(const std::string& spec, std::string_view item,
                  const std::vector<std::string>& available, std::set<std::string>* out) {
  if (item == "all") {
    out->insert(available.begin(), available.end());
    return Status::OK();
  }
  if (item == "latest") {
    if (!available.empty()) out->insert(available.back());
    return Status::OK();
  }
  size_t dots = item.find("..");
  std::string_view first = dots == std::string_view::npos ? item : Trim(item.substr(0, dots));
  std::string_view last = dots == std::string_view::npos ? item : Trim(item.substr(dots + 2));
  int32_t first_key = 0;
  int32_t last_key = 0;
  if (!internal::ParseMonthKey(first, &first_key) || !internal::ParseMonthKey(last, &last_key)) {
    return Status::InvalidArgument(
        fmt::format("month spec '{}': '{}' is not a valid month selection; {}", spec, item,
                    kAccepted));
  }
  if (first_key > last_key) {
    return Status::InvalidArgument(fmt::format(
        "month spec '{}': range {} starts after it ends; write the earlier month first", spec,
        item));
  }
  for (const std::string& month : available) {
    if (month >= first && month <= last) out->insert(month);
  }
  return Status::OK();
}

}  // namespace

std::string YearMonthOf(int32_t days_since_epoch) {
  return internal::FormatMonthKey(internal::MonthKeyOf(days_since_epoch));
}

std::string FormatDate(int32_t days_since_epoch) {
  auto ymd = std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::days{days_since_epoch}}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::vector<std::string> AvailableMonths(const PreparedInput& input) {
  std::vector<std::string> out;
  for (int32_t key : input.data().month_keys) out.push_back(internal::FormatMonthKey(key));
  return out;
}

Result<std::vector<std::string>> ResolveMonthSpec(const std::string& spec,
                                                  const std::vector<std::string>& available) {
  std::set<std::string> selected;
  std::string_view rest = spec;
  if (Trim(rest).empty()) {
    return Status::InvalidArgument(fmt::format("month spec is empty; {}", kAccepted));
  }
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (item.empty()) {
      return Status::InvalidArgument(
          fmt::format("month spec '{}' has an empty item; {}", spec, kAccepted));
    }
    RS_RETURN_IF_ERROR(SelectItem(spec, item, available, &selected));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (selected.empty()) {
    return Status::NotFound(fmt::format("month spec '{}': no input data in months {}; {}", spec,
                                        spec, DescribeAvailable(available)));
  }
  return std::vector<std::string>(selected.begin(), selected.end());
}

}  // namespace rs::signals
