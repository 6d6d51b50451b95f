// Per-row strategy scores of one symbol's series (SIGNALS.md "Strategies").
#ifndef RS_SIGNALS_SCORES_INTERNAL_H_
#define RS_SIGNALS_SCORES_INTERNAL_H_

#include <cstdint>
#include <vector>

namespace rs::signals::internal {

// Strategy ids follow the byte order of the names (StrategyNames()).
enum Strategy : int {
  kLowVol63D = 0,
  kMomentum12_1 = 1,
  kMomentum60D = 2,
  kReversal21D = 3,
  kTrend50_200 = 4,
  kValuePE = 5,
};
inline constexpr int kNumStrategies = 6;
inline constexpr bool kHigherIsBetter[kNumStrategies] = {false, true, true, false, true, false};

// One symbol's valid market rows and finance rows, both sorted by date.
struct SeriesView {
  const int32_t* dates = nullptr;
  const double* closes = nullptr;
  int64_t size = 0;
  const int32_t* finance_dates = nullptr;  // null when there is no finance input
  const double* pe_ratios = nullptr;
  int64_t finance_size = 0;
};

// Writes the scores of rows [lo, hi) to out[(i - lo) * kNumStrategies + strategy];
// NaN means "no score" (history too short, no usable P/E). Every value depends
// only on the rows it reads, never on lo, so any split of a series gives the
// same numbers. `scratch` is reused between calls.
void ComputeScores(const SeriesView& series, int64_t lo, int64_t hi, std::vector<double>* scratch,
                   double* out);

// Sum of x[0..n) with four interleaved accumulators: deterministic for a
// given window, about n * 2^-53 relative error, and fast.
double WindowSum(const double* x, int n);

// stddev_samp of x[0..n), two-pass (mean, then squared deviations). REQUIRES: n >= 2.
double SampleStddev(const double* x, int n);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_SCORES_INTERNAL_H_
