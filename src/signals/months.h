// Month selection for the ranking job: which "YYYY-MM" partitions a run targets.
//
// Thread-safety: pure functions.
#ifndef RS_SIGNALS_MONTHS_H_
#define RS_SIGNALS_MONTHS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/calendar.h"  // YearMonth, YearMonthOf, FormatDate
#include "common/status.h"
#include "signals/ranking.h"

namespace rs::signals {

// Sorted distinct "YYYY-MM" of the valid market_daily dates.
std::vector<std::string> AvailableMonths(const PreparedInput& input);

// Resolves a month spec against the available months (sorted "YYYY-MM").
// Accepted items, comma separated: "2024-03", "2024-01..2024-06" (inclusive,
// start <= end), "latest" (the last available month), "all".
// Returns the sorted distinct available months selected. Months without data
// are skipped. Errors: InvalidArgument for a malformed spec; NotFound when no
// selected month has data.
[[nodiscard]] Result<std::vector<std::string>> ResolveMonthSpec(
    const std::string& spec, const std::vector<std::string>& available);

}  // namespace rs::signals

#endif  // RS_SIGNALS_MONTHS_H_
