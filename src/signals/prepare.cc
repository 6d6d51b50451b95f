// Prepare(): validates the gold inputs and lays them out as per-symbol series.
//
// Rows are grouped by symbol id with a counting sort, then each group is
// sorted by date; a duplicate (symbol, date) shows as two adjacent equal
// dates. Duplicates are checked over every row with a key, valid or not, since
// the contract forbids them in the input itself.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "common/calendar.h"
#include "common/parallel.h"
#include "common/utf8.h"
#include "signals/columns_internal.h"
#include "signals/months.h"
#include "signals/prepared_internal.h"
#include "signals/symbols_internal.h"

namespace rs::signals {
namespace {

constexpr int32_t kNoSymbol = -1;

// Row indices grouped by symbol id and sorted by date within each group.
struct Grouped {
  std::vector<int64_t> begin;  // size groups + 1
  std::vector<uint32_t> rows;
};

struct KeyColumns {
  const ColumnVector* date = nullptr;
  const ColumnVector* symbol = nullptr;
};

// Every date must lie in Delta's DATE range, 0001-01-01..9999-12-31: anything
// else is a damaged column (a flipped bit, another type read as days), and
// the month arithmetic downstream is only defined inside that range.
Status CheckDateRange(const KeyColumns& keys, size_t num_rows, std::string_view table) {
  static const auto kMinDate = YearMonth::FromKey(kMinYear * 12).FirstDay();
  static const auto kMaxDate = YearMonth::FromKey(kMaxYear * 12 + 11).LastDay();
  const auto& dates = keys.date->As<int32_t>();
  for (size_t row = 0; row < num_rows; ++row) {
    if (!keys.date->IsValid(row) || (dates[row] >= kMinDate && dates[row] <= kMaxDate)) continue;
    std::string symbol = keys.symbol->IsValid(row) ? keys.symbol->As<std::string>()[row] : "null";
    return Status::InvalidArgument(fmt::format(
        "{}: column 'date' of symbol {} holds {} days from 1970-01-01, outside the DATE range "
        "0001-01-01..9999-12-31; the column is damaged or not a calendar date: fix the upstream "
        "table",
        table, symbol, dates[row]));
  }
  return Status::OK();
}

// Symbols must be storable and indexable downstream (symbols_internal.h):
// a row breaking a rule fails the run before anything is written, naming
// the symbol, its date and the rule.
Status CheckSymbols(const KeyColumns& keys, size_t num_rows, std::string_view table) {
  const auto& symbols = keys.symbol->As<std::string>();
  for (size_t row = 0; row < num_rows; ++row) {
    if (!keys.symbol->IsValid(row)) continue;
    // Printable ASCII within the length limit breaks no rule (it is UTF-8 and
    // holds no control character): most symbols, checked without the full
    // rules, which run on every row otherwise (three times per daily run).
    const std::string& symbol = symbols[row];
    if (symbol.size() <= internal::kMaxSymbolBytes &&
        std::all_of(symbol.begin(), symbol.end(), [](char ch) {
          auto c = static_cast<unsigned char>(ch);
          return c >= 0x20 && c < 0x7f;
        })) {
      continue;
    }
    auto broken = internal::BrokenSymbolRule(symbol);
    if (!broken) continue;
    const ColumnVector& dates = *keys.date;
    std::string date = dates.IsValid(row) ? FormatDate(dates.As<int32_t>()[row]) : "null";
    return Status::InvalidArgument(fmt::format(
        "{}: column 'symbol' holds \"{}\" on {}, which {}: fix the upstream table", table,
        internal::ShowSymbol(symbols[row]), date, *broken));
  }
  return Status::OK();
}

Result<KeyColumns> RequireKeys(const RecordBatch& batch, std::string_view table) {
  KeyColumns keys;
  RS_ASSIGN_OR_RETURN(keys.date, internal::RequireColumn(batch, table, "date", {TypeId::kDate}));
  RS_ASSIGN_OR_RETURN(keys.symbol,
                      internal::RequireColumn(batch, table, "symbol", {TypeId::kString}));
  if (batch.num_rows > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument(fmt::format(
        "{}: {} rows in one batch exceed the engine's limit of 2^32-1", table, batch.num_rows));
  }
  RS_RETURN_IF_ERROR(CheckDateRange(keys, batch.num_rows, table));
  RS_RETURN_IF_ERROR(CheckSymbols(keys, batch.num_rows, table));
  return keys;
}

bool HasKey(const KeyColumns& keys, size_t row) {
  return keys.date->IsValid(row) && keys.symbol->IsValid(row) &&
         !keys.symbol->As<std::string>()[row].empty();
}

// Assigns ids in byte order of the distinct symbols of `keys`.
std::vector<std::string> SymbolDictionary(const KeyColumns& keys, size_t num_rows) {
  std::unordered_map<std::string_view, int32_t> seen;
  const auto& symbols = keys.symbol->As<std::string>();
  for (size_t row = 0; row < num_rows; ++row) {
    if (HasKey(keys, row)) seen.try_emplace(symbols[row], 0);
  }
  std::vector<std::string> names;
  names.reserve(seen.size());
  for (const auto& [name, id] : seen) names.emplace_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

// Symbol id of every row (kNoSymbol for rows without a key); symbols missing
// from `dictionary` get ids after it, so duplicates among them are still found.
std::vector<int32_t> SymbolIds(const KeyColumns& keys, size_t num_rows,
                               const std::vector<std::string>& dictionary, int32_t* num_ids) {
  std::unordered_map<std::string_view, int32_t> ids;
  for (size_t i = 0; i < dictionary.size(); ++i) ids.emplace(dictionary[i], static_cast<int32_t>(i));
  const auto& symbols = keys.symbol->As<std::string>();
  std::vector<int32_t> out(num_rows, kNoSymbol);
  for (size_t row = 0; row < num_rows; ++row) {
    if (!HasKey(keys, row)) continue;
    auto [it, inserted] = ids.try_emplace(symbols[row], static_cast<int32_t>(ids.size()));
    out[row] = it->second;
  }
  *num_ids = static_cast<int32_t>(ids.size());
  return out;
}

Grouped GroupBySymbolAndDate(const std::vector<int32_t>& ids, int32_t num_ids,
                             const std::vector<int32_t>& dates, int threads) {
  Grouped g;
  g.begin.assign(static_cast<size_t>(num_ids) + 1, 0);
  for (int32_t id : ids) {
    if (id != kNoSymbol) ++g.begin[id + 1];
  }
  for (int32_t s = 0; s < num_ids; ++s) g.begin[s + 1] += g.begin[s];
  g.rows.resize(g.begin[num_ids]);
  std::vector<int64_t> cursor(g.begin.begin(), g.begin.end() - 1);
  for (size_t row = 0; row < ids.size(); ++row) {
    if (ids[row] != kNoSymbol) g.rows[cursor[ids[row]]++] = static_cast<uint32_t>(row);
  }
  ParallelForChunks(static_cast<size_t>(num_ids), 64, threads, [&](size_t lo, size_t hi) {
    for (size_t s = lo; s < hi; ++s) {
      std::stable_sort(g.rows.begin() + g.begin[s], g.rows.begin() + g.begin[s + 1],
                       [&](uint32_t a, uint32_t b) { return dates[a] < dates[b]; });
    }
  });
  return g;
}

// `symbol_of(row)` names a row's symbol in the error.
template <typename SymbolOf>
Status CheckNoDuplicates(const Grouped& g, const std::vector<int32_t>& dates,
                         const SymbolOf& symbol_of, std::string_view table) {
  for (size_t s = 0; s + 1 < g.begin.size(); ++s) {
    for (int64_t k = g.begin[s] + 1; k < g.begin[s + 1]; ++k) {
      if (dates[g.rows[k]] != dates[g.rows[k - 1]]) continue;
      return Status::InvalidArgument(fmt::format(
          "{}: duplicate row for symbol {} on {}; the input must have one row per (symbol, "
          "date): fix the upstream table",
          table, symbol_of(g.rows[k]), FormatDate(dates[g.rows[k]])));
    }
  }
  return Status::OK();
}

bool ValidMarketRow(const ColumnVector& close, const ColumnVector& volume, size_t row) {
  if (!close.IsValid(row) || !volume.IsValid(row)) return false;
  double c = close.As<double>()[row];
  if (!std::isfinite(c) || !(c > 0)) return false;
  if (volume.field.type.id == TypeId::kLong) return volume.As<int64_t>()[row] >= 0;
  double v = volume.As<double>()[row];
  return std::isfinite(v) && v >= 0;
}

// The columns of market_daily the engine reads, each checked for its type.
struct MarketColumns {
  KeyColumns keys;
  const ColumnVector* close = nullptr;
  const ColumnVector* volume = nullptr;
};

Result<MarketColumns> RequireMarketColumns(const RecordBatch& market) {
  constexpr std::string_view kTable = "market_daily";
  MarketColumns m;
  RS_ASSIGN_OR_RETURN(m.keys, RequireKeys(market, kTable));
  RS_ASSIGN_OR_RETURN(m.close, internal::RequireColumn(market, kTable, "close", {TypeId::kDouble}));
  RS_ASSIGN_OR_RETURN(m.volume, internal::RequireColumn(market, kTable, "volume",
                                                        {TypeId::kDouble, TypeId::kLong}));
  return m;
}

// Dates with nulls replaced by 0; the rows with a null date have no symbol id.
std::vector<int32_t> DatesOf(const KeyColumns& keys) { return keys.date->As<int32_t>(); }

// `owned` is `market` when the caller gave it up: its symbol column is
// freed once the rows have their symbol numbers.
Status PrepareMarket(const RecordBatch& market, RecordBatch* owned, int threads,
                     PreparedInput::Data* data, PrepareStats* stats) {
  constexpr std::string_view kTable = "market_daily";
  RS_ASSIGN_OR_RETURN(MarketColumns columns, RequireMarketColumns(market));
  const KeyColumns& keys = columns.keys;
  const ColumnVector* close = columns.close;
  const ColumnVector* volume = columns.volume;
  data->symbols = SymbolDictionary(keys, market.num_rows);
  int32_t num_ids = 0;
  std::vector<int32_t> ids = SymbolIds(keys, market.num_rows, data->symbols, &num_ids);
  if (owned != nullptr) {
    ColumnVector& symbol = owned->columns[owned->FindColumn("symbol")];
    std::vector<std::string>().swap(std::get<std::vector<std::string>>(symbol.values));
    std::vector<uint8_t>().swap(symbol.validity);
  }
  std::vector<int32_t> dates = DatesOf(keys);
  Grouped g = GroupBySymbolAndDate(ids, num_ids, dates, threads);
  // Every market symbol is in the dictionary: rows name it by number.
  auto symbol_of = [&](uint32_t row) -> const std::string& { return data->symbols[ids[row]]; };
  RS_RETURN_IF_ERROR(CheckNoDuplicates(g, dates, symbol_of, kTable));

  data->series_begin.assign(data->symbols.size() + 1, 0);
  data->dates.reserve(g.rows.size());
  data->closes.reserve(g.rows.size());
  std::vector<int32_t> month_keys;
  for (size_t s = 0; s < data->symbols.size(); ++s) {
    for (int64_t k = g.begin[s]; k < g.begin[s + 1]; ++k) {
      uint32_t row = g.rows[k];
      if (!ValidMarketRow(*close, *volume, row)) continue;
      data->dates.push_back(dates[row]);
      data->closes.push_back(close->As<double>()[row]);
    }
    data->series_begin[s + 1] = static_cast<int64_t>(data->dates.size());
    if (data->series_begin[s + 1] > data->series_begin[s]) ++stats->symbols;
  }
  stats->market_rows = static_cast<int64_t>(market.num_rows);
  stats->market_invalid_rows = stats->market_rows - static_cast<int64_t>(data->dates.size());
  return Status::OK();
}

void CollectMonths(PreparedInput::Data* data) {
  std::vector<uint8_t> seen;
  int32_t base = 0;
  if (data->dates.empty()) return;
  auto [lo, hi] = std::minmax_element(data->dates.begin(), data->dates.end());
  base = YearMonth::OfDay(*lo).Key();
  seen.assign(static_cast<size_t>(YearMonth::OfDay(*hi).Key() - base + 1), 0);
  int32_t last_day = std::numeric_limits<int32_t>::min();
  int32_t last_key = 0;
  for (int32_t d : data->dates) {
    if (d != last_day) last_key = YearMonth::OfDay(d).Key(), last_day = d;
    seen[last_key - base] = 1;
  }
  for (size_t k = 0; k < seen.size(); ++k) {
    if (seen[k]) data->month_keys.push_back(base + static_cast<int32_t>(k));
  }
}

Status PrepareFinance(const RecordBatch& finance, int threads, PreparedInput::Data* data,
                      PrepareStats* stats) {
  constexpr std::string_view kTable = "finance_daily";
  RS_ASSIGN_OR_RETURN(KeyColumns keys, RequireKeys(finance, kTable));
  RS_ASSIGN_OR_RETURN(const ColumnVector* pe,
                      internal::RequireColumn(finance, kTable, "pe_ratio", {TypeId::kDouble}));
  int32_t num_ids = 0;
  std::vector<int32_t> ids = SymbolIds(keys, finance.num_rows, data->symbols, &num_ids);
  std::vector<int32_t> dates = DatesOf(keys);
  Grouped g = GroupBySymbolAndDate(ids, num_ids, dates, threads);
  auto symbol_of = [&](uint32_t row) -> const std::string& {
    return keys.symbol->As<std::string>()[row];
  };
  RS_RETURN_IF_ERROR(CheckNoDuplicates(g, dates, symbol_of, kTable));

  data->has_finance = true;
  data->finance_begin.assign(data->symbols.size() + 1, 0);
  // Only symbols of market_daily can be ranked; their rows are a prefix of g.
  int64_t kept = g.begin[data->symbols.size()];
  data->finance_dates.reserve(kept);
  data->pe_ratios.reserve(kept);
  for (size_t s = 0; s < data->symbols.size(); ++s) {
    for (int64_t k = g.begin[s]; k < g.begin[s + 1]; ++k) {
      uint32_t row = g.rows[k];
      data->finance_dates.push_back(dates[row]);
      data->pe_ratios.push_back(pe->IsValid(row) ? pe->As<double>()[row]
                                                 : std::numeric_limits<double>::quiet_NaN());
    }
    data->finance_begin[s + 1] = static_cast<int64_t>(data->finance_dates.size());
  }
  stats->finance_rows = static_cast<int64_t>(finance.num_rows);
  stats->finance_invalid_rows = stats->finance_rows - static_cast<int64_t>(g.rows.size());
  return Status::OK();
}

}  // namespace

Result<std::vector<uint8_t>> ValidMarketRows(const RecordBatch& market) {
  RS_ASSIGN_OR_RETURN(MarketColumns c, RequireMarketColumns(market));
  std::vector<uint8_t> valid(market.num_rows, 0);
  for (size_t row = 0; row < market.num_rows; ++row) {
    valid[row] = HasKey(c.keys, row) && ValidMarketRow(*c.close, *c.volume, row) ? 1 : 0;
  }
  return valid;
}

namespace {

Result<PreparedInput> PrepareAll(const RecordBatch& market, RecordBatch* owned,
                                 const RecordBatch* finance, PrepareStats* stats) {
  PrepareStats local;
  auto data = std::make_shared<PreparedInput::Data>();
  int threads = ResolveThreads(0);
  RS_RETURN_IF_ERROR(PrepareMarket(market, owned, threads, data.get(), &local));
  CollectMonths(data.get());
  if (finance != nullptr) {
    RS_RETURN_IF_ERROR(PrepareFinance(*finance, threads, data.get(), &local));
  }
  if (stats != nullptr) *stats = local;
  return PreparedInput(std::move(data));
}

}  // namespace

Result<PreparedInput> Prepare(const RecordBatch& market, const RecordBatch* finance,
                              PrepareStats* stats) {
  return PrepareAll(market, nullptr, finance, stats);
}

Result<PreparedInput> Prepare(RecordBatch&& market, const RecordBatch* finance,
                              PrepareStats* stats) {
  return PrepareAll(market, &market, finance, stats);
}

}  // namespace rs::signals
