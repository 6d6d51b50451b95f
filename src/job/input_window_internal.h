// Reading only the input history a run needs (issue 18 item 3).
//
// A value at series row i depends only on rows i-252..i of its symbol and on
// whether i >= 252 (SIGNALS.md: Momentum_12_1 is the longest lookback), and
// Value_PE on the latest finance row dated on or before the ranking date. So
// a run whose months span [first target day, last day] needs, per symbol
// with a valid row in that span: every row in the span, its last 252 valid
// rows before it (all of them when it has fewer), and its latest finance row
// before it. Anything else changes no output value.
//
// The window starts kInitialDays before the first target day (moved back to
// the 1st of that month) and doubles back, reading only the older dates each time and keeping only
// the rows of the symbols still short, until every symbol is satisfied or the table's first date is
// reached. Of the older files only those that may hold a symbol still short are decoded: the
// `symbol` statistics and dictionary page of each row group tell (Lake::ReadInput's `symbols`), so
// proving that a newly listed symbol has no older rows costs a footer and a dictionary page per
// file, not a decode. Rows Prepare() drops as invalid do not count.
//
// What a window does not see: a duplicate (symbol, date) or a damaged row
// dated outside the rows read is not reported (a full-history run would
// fail on it); such a row cannot change a value of the target months.
#ifndef RS_JOB_INPUT_WINDOW_INTERNAL_H_
#define RS_JOB_INPUT_WINDOW_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/columnar.h"
#include "common/status.h"
#include "job/lake.h"

namespace rs::job::internal {

// Series rows needed before a target row: Momentum_12_1 reads c[i - 252].
inline constexpr int kLookbackRows = 252;
// The first window: 400 calendar days hold about 285 weekdays.
inline constexpr int32_t kInitialDays = 400;

// Where the months a spec can select lie, from the inputs' Delta statistics.
struct InputWindow {
  int32_t first_target_day = 0;  // first day of the earliest month the spec may select
  int32_t last_day = 0;          // last day of the latest one
  int32_t market_first_day = 0;  // the earliest and latest market_daily dates
  int32_t market_last_day = 0;
  // The same of finance_daily; nullopt when it has no usable statistics (it
  // is then read whole).
  std::optional<int32_t> finance_first_day;
  std::optional<int32_t> finance_last_day;
};

// nullopt when the run reads all history: market_daily is not a Delta table
// with `date` statistics in every file, or the spec selects no month of it
// (the full read then reports what it always did). A window that reaches
// both ends of a table reads it whole, as a full read does.
Result<std::optional<InputWindow>> PlanInputWindow(const Lake& lake,
                                                   const std::string& months_spec);

// What one input's windowed read did, for the log.
struct WindowRead {
  RecordBatch rows;
  std::optional<int32_t> first_day;  // earliest date read; nullopt = from the table's start
  int extensions = 0;                // times the window was doubled back
  int64_t short_symbols = 0;         // symbols short of history in the first window
  // Market only: the symbols with a valid row in the target span.
  std::set<std::string> target_symbols;
};

// The market_daily rows the window needs (see the file comment). `progress`
// (may be empty) follows each of the reads (Lake::ReadInput).
Result<WindowRead> ReadMarketWindow(const Lake& lake, const InputWindow& window,
                                    InputReadInfo* info, const ReadProgress& progress = {});

// The finance_daily rows the window needs for `target_symbols` (the market
// read's). NotFound as Lake::ReadInput's.
Result<WindowRead> ReadFinanceWindow(const Lake& lake, const InputWindow& window,
                                     const std::set<std::string>& target_symbols,
                                     InputReadInfo* info, const ReadProgress& progress = {});

}  // namespace rs::job::internal

#endif  // RS_JOB_INPUT_WINDOW_INTERNAL_H_
