// Deterministic synthetic gold inputs (market_daily, finance_daily) for
// demos, tests and benchmarks. See docs/signals.md "Sample data" for what the
// generator puts in: random-walk closes on weekdays, late listings, gaps,
// halts, invalid rows, tied closes and sparse, sometimes non-positive P/E.
//
// The output depends only on the options (own PRNG, no std:: distributions,
// only + - * / and rounding), so it is identical across platforms.
#ifndef RS_SIGNALS_SAMPLE_DATA_H_
#define RS_SIGNALS_SAMPLE_DATA_H_

#include <cstdint>

#include "common/columnar.h"
#include "common/status.h"

namespace rs::signals {

struct SampleOptions {
  int symbols = 50;
  int32_t start_date = 19358;  // 2023-01-01, days since epoch
  int32_t end_date = 20088;    // 2024-12-31, inclusive
  uint64_t seed = 42;
};

struct SampleData {
  RecordBatch market_daily;   // date, symbol, close (double), volume (double)
  RecordBatch finance_daily;  // date, symbol, pe_ratio (double, nullable)
};

// Errors: InvalidArgument when symbols < 1 or end_date < start_date.
[[nodiscard]] Result<SampleData> GenerateSampleData(const SampleOptions& options);

}  // namespace rs::signals

#endif  // RS_SIGNALS_SAMPLE_DATA_H_
