// Fuzzes rs::signals::ResolveMonthSpec (signals/months.h) and the month/date
// formatting next to it.
//
// Input: the last byte picks the mode (FuzzedDataProvider); the rest is either
//   - an arbitrary spec string, or
//   - a recipe for a well-formed spec: items drawn from "all", "latest",
//     available and unavailable months, and ranges between them, joined by
//     commas with optional blanks. Its exact result is computed here.
// The available months are fixed, with gaps: 2023-11, 2023-12, 2024-01,
// 2024-02, 2024-03, 2024-06, 2025-01.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - the result is a non-empty, strictly increasing subset of the available
//     months, or an InvalidArgument / NotFound error with a message;
//   - a well-formed spec yields exactly the union of its items (NotFound when
//     that is empty; InvalidArgument only for a range whose start is after its
//     end);
//   - YearMonthOf(d) is the "YYYY-MM" prefix of FormatDate(d) for dates in
//     years 1..9999.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "fuzz_check.h"
#include "signals/months.h"

namespace rs::signals {
namespace {

const std::vector<std::string>& Available() {
  static const std::vector<std::string> kAvailable = {"2023-11", "2023-12", "2024-01", "2024-02",
                                                      "2024-03", "2024-06", "2025-01"};
  return kAvailable;
}

// Months the recipe draws from: available ones, gaps, and ones outside the data.
constexpr const char* kMonths[] = {"2023-11", "2023-12", "2024-01", "2024-02", "2024-03",
                                   "2024-06", "2025-01", "2024-04", "2024-05", "2020-01",
                                   "2030-12", "0001-01", "9999-12"};

void CheckResult(const Result<std::vector<std::string>>& result) {
  if (!result.ok()) {
    const StatusCode code = result.status().code();
    RS_FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound);
    RS_FUZZ_CHECK(!result.status().message().empty());
    return;
  }
  const std::vector<std::string>& months = *result;
  RS_FUZZ_CHECK(!months.empty());
  for (size_t i = 0; i < months.size(); ++i) {
    RS_FUZZ_CHECK(std::binary_search(Available().begin(), Available().end(), months[i]));
    if (i > 0) RS_FUZZ_CHECK(months[i - 1] < months[i]);
  }
}

void FuzzWellFormedSpec(FuzzedDataProvider& in) {
  std::string spec;
  std::set<std::string> expected;
  bool reversed_range = false;
  const size_t items = in.ConsumeIntegralInRange<size_t>(1, 5);
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) spec += ",";
    const std::string pad = in.PickValueInArray<std::string>({"", " ", "\t", "  "});
    spec += pad;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        spec += "all";
        expected.insert(Available().begin(), Available().end());
        break;
      case 1:
        spec += "latest";
        expected.insert(Available().back());
        break;
      case 2: {
        const std::string month = in.PickValueInArray(kMonths);
        spec += month;
        if (std::binary_search(Available().begin(), Available().end(), month)) {
          expected.insert(month);
        }
        break;
      }
      default: {
        const std::string first = in.PickValueInArray(kMonths);
        const std::string last = in.PickValueInArray(kMonths);
        spec += first + in.PickValueInArray<std::string>({"..", " .. "}) + last;
        reversed_range = reversed_range || first > last;
        for (const std::string& m : Available()) {
          if (m >= first && m <= last) expected.insert(m);
        }
        break;
      }
    }
    spec += pad;
  }
  const Result<std::vector<std::string>> result = ResolveMonthSpec(spec, Available());
  CheckResult(result);
  if (reversed_range) {
    RS_FUZZ_CHECK(!result.ok() && result.status().code() == StatusCode::kInvalidArgument);
  } else if (expected.empty()) {
    RS_FUZZ_CHECK(!result.ok() && result.status().code() == StatusCode::kNotFound);
  } else {
    RS_FUZZ_CHECK(result.ok());
    RS_FUZZ_CHECK(*result == std::vector<std::string>(expected.begin(), expected.end()));
  }
}

void FuzzDates(FuzzedDataProvider& in) {
  // Days of 0001-01-01 and 9999-12-31 since 1970-01-01.
  const int32_t days = in.ConsumeIntegralInRange<int32_t>(-719162, 2932896);
  const std::string month = YearMonthOf(days);
  const std::string date = FormatDate(days);
  RS_FUZZ_CHECK(month.size() == 7 && date.size() == 10);
  RS_FUZZ_CHECK(date.compare(0, 7, month) == 0);
}

}  // namespace
}  // namespace rs::signals

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: {
      const std::string spec = in.ConsumeRemainingBytesAsString();
      rs::signals::CheckResult(rs::signals::ResolveMonthSpec(spec, rs::signals::Available()));
      break;
    }
    case 1:
      rs::signals::FuzzWellFormedSpec(in);
      break;
    default:
      rs::signals::FuzzDates(in);
      break;
  }
  return 0;
}
