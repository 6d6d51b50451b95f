// GenerateSampleData(): a deterministic synthetic market. Every symbol draws
// from its own splitmix64 stream (seeded from the run seed and its index), so
// a symbol's data does not depend on how many others are generated.
#include "signals/sample_data.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>

#include "signals/columns_internal.h"

namespace rs::signals {
namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Uniform() < p; }
  int Below(int n) { return static_cast<int>(Uniform() * n); }
  // Roughly standard normal (Irwin-Hall of 4 uniforms, scaled): only + and *.
  double Gaussian() { return (Uniform() + Uniform() + Uniform() + Uniform() - 2.0) * 1.7320508; }

 private:
  uint64_t state_;
};

// Names in byte order mostly follow the index; every 13th is lower case
// ("ab") so that byte order, not collation, is exercised by ties.
std::string SymbolName(int index) {
  std::string name;
  int n = index;
  do {
    name.insert(name.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  } while (n > 0);
  name = "S" + name;
  if (index % 13 == 7) {
    for (char& ch : name) ch = static_cast<char>(ch - 'A' + 'a');
  }
  return name;
}

bool IsWeekday(int32_t days) {
  int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday: 3
  return weekday < 5;                                        // 0 = Monday
}

double Cents(double x) { return std::round(x * 100.0) / 100.0; }

struct Tables {
  RecordBatch market;
  RecordBatch finance;
};

void AddMarketRow(Tables* t, int32_t date, const std::string& symbol, double close, bool close_null,
                  double volume) {
  auto& cols = t->market.columns;
  cols[0].As<int32_t>().push_back(date);
  cols[1].As<std::string>().push_back(symbol);
  cols[2].As<double>().push_back(close);
  cols[2].validity.push_back(close_null ? 0 : 1);
  cols[3].As<double>().push_back(volume);
  ++t->market.num_rows;
}

void AddFinanceRow(Tables* t, int32_t date, const std::string& symbol, double pe, bool pe_null) {
  auto& cols = t->finance.columns;
  cols[0].As<int32_t>().push_back(date);
  cols[1].As<std::string>().push_back(symbol);
  cols[2].As<double>().push_back(pe);
  cols[2].validity.push_back(pe_null ? 0 : 1);
  ++t->finance.num_rows;
}

// A published P/E: mostly positive, sometimes negative, zero, null or NaN.
void PublishPe(SplitMix64& rng, Tables* t, int32_t date, const std::string& symbol) {
  double u = rng.Uniform();
  if (u < 0.08) return AddFinanceRow(t, date, symbol, -Cents(5 + 40 * rng.Uniform()), false);
  if (u < 0.11) return AddFinanceRow(t, date, symbol, 0.0, false);
  if (u < 0.13) return AddFinanceRow(t, date, symbol, 0.0, true);
  if (u < 0.14) {
    return AddFinanceRow(t, date, symbol, std::numeric_limits<double>::quiet_NaN(), false);
  }
  AddFinanceRow(t, date, symbol, Cents(4 + 56 * rng.Uniform()), false);
}

// An invalid market row replacing the day's valid one.
void AddInvalidRow(SplitMix64& rng, Tables* t, int32_t date, const std::string& symbol,
                   double close) {
  switch (rng.Below(5)) {
    case 0: return AddMarketRow(t, date, symbol, 0.0, false, 1000);
    case 1: return AddMarketRow(t, date, symbol, -close, false, 1000);
    case 2: return AddMarketRow(t, date, symbol, std::numeric_limits<double>::quiet_NaN(), false, 1000);
    case 3: return AddMarketRow(t, date, symbol, close, false, -5);
    default: return AddMarketRow(t, date, symbol, 0.0, true, 1000);
  }
}

void GenerateSymbol(const SampleOptions& o, const std::vector<int32_t>& days, int index,
                    uint64_t stream, Tables* t) {
  SplitMix64 rng(o.seed * 0x9E3779B97F4A7C15ull + stream);
  std::string symbol = SymbolName(index);
  size_t n = days.size();
  size_t first = rng.Chance(0.25) ? static_cast<size_t>(rng.Below(static_cast<int>(n))) : 0;
  size_t last = rng.Chance(0.08) ? first + static_cast<size_t>(rng.Below(static_cast<int>(n - first))) : n - 1;
  bool has_pe = !rng.Chance(0.1);
  double close = Cents(10 + 190 * rng.Uniform());
  double drift = 0.0004 * rng.Gaussian();
  double vol = 0.01 + 0.03 * rng.Uniform();
  int halt_days = 0;
  int next_pe = rng.Below(30);
  for (size_t k = first; k <= last; ++k) {
    if (has_pe && next_pe-- == 0) {
      PublishPe(rng, t, days[k], symbol);
      next_pe = 20 + rng.Below(50);
    }
    if (halt_days == 0 && rng.Chance(0.004)) halt_days = 1 + rng.Below(8);
    if (halt_days > 0) {
      --halt_days;
      if (rng.Chance(0.5)) continue;  // a gap: no row at all
      AddMarketRow(t, days[k], symbol, close, false, 0.0);  // a halt: unchanged close
      continue;
    }
    if (rng.Chance(0.01)) continue;
    close = std::max(0.01, Cents(close * (1 + drift + vol * rng.Gaussian())));
    if (rng.Chance(0.003)) {
      AddInvalidRow(rng, t, days[k], symbol, close);
      continue;
    }
    AddMarketRow(t, days[k], symbol, close, false, std::round(1000 + 1e6 * rng.Uniform()));
  }
}

}  // namespace

Result<SampleData> GenerateSampleData(const SampleOptions& options) {
  if (options.symbols < 1) {
    return Status::InvalidArgument(
        fmt::format("sample data: symbols is {}, it must be at least 1", options.symbols));
  }
  if (options.end_date < options.start_date) {
    return Status::InvalidArgument("sample data: end_date is before start_date");
  }
  std::vector<int32_t> days;
  for (int32_t d = options.start_date; d <= options.end_date; ++d) {
    if (IsWeekday(d)) days.push_back(d);
  }
  if (days.empty()) return Status::InvalidArgument("sample data: the date range has no weekday");
  Tables t;
  t.market = internal::MakeSizedBatch({{"date", DataType::Primitive(TypeId::kDate), false},
                                       {"symbol", DataType::Primitive(TypeId::kString), false},
                                       {"close", DataType::Primitive(TypeId::kDouble), true},
                                       {"volume", DataType::Primitive(TypeId::kDouble), true}},
                                      0);
  t.finance = internal::MakeSizedBatch({{"date", DataType::Primitive(TypeId::kDate), false},
                                        {"symbol", DataType::Primitive(TypeId::kString), false},
                                        {"pe_ratio", DataType::Primitive(TypeId::kDouble), true}},
                                       0);
  for (int s = 0; s < options.symbols; ++s) {
    // Every 17th symbol is a twin of the previous one: equal closes, tied scores.
    uint64_t stream = (s % 17 == 5) ? static_cast<uint64_t>(s - 1) : static_cast<uint64_t>(s);
    GenerateSymbol(options, days, s, stream, &t);
  }
  return SampleData{std::move(t.market), std::move(t.finance)};
}

}  // namespace rs::signals
