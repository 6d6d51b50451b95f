// signals_sample_csv: writes GenerateSampleData() output as market.csv and
// finance.csv, for the DuckDB reference and benchmark scripts.
// Usage: signals_sample_csv <dir> [symbols=50] [years=2] [seed=42]
//   (the years end on 2024-12-31)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "signals/sample_data.h"
#include "signals/sample_csv.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <dir> [symbols] [years] [seed]\n", argv[0]);
    return 2;
  }
  rs::signals::SampleOptions opt;
  opt.end_date = 20088;  // 2024-12-31
  if (argc > 2) opt.symbols = std::atoi(argv[2]);
  int years = argc > 3 ? std::atoi(argv[3]) : 2;
  opt.start_date = opt.end_date + 1 - static_cast<int32_t>(years * 365.25);
  if (argc > 4) opt.seed = std::strtoull(argv[4], nullptr, 10);
  auto data = rs::signals::GenerateSampleData(opt);
  if (!data.ok()) {
    std::fprintf(stderr, "error: %s\n", data.status().ToString().c_str());
    return 1;
  }
  if (!rs::signals::testing::WriteSampleCsv(*data, argv[1])) {
    std::fprintf(stderr, "error: cannot write CSV files to %s\n", argv[1]);
    return 1;
  }
  std::printf("%zu market rows, %zu finance rows written to %s\n", data->market_daily.num_rows,
              data->finance_daily.num_rows, argv[1]);
  return 0;
}
