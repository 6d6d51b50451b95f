// RankMonth(): stage 1 for one month.
//
// 1. Scores: symbols are split into chunks scored in parallel; each chunk
//    appends (day, strategy, symbol, score) entries to its own vector.
// 2. Cross-sections: entries are bucketed by (day of month, strategy) and each
//    bucket is sorted in parallel by score in the better direction, then by
//    symbol id (= symbol ASC in byte order, see prepared_internal.h).
// 3. Output: buckets in (date, strategy) order, rank = position + 1.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "common/calendar.h"
#include "common/parallel.h"
#include "signals/columns_internal.h"
#include "signals/prepared_internal.h"
#include "signals/ranking.h"
#include "signals/scores_internal.h"

namespace rs::signals {
namespace {

using internal::kNumStrategies;

constexpr size_t kSymbolsPerChunk = 32;
constexpr int kMaxDaysInMonth = 31;

struct Entry {
  int32_t symbol;
  int16_t bucket;  // day_of_month * kNumStrategies + strategy
  double score;
};

struct Ranked {
  double score;
  int32_t symbol;
};

internal::SeriesView ViewOf(const PreparedInput::Data& d, size_t s) {
  internal::SeriesView v;
  int64_t b = d.series_begin[s];
  v.dates = d.dates.data() + b;
  v.closes = d.closes.data() + b;
  v.size = d.series_begin[s + 1] - b;
  if (d.has_finance) {
    int64_t f = d.finance_begin[s];
    v.finance_dates = d.finance_dates.data() + f;
    v.pe_ratios = d.pe_ratios.data() + f;
    v.finance_size = d.finance_begin[s + 1] - f;
  }
  return v;
}

// Scores of symbols [lo, hi) on the dates [first_day, end_day).
void ScoreChunk(const PreparedInput::Data& d, size_t lo, size_t hi, int32_t first_day,
                int32_t end_day, std::vector<Entry>* out) {
  std::vector<double> scratch;
  std::vector<double> scores;
  for (size_t s = lo; s < hi; ++s) {
    internal::SeriesView v = ViewOf(d, s);
    int64_t row_lo = std::lower_bound(v.dates, v.dates + v.size, first_day) - v.dates;
    int64_t row_hi = std::lower_bound(v.dates, v.dates + v.size, end_day) - v.dates;
    if (row_lo == row_hi) continue;
    scores.resize(static_cast<size_t>(row_hi - row_lo) * kNumStrategies);
    internal::ComputeScores(v, row_lo, row_hi, &scratch, scores.data());
    for (int64_t i = row_lo; i < row_hi; ++i) {
      int day = v.dates[i] - first_day;
      for (int k = 0; k < kNumStrategies; ++k) {
        double score = scores[(i - row_lo) * kNumStrategies + k];
        if (std::isnan(score)) continue;
        out->push_back({static_cast<int32_t>(s), static_cast<int16_t>(day * kNumStrategies + k),
                        score});
      }
    }
  }
}

// Entries grouped by bucket: bucket b is [begin[b], begin[b + 1]) of `ranked`.
struct Buckets {
  std::vector<size_t> begin;
  std::vector<Ranked> ranked;
};

Buckets GroupByBucket(const std::vector<std::vector<Entry>>& chunks) {
  Buckets b;
  b.begin.assign(kMaxDaysInMonth * kNumStrategies + 1, 0);
  for (const auto& chunk : chunks) {
    for (const Entry& e : chunk) ++b.begin[e.bucket + 1];
  }
  for (size_t k = 1; k < b.begin.size(); ++k) b.begin[k] += b.begin[k - 1];
  b.ranked.resize(b.begin.back());
  std::vector<size_t> cursor(b.begin.begin(), b.begin.end() - 1);
  for (const auto& chunk : chunks) {
    for (const Entry& e : chunk) b.ranked[cursor[e.bucket]++] = {e.score, e.symbol};
  }
  return b;
}

// A key whose unsigned order is the score's order, better first: the IEEE
// bits with the sign folded in, -0.0 taken as 0.0 (they tie, as in the
// comparison), complemented when higher is better. Scores are never NaN.
uint64_t SortKey(double score, bool higher_is_better) {
  if (score == 0) score = 0;
  uint64_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  uint64_t key = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  return higher_is_better ? ~key : key;
}

// Sorts [first, first + n) by score, better first, then by symbol ascending.
// The bucket arrives in ascending symbol order (GroupByBucket keeps the
// chunks' order), so a stable sort by score alone gives the tie order: an LSD
// radix sort over the key's bytes, skipping bytes all entries share.
void SortBucket(Ranked* first, size_t n, bool higher_is_better, std::vector<Ranked>* scratch) {
  if (n < 128) {
    std::sort(first, first + n, [higher_is_better](const Ranked& x, const Ranked& y) {
      if (x.score != y.score) return higher_is_better ? x.score > y.score : x.score < y.score;
      return x.symbol < y.symbol;
    });
    return;
  }
  uint32_t count[8][256] = {};
  for (size_t i = 0; i < n; ++i) {
    uint64_t key = SortKey(first[i].score, higher_is_better);
    for (int byte = 0; byte < 8; ++byte) ++count[byte][(key >> (8 * byte)) & 0xFF];
  }
  scratch->resize(n);
  Ranked* src = first;
  Ranked* dst = scratch->data();
  for (int byte = 0; byte < 8; ++byte) {
    uint32_t* c = count[byte];
    if (std::find(c, c + 256, n) != c + 256) continue;  // every entry has the same byte
    uint32_t offset = 0;
    for (int v = 0; v < 256; ++v) offset += std::exchange(c[v], offset);
    for (size_t i = 0; i < n; ++i) {
      uint64_t key = SortKey(src[i].score, higher_is_better);
      dst[c[(key >> (8 * byte)) & 0xFF]++] = src[i];
    }
    std::swap(src, dst);
  }
  if (src != first) std::copy(src, src + n, first);
}

void SortBuckets(Buckets* b, int threads) {
  size_t n = b->begin.size() - 1;
  ParallelForChunks(n, 1, threads, [&](size_t lo, size_t hi) {
    std::vector<Ranked> scratch;
    for (size_t k = lo; k < hi; ++k) {
      SortBucket(b->ranked.data() + b->begin[k], b->begin[k + 1] - b->begin[k],
                 internal::kHigherIsBetter[k % kNumStrategies], &scratch);
    }
  });
}

RecordBatch BuildOutput(const PreparedInput::Data& d, const Buckets& b, int32_t first_day,
                        const std::string& year_month, int threads) {
  RecordBatch out = internal::MakeSizedBatch(RankingsSchema(), b.ranked.size(), threads);
  auto& date = out.columns[0].As<int32_t>();
  auto& month = out.columns[1].As<std::string>();
  auto& strategy = out.columns[2].As<std::string>();
  auto& symbol = out.columns[3].As<std::string>();
  auto& rank = out.columns[4].As<int32_t>();
  auto& score = out.columns[5].As<double>();
  const auto& names = StrategyNames();
  ParallelForChunks(b.begin.size() - 1, 1, threads, [&](size_t lo, size_t hi) {
    for (size_t k = lo; k < hi; ++k) {
      for (size_t row = b.begin[k]; row < b.begin[k + 1]; ++row) {
        const Ranked& r = b.ranked[row];
        date[row] = first_day + static_cast<int32_t>(k / kNumStrategies);
        month[row] = year_month;
        strategy[row] = names[k % kNumStrategies];
        symbol[row] = d.symbols[r.symbol];
        rank[row] = static_cast<int32_t>(row - b.begin[k] + 1);
        score[row] = r.score;
      }
    }
  });
  return out;
}

}  // namespace

const std::vector<std::string>& StrategyNames() {
  static const std::vector<std::string> kNames = {"LowVol_63D",   "Momentum_12_1",
                                                  "Momentum_60D", "Reversal_21D",
                                                  "Trend_50_200", "Value_PE"};
  return kNames;
}

Schema RankingsSchema() {
  return {
      {"date", DataType::Primitive(TypeId::kDate), false},
      {"year_month", DataType::Primitive(TypeId::kString), false},
      {"strategy", DataType::Primitive(TypeId::kString), false},
      {"symbol", DataType::Primitive(TypeId::kString), false},
      {"rank", DataType::Primitive(TypeId::kInteger), false},
      {"score", DataType::Primitive(TypeId::kDouble), true},
  };
}

Result<RecordBatch> RankMonth(const PreparedInput& input, const std::string& year_month,
                              const EngineOptions& options) {
  auto parsed = YearMonth::Parse(year_month);
  if (!parsed.ok()) {
    return Status::InvalidArgument(
        fmt::format("rank month '{}': not a month; expected YYYY-MM", year_month));
  }
  const YearMonth month = *parsed;
  const PreparedInput::Data& d = input.data();
  int threads = ResolveThreads(options.threads);
  int32_t first_day = month.FirstDay();
  int32_t end_day = month.Next().FirstDay();
  size_t num_chunks = (d.symbols.size() + kSymbolsPerChunk - 1) / kSymbolsPerChunk;
  std::vector<std::vector<Entry>> chunks(num_chunks);
  ParallelForChunks(d.symbols.size(), kSymbolsPerChunk, threads, [&](size_t lo, size_t hi) {
    ScoreChunk(d, lo, hi, first_day, end_day, &chunks[lo / kSymbolsPerChunk]);
  });
  Buckets buckets = GroupByBucket(chunks);
  chunks.clear();
  SortBuckets(&buckets, threads);
  return BuildOutput(d, buckets, first_day, year_month, threads);
}

}  // namespace rs::signals
