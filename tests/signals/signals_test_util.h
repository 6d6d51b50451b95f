// Builders and lookups shared by the signals tests.
#ifndef RS_TESTS_SIGNALS_SIGNALS_TEST_UTIL_H_
#define RS_TESTS_SIGNALS_SIGNALS_TEST_UTIL_H_

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/columnar.h"
#include "signals/months.h"

namespace rs::signals::testing {

// Days since epoch of "YYYY-MM-DD".
inline int32_t Day(const std::string& text) {
  int y = 0, m = 0, d = 0;
  std::sscanf(text.c_str(), "%d-%d-%d", &y, &m, &d);
  auto ymd = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
             std::chrono::day{static_cast<unsigned>(d)};
  return static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

struct MarketRow {
  int32_t date;
  std::string symbol;
  double close;
  double volume = 1000;
  bool close_null = false;
};

struct FinanceRow {
  int32_t date;
  std::string symbol;
  double pe;
  bool pe_null = false;
};

inline ColumnVector Col(const std::string& name, TypeId type) {
  return ColumnVector::Make(Field{name, DataType::Primitive(type), true});
}

inline RecordBatch Batch(std::vector<ColumnVector> columns, size_t rows) {
  RecordBatch b;
  for (auto& c : columns) b.schema.push_back(c.field);
  b.columns = std::move(columns);
  b.num_rows = rows;
  return b;
}

inline RecordBatch Market(const std::vector<MarketRow>& rows) {
  auto date = Col("date", TypeId::kDate);
  auto symbol = Col("symbol", TypeId::kString);
  auto close = Col("close", TypeId::kDouble);
  auto volume = Col("volume", TypeId::kDouble);
  for (const auto& r : rows) {
    date.As<int32_t>().push_back(r.date);
    symbol.As<std::string>().push_back(r.symbol);
    close.As<double>().push_back(r.close);
    close.validity.push_back(r.close_null ? 0 : 1);
    volume.As<double>().push_back(r.volume);
  }
  return Batch({date, symbol, close, volume}, rows.size());
}

inline RecordBatch Finance(const std::vector<FinanceRow>& rows) {
  auto date = Col("date", TypeId::kDate);
  auto symbol = Col("symbol", TypeId::kString);
  auto pe = Col("pe_ratio", TypeId::kDouble);
  for (const auto& r : rows) {
    date.As<int32_t>().push_back(r.date);
    symbol.As<std::string>().push_back(r.symbol);
    pe.As<double>().push_back(r.pe);
    pe.validity.push_back(r.pe_null ? 0 : 1);
  }
  return Batch({date, symbol, pe}, rows.size());
}

// Rows for `symbol` on consecutive calendar days from `first_day`.
inline std::vector<MarketRow> Series(const std::string& symbol, int32_t first_day,
                                     const std::vector<double>& closes) {
  std::vector<MarketRow> rows;
  for (size_t i = 0; i < closes.size(); ++i) {
    rows.push_back({first_day + static_cast<int32_t>(i), symbol, closes[i]});
  }
  return rows;
}

inline void Append(std::vector<MarketRow>* to, const std::vector<MarketRow>& rows) {
  to->insert(to->end(), rows.begin(), rows.end());
}

struct RankedValue {
  int rank;
  double score;
};

// (date, strategy, symbol) -> (rank, score) of a rankings batch.
inline std::map<std::tuple<int32_t, std::string, std::string>, RankedValue> Index(
    const RecordBatch& rankings) {
  std::map<std::tuple<int32_t, std::string, std::string>, RankedValue> out;
  for (size_t r = 0; r < rankings.num_rows; ++r) {
    out[{rankings.columns[0].As<int32_t>()[r], rankings.columns[2].As<std::string>()[r],
         rankings.columns[3].As<std::string>()[r]}] = {rankings.columns[4].As<int32_t>()[r],
                                                        rankings.columns[5].As<double>()[r]};
  }
  return out;
}

}  // namespace rs::signals::testing

#endif  // RS_TESTS_SIGNALS_SIGNALS_TEST_UTIL_H_
