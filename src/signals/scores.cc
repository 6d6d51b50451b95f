// Scores recompute every window exactly from its own rows (no running sums),
// so a value never depends on where a computation started: a month ranked
// alone is bit-identical to the same month in a full run, and the error stays
// at a few ulps, far inside the 1e-9 contract against a SQL engine.
#include "signals/scores_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rs::signals::internal {
namespace {

constexpr double kNoScore = std::numeric_limits<double>::quiet_NaN();
constexpr int kMomentumLag = 60;
constexpr int kMomentumLong = 252;
constexpr int kMomentumSkip = 21;
constexpr int kReversalLag = 21;
constexpr int kVolWindow = 63;
constexpr int kTrendShort = 50;
constexpr int kTrendLong = 200;

// c[i] / c[i - lag] - 1, or no score when i < lag.
double Change(const double* c, int64_t i, int64_t lag) {
  return i >= lag ? c[i] / c[i - lag] - 1.0 : kNoScore;
}

double TrendScore(const double* c, int64_t i) {
  if (i < kTrendLong - 1) return kNoScore;
  double short_avg = WindowSum(c + i - (kTrendShort - 1), kTrendShort) / kTrendShort;
  double long_avg = WindowSum(c + i - (kTrendLong - 1), kTrendLong) / kTrendLong;
  return short_avg / long_avg - 1.0;
}

// `returns[k - first]` holds r[k] for k >= first.
double LowVolScore(const double* returns, int64_t first, int64_t i) {
  if (i < kVolWindow) return kNoScore;
  return SampleStddev(returns + (i - (kVolWindow - 1) - first), kVolWindow) * std::sqrt(252.0);
}

// The latest finance row on or before each ranked date decides; a later row
// with an unusable P/E hides older usable ones (docs/signals.md, Value_PE).
class PeCursor {
 public:
  PeCursor(const SeriesView& s, int32_t first_date) : s_(s) {
    if (s_.finance_dates == nullptr) return;
    next_ = std::upper_bound(s_.finance_dates, s_.finance_dates + s_.finance_size, first_date) -
            s_.finance_dates;
  }
  double ScoreOn(int32_t date) {
    if (s_.finance_dates == nullptr) return kNoScore;
    while (next_ < s_.finance_size && s_.finance_dates[next_] <= date) ++next_;
    if (next_ == 0) return kNoScore;
    double pe = s_.pe_ratios[next_ - 1];
    return std::isfinite(pe) && pe > 0 ? pe : kNoScore;
  }

 private:
  const SeriesView& s_;
  int64_t next_ = 0;  // first finance row after the last date asked
};

}  // namespace

double WindowSum(const double* x, int n) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    a0 += x[k];
    a1 += x[k + 1];
    a2 += x[k + 2];
    a3 += x[k + 3];
  }
  for (; k < n; ++k) a0 += x[k];
  return (a0 + a1) + (a2 + a3);
}

double SampleStddev(const double* x, int n) {
  double mean = WindowSum(x, n) / n;
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    double d0 = x[k] - mean, d1 = x[k + 1] - mean, d2 = x[k + 2] - mean, d3 = x[k + 3] - mean;
    a0 += d0 * d0;
    a1 += d1 * d1;
    a2 += d2 * d2;
    a3 += d3 * d3;
  }
  for (; k < n; ++k) a0 += (x[k] - mean) * (x[k] - mean);
  return std::sqrt(((a0 + a1) + (a2 + a3)) / (n - 1));
}

void ComputeScores(const SeriesView& series, int64_t lo, int64_t hi, std::vector<double>* scratch,
                   double* out) {
  const double* c = series.closes;
  // Log returns r[k] = ln(c[k] / c[k-1]) for the windows ending in [lo, hi).
  int64_t first_return = std::max<int64_t>(1, lo - (kVolWindow - 1));
  scratch->resize(static_cast<size_t>(std::max<int64_t>(0, hi - first_return)));
  for (int64_t k = first_return; k < hi; ++k) {
    (*scratch)[k - first_return] = std::log(c[k] / c[k - 1]);
  }
  PeCursor pe(series, lo > 0 ? series.dates[lo - 1] : std::numeric_limits<int32_t>::min());
  for (int64_t i = lo; i < hi; ++i) {
    double* row = out + (i - lo) * kNumStrategies;
    row[kLowVol63D] = LowVolScore(scratch->data(), first_return, i);
    row[kMomentum12_1] =
        i >= kMomentumLong ? c[i - kMomentumSkip] / c[i - kMomentumLong] - 1.0 : kNoScore;
    row[kMomentum60D] = Change(c, i, kMomentumLag);
    row[kReversal21D] = Change(c, i, kReversalLag);
    row[kTrend50_200] = TrendScore(c, i);
    row[kValuePE] = pe.ScoreOn(series.dates[i]);
  }
}

}  // namespace rs::signals::internal
