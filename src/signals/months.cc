#include "signals/months.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/calendar.h"
#include "signals/prepared_internal.h"

namespace rs::signals {

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
  auto first_month = YearMonth::Parse(first);
  auto last_month = YearMonth::Parse(last);
  if (!first_month.ok() || !last_month.ok()) {
    return Status::InvalidArgument(
        fmt::format("month spec '{}': '{}' is not a valid month selection; {}", spec, item,
                    kAccepted));
  }
  if (*first_month > *last_month) {
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

std::vector<std::string> AvailableMonths(const PreparedInput& input) {
  std::vector<std::string> out;
  for (int32_t key : input.data().month_keys) out.push_back(YearMonth::FromKey(key).ToString());
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
