// Synthetic ranking_signals / composite_signals batches for tests and
// benchmarks, in the layouts of postgres/replicator.h. Deterministic per seed.
#ifndef RS_TESTS_POSTGRES_SIGNAL_BATCHES_H_
#define RS_TESTS_POSTGRES_SIGNAL_BATCHES_H_

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "postgres/replicator.h"

namespace rs::postgres::testing {

inline RecordBatch EmptyBatch(const Schema& schema) {
  RecordBatch b;
  b.schema = schema;
  for (const Field& f : schema) b.columns.push_back(ColumnVector::Make(f));
  return b;
}

// Days since 1970-01-01 of `year_month` ("2024-03") day `day`.
inline int32_t DayOf(const std::string& year_month, int day) {
  using namespace std::chrono;
  int y = std::stoi(year_month.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(year_month.substr(5, 2)));
  sys_days d = year{y} / month{m} / std::chrono::day{static_cast<unsigned>(day)};
  return static_cast<int32_t>(d.time_since_epoch().count());
}

// Symbol 0 is non-ASCII, to exercise UTF-8 end to end.
inline std::string SymbolName(int i) {
  if (i == 0) return "\xC3\x84PFEL-\xE6\x97\xA5\xE6\x9C\xAC";  // "ÄPFEL-日本"
  char buf[16];
  std::snprintf(buf, sizeof buf, "SYM%05d", i);
  return buf;
}

// days x strategies x symbols rows; every 7th score is NULL; `seed` shifts scores.
inline RecordBatch MakeSignals(const std::string& year_month, int days, int symbols,
                               int strategies, int seed) {
  RecordBatch b = EmptyBatch(SignalsSchema());
  auto& c = b.columns;
  c[7].validity.reserve(static_cast<size_t>(days) * symbols * strategies);
  for (int d = 1; d <= days; ++d) {
    for (int s = 0; s < strategies; ++s) {
      for (int i = 0; i < symbols; ++i) {
        size_t row = b.num_rows++;
        c[0].As<int32_t>().push_back(DayOf(year_month, d));
        c[1].As<std::string>().push_back(year_month);
        c[2].As<std::string>().push_back(SymbolName(i));
        c[3].As<std::string>().push_back("Strategy_" + std::to_string(s));
        c[4].As<int32_t>().push_back(i + 1);
        c[5].As<double>().push_back(symbols == 1 ? 1.0 : 1.0 - double(i) / (symbols - 1));
        c[6].As<int32_t>().push_back(symbols);
        bool null_score = row % 7 == 3;
        c[7].As<double>().push_back(null_score ? 0.0 : (seed + 1) * 0.001 * double(row % 997) - 0.3);
        c[7].validity.push_back(null_score ? 0 : 1);
      }
    }
  }
  return b;
}

inline RecordBatch MakeComposite(const std::string& year_month, int days, int symbols, int seed) {
  RecordBatch b = EmptyBatch(CompositeSchema());
  auto& c = b.columns;
  for (int d = 1; d <= days; ++d) {
    for (int i = 0; i < symbols; ++i) {
      b.num_rows++;
      c[0].As<int32_t>().push_back(DayOf(year_month, d));
      c[1].As<std::string>().push_back(year_month);
      c[2].As<std::string>().push_back(SymbolName(i));
      c[3].As<double>().push_back(double((i * 7919 + seed) % 1000) / 999.0);
      c[4].As<int32_t>().push_back(6);
      c[5].As<int32_t>().push_back((i + seed) % 7);
      c[6].As<int32_t>().push_back(i + 1);
    }
  }
  return b;
}

}  // namespace rs::postgres::testing

#endif  // RS_TESTS_POSTGRES_SIGNAL_BATCHES_H_
