#include <algorithm>
#include <limits>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/calendar.h"
#include "job/input_window_internal.h"
#include "signals/months.h"
#include "signals/ranking.h"

namespace rs::job::internal {
namespace {

const std::vector<std::string> kMarketColumns = {"date", "symbol", "close", "volume"};
const std::vector<std::string> kFinanceColumns = {"date", "symbol", "pe_ratio"};

// The first day of a window `span_days` before `first_target_day`, moved
// back to the 1st of its month so that a table partitioned by month has no
// file read twice; nullopt once that reaches the table's first date.
std::optional<int32_t> WindowStart(int32_t first_target_day, int64_t span_days,
                                   int32_t table_first_day) {
  int64_t start = int64_t{first_target_day} - span_days;
  if (start <= table_first_day) return std::nullopt;
  int32_t month_start = YearMonth::OfDay(static_cast<int32_t>(start)).FirstDay();
  if (month_start <= table_first_day) return std::nullopt;
  return month_start;
}

// The date and symbol columns of an input batch (ReadInput checked the names).
struct Keys {
  const ColumnVector& date;
  const ColumnVector& symbol;
  bool Has(size_t row) const {
    return date.IsValid(row) && symbol.IsValid(row) && !symbol.As<std::string>()[row].empty();
  }
  int32_t Day(size_t row) const { return date.As<int32_t>()[row]; }
  std::string_view Symbol(size_t row) const { return symbol.As<std::string>()[row]; }
};

Result<Keys> KeysOf(const RecordBatch& batch, std::string_view table) {
  int d = batch.FindColumn("date");
  int s = batch.FindColumn("symbol");
  if (d < 0 || s < 0 || batch.columns[d].field.type.id != TypeId::kDate ||
      batch.columns[s].field.type.id != TypeId::kString) {
    return Status::InvalidArgument(std::string(table) +
                                   ": columns 'date' (DATE) and 'symbol' (STRING) are required");
  }
  return Keys{batch.columns[d], batch.columns[s]};
}

// Hashes std::string keys and looks them up by std::string_view.
struct SymbolHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Counts, batch by batch, the valid market rows before `first_target_day` of
// each target symbol (one with a valid row on or after it, all in the first
// batch: later batches are older rows). Short() names the target symbols
// with fewer than kLookbackRows. Each row is validated and counted once,
// however many times the window doubles back.
class HistoryCounter {
 public:
  explicit HistoryCounter(int32_t first_target_day) : first_target_day_(first_target_day) {}

  Result<std::set<std::string>> Add(const RecordBatch& rows) {
    RS_ASSIGN_OR_RETURN(std::vector<uint8_t> valid, signals::ValidMarketRows(rows));
    RS_ASSIGN_OR_RETURN(Keys keys, KeysOf(rows, "market_daily"));
    if (first_batch_) {
      for (size_t row = 0; row < rows.num_rows; ++row) {
        if (valid[row] && keys.Day(row) >= first_target_day_) {
          before_.try_emplace(std::string(keys.Symbol(row)), 0);
        }
      }
      first_batch_ = false;
    }
    // Rows of one symbol mostly come together: the last symbol's entry is
    // reused without hashing while the symbol repeats.
    std::string_view last_symbol;
    int64_t* last_count = nullptr;
    bool have_last = false;
    for (size_t row = 0; row < rows.num_rows; ++row) {
      if (!valid[row] || keys.Day(row) >= first_target_day_) continue;
      std::string_view symbol = keys.Symbol(row);
      if (!have_last || symbol != last_symbol) {
        auto it = before_.find(symbol);
        last_symbol = symbol;
        last_count = it != before_.end() ? &it->second : nullptr;
        have_last = true;
      }
      if (last_count != nullptr) ++*last_count;
    }
    std::set<std::string> out;
    for (const auto& [symbol, count] : before_) {
      if (count < kLookbackRows) out.insert(symbol);
    }
    return out;
  }

  // The target symbols: those with a valid row on or after the first target day.
  std::set<std::string> Targets() const {
    std::set<std::string> out;
    for (const auto& entry : before_) out.insert(entry.first);
    return out;
  }

 private:
  int32_t first_target_day_;
  bool first_batch_ = true;
  std::unordered_map<std::string, int64_t, SymbolHash, std::equal_to<>> before_;
};

// The `needed` symbols without a finance row dated before `first_target_day`
// in any batch added so far.
class FinanceHistory {
 public:
  FinanceHistory(int32_t first_target_day, std::set<std::string> needed)
      : first_target_day_(first_target_day), needed_(std::move(needed)) {}

  Result<std::set<std::string>> Add(const RecordBatch& rows) {
    RS_ASSIGN_OR_RETURN(Keys keys, KeysOf(rows, "finance_daily"));
    std::unordered_set<std::string_view> found;
    for (size_t row = 0; row < rows.num_rows; ++row) {
      if (keys.Has(row) && keys.Day(row) < first_target_day_) found.insert(keys.Symbol(row));
    }
    std::erase_if(needed_, [&](const std::string& s) { return found.count(s) > 0; });
    return needed_;
  }

 private:
  int32_t first_target_day_;
  std::set<std::string> needed_;
};

// Reads [start, window.last_day] of `path`, then doubles back for the
// symbols `history` still names short until none is left or the table's
// first date. `history.Add` sees each batch read once, the first one whole.
template <typename History>
Result<WindowRead> ReadDoublingBack(const Lake& lake, const std::string& path,
                                    const std::vector<std::string>& columns,
                                    const InputWindow& window, int32_t table_first_day,
                                    int32_t table_last_day, History& history, InputReadInfo* info,
                                    const ReadProgress& progress) {
  WindowRead out;
  int64_t span = kInitialDays;
  out.first_day = WindowStart(window.first_target_day, span, table_first_day);
  // A window over the whole table reads it as a full read does (rows with a
  // null date included, for Prepare to count as invalid).
  DateRange first{out.first_day, window.last_day};
  if (!out.first_day && window.last_day >= table_last_day) first = DateRange{};
  RS_ASSIGN_OR_RETURN(out.rows, lake.ReadInput(path, columns, info, first, nullptr, progress));
  RS_ASSIGN_OR_RETURN(std::set<std::string> short_symbols, history.Add(out.rows));
  out.short_symbols = static_cast<int64_t>(short_symbols.size());
  while (!short_symbols.empty() && out.first_day) {
    span *= 2;
    std::optional<int32_t> start = WindowStart(window.first_target_day, span, table_first_day);
    // Only the files that may hold a short symbol are read (their symbol
    // dictionaries tell, without decoding them), and only its rows kept.
    RS_ASSIGN_OR_RETURN(
        RecordBatch kept,
        lake.ReadInput(path, columns, info, {start, *out.first_day - 1}, &short_symbols, progress));
    RS_ASSIGN_OR_RETURN(short_symbols, history.Add(kept));
    RS_RETURN_IF_ERROR(AppendRows(&out.rows, kept));
    out.first_day = start;
    ++out.extensions;
  }
  return out;
}

// Days of the files of a Delta input; nullopt when unknown (read it whole).
std::optional<std::vector<FileDates>> FileDatesOrNone(const Lake& lake, const std::string& path) {
  auto files = lake.InputFileDates(path);
  if (!files.ok() || !*files || (*files)->empty()) return std::nullopt;
  return std::move(**files);
}

int32_t FirstDay(const std::vector<FileDates>& files) {
  int32_t first = std::numeric_limits<int32_t>::max();
  for (const FileDates& f : files) first = std::min(first, f.min_day);
  return first;
}

int32_t LastDay(const std::vector<FileDates>& files) {
  int32_t last = std::numeric_limits<int32_t>::min();
  for (const FileDates& f : files) last = std::max(last, f.max_day);
  return last;
}

}  // namespace

Result<std::optional<InputWindow>> PlanInputWindow(const Lake& lake,
                                                   const std::string& months_spec) {
  // Errors of the plan are left to the full read, which reports them as it always did.
  auto market = FileDatesOrNone(lake, lake.layout().market);
  if (!market) return std::optional<InputWindow>();
  std::set<std::string> candidates;  // every month a file's dates may fall in
  for (const FileDates& f : *market) {
    for (int32_t k = YearMonth::OfDay(f.min_day).Key(); k <= YearMonth::OfDay(f.max_day).Key();
         ++k) {
      candidates.insert(YearMonth::FromKey(k).ToString());
    }
  }
  auto months = signals::ResolveMonthSpec(
      months_spec, std::vector<std::string>(candidates.begin(), candidates.end()));
  if (!months.ok()) return std::optional<InputWindow>();
  InputWindow w;
  RS_ASSIGN_OR_RETURN(YearMonth first, YearMonth::Parse(months->front()));
  RS_ASSIGN_OR_RETURN(YearMonth last, YearMonth::Parse(months->back()));
  w.first_target_day = first.FirstDay();
  w.last_day = last.LastDay();
  w.market_first_day = FirstDay(*market);
  w.market_last_day = LastDay(*market);
  if (auto finance = FileDatesOrNone(lake, lake.layout().finance)) {
    w.finance_first_day = FirstDay(*finance);
    w.finance_last_day = LastDay(*finance);
  }
  return std::optional<InputWindow>(w);
}

Result<WindowRead> ReadMarketWindow(const Lake& lake, const InputWindow& window,
                                    InputReadInfo* info, const ReadProgress& progress) {
  HistoryCounter history(window.first_target_day);
  RS_ASSIGN_OR_RETURN(
      WindowRead out,
      ReadDoublingBack(lake, lake.layout().market, kMarketColumns, window, window.market_first_day,
                       window.market_last_day, history, info, progress));
  out.target_symbols = history.Targets();
  return out;
}

Result<WindowRead> ReadFinanceWindow(const Lake& lake, const InputWindow& window,
                                     const std::set<std::string>& target_symbols,
                                     InputReadInfo* info, const ReadProgress& progress) {
  const std::string& path = lake.layout().finance;
  if (!window.finance_first_day) {  // no statistics to plan by: every row
    WindowRead out;
    RS_ASSIGN_OR_RETURN(out.rows,
                        lake.ReadInput(path, kFinanceColumns, info, {}, nullptr, progress));
    return out;
  }
  FinanceHistory history(window.first_target_day, target_symbols);
  return ReadDoublingBack(lake, path, kFinanceColumns, window, *window.finance_first_day,
                          *window.finance_last_day, history, info, progress);
}

}  // namespace rs::job::internal
