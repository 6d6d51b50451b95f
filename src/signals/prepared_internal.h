// The layout behind PreparedInput: a symbol dictionary and per-symbol series
// stored contiguously (struct of arrays), sorted by (symbol id, date).
#ifndef RS_SIGNALS_PREPARED_INTERNAL_H_
#define RS_SIGNALS_PREPARED_INTERNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "signals/ranking.h"

namespace rs::signals {

struct PreparedInput::Data {
  // Distinct market symbols in byte order: the id order equals `symbol ASC`.
  std::vector<std::string> symbols;

  // Valid market rows of symbol s are [series_begin[s], series_begin[s + 1]),
  // sorted by date; index i within the range is the series index of SIGNALS.md.
  std::vector<int64_t> series_begin;
  std::vector<int32_t> dates;
  std::vector<double> closes;

  // Finance rows of symbol s: [finance_begin[s], finance_begin[s + 1]), sorted
  // by date. A null pe_ratio is stored as NaN (never scores). Empty when absent.
  bool has_finance = false;
  std::vector<int64_t> finance_begin;
  std::vector<int32_t> finance_dates;
  std::vector<double> pe_ratios;

  // Sorted distinct months (year * 12 + month - 1) of the valid market dates.
  std::vector<int32_t> month_keys;
};

}  // namespace rs::signals

#endif  // RS_SIGNALS_PREPARED_INTERNAL_H_
