// The ranking engine: gold inputs -> canonical `rankings` (stage 1) and
// `rankings` -> derived signals (stage 2), exactly as /docs/signals.md and the
// SIGNALS.md contract define them. Pure computation: no I/O, no logging, no
// environment; counts are returned for the caller to log.
//
// Call order: Prepare() once per input snapshot, then RankMonth() for each
// month (see months.h for AvailableMonths / ResolveMonthSpec), then
// Materialize() on the rankings of the months to derive.
//
// Memory: a PreparedInput holds the valid market rows (date, close) and the
// finance rows; RankMonth() allocates only one month of output.
//
// Thread-safety: a PreparedInput is immutable and may be shared by concurrent
// RankMonth() calls. Each call runs its own worker threads (options.threads).
#ifndef RS_SIGNALS_RANKING_H_
#define RS_SIGNALS_RANKING_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"

namespace rs::signals {

// The strategy names, in byte order (the output order of RankMonth()).
const std::vector<std::string>& StrategyNames();

// Counts from Prepare(), for the caller to log.
struct PrepareStats {
  int64_t market_rows = 0;          // rows in market_daily
  int64_t market_invalid_rows = 0;  // dropped: close/volume invalid, null date or symbol
  int64_t finance_rows = 0;         // rows in finance_daily (0 when absent)
  int64_t finance_invalid_rows = 0; // dropped: null date or empty symbol
  int64_t symbols = 0;              // distinct market symbols with at least one valid row
};

// Validated inputs as per-symbol series sorted by date. Immutable; cheap to copy.
class PreparedInput {
 public:
  struct Data;  // prepared_internal.h
  explicit PreparedInput(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  const Data& data() const { return *data_; }

 private:
  std::shared_ptr<const Data> data_;
};

// Validates and indexes the inputs. `market` needs columns date (date),
// symbol (string), close (double), volume (double or long); `finance` (may be
// null: Value_PE then ranks nothing) needs date, symbol, pe_ratio (double).
// Other columns are ignored.
// Errors (InvalidArgument): a missing column or wrong type, naming table and
// column; a date outside 0001-01-01..9999-12-31 or a symbol that is not
// UTF-8 (a damaged column), naming table and symbol or date; a duplicate
// (symbol, date) in either table, naming both.
// `stats` may be null.
[[nodiscard]] Result<PreparedInput> Prepare(const RecordBatch& market, const RecordBatch* finance,
                                            PrepareStats* stats);
// As above, taking the market rows: their `symbol` column is freed as soon
// as every row has its symbol's number, before the series are built. For a
// large input that column (a string per row) is most of the batch, so the
// peak memory of preparing falls by about as much.
[[nodiscard]] Result<PreparedInput> Prepare(RecordBatch&& market, const RecordBatch* finance,
                                            PrepareStats* stats);

// Per row of `market`, 1 when Prepare() keeps it in its symbol's series
// (a date, a non-empty symbol, close finite and > 0, volume finite and >= 0),
// else 0. For readers that count series rows before preparing, e.g. to know
// whether a window of dates holds a strategy's lookback. Errors as Prepare()'s
// for a missing or mistyped column, a date out of range or a broken symbol.
[[nodiscard]] Result<std::vector<uint8_t>> ValidMarketRows(const RecordBatch& market);

struct EngineOptions {
  int threads = 0;  // worker threads; 0 = std::thread::hardware_concurrency()
};

// Schema of `rankings`: date, year_month, strategy, symbol, rank (int), score (double, nullable).
Schema RankingsSchema();

// Stage 1: the `rankings` rows of every market date in `year_month` ("YYYY-MM"),
// sorted by (date, strategy, rank). A month without market rows gives an empty
// batch. Errors: InvalidArgument for a malformed month.
[[nodiscard]] Result<RecordBatch> RankMonth(const PreparedInput& input,
                                            const std::string& year_month,
                                            const EngineOptions& options);

struct MaterializeOptions {
  std::map<std::string, double> weights;  // strategy -> weight; empty = 1.0 for every strategy
  int top_n = 50;                         // strategies_hit counts rank <= top_n
  int threads = 0;                        // 0 = hardware_concurrency
};

struct DerivedSignals {
  RecordBatch ranking_signals;    // sorted by (date, strategy, rank)
  RecordBatch composite_signals;  // sorted by (date, composite_rank, symbol)
};

// The derived tables' schemas (SIGNALS.md order): the one serving-schema definition.
Schema RankingSignalsSchema();
Schema CompositeSignalsSchema();

// Stage 2, from rankings alone (any number of months, any row order).
// `rankings` needs date (date), strategy, symbol (string), rank (int or long);
// score (double) is optional (missing = null); year_month is recomputed.
// Errors (InvalidArgument): missing/mistyped columns, null keys, a duplicate
// (date, strategy, symbol), a rank outside 1..n_symbols, top_n < 1, a strategy
// without a weight, a weight that is negative or not finite, weights of the
// present strategies whose sum is not a finite number > 0.
[[nodiscard]] Result<DerivedSignals> Materialize(const RecordBatch& rankings,
                                                 const MaterializeOptions& options);

// Parses RANKING_COMPOSITE_STRATEGY_WEIGHTS: a JSON object of strategy -> number.
// A blank string means unset (empty map). Errors (InvalidArgument, the caller
// names the source): invalid JSON, not an object, a weight that is not a
// finite number >= 0, a sum that is not a finite number > 0 (1e308 twice).
[[nodiscard]] Result<std::map<std::string, double>> ParseWeights(const std::string& json);

}  // namespace rs::signals

#endif  // RS_SIGNALS_RANKING_H_
