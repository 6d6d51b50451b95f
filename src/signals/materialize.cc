// Materialize(): stage 2, `rankings` -> `ranking_signals` + `composite_signals`.
//
// Rows are bucketed by date (counting sort); each date is then independent
// and processed in parallel: sort by (strategy, rank, symbol), derive
// n_symbols and percentiles, then, in the same order, accumulate per symbol
// over strategies in name order for the composite. Dictionaries are sorted, so comparing ids
// compares names in byte order.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/dictionary.h"
#include "common/parallel.h"
#include "signals/columns_internal.h"
#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/symbols_internal.h"
#include "signals/weights_internal.h"

namespace rs::signals {
namespace {

constexpr std::string_view kTable = "rankings";

// The input, as ids and plain arrays.
struct Input {
  size_t rows = 0;
  const std::vector<int32_t>* dates = nullptr;
  std::vector<std::string> strategies;  // sorted
  std::vector<std::string> symbols;     // sorted
  std::vector<int32_t> strategy_ids;
  std::vector<int32_t> symbol_ids;
  std::vector<int64_t> ranks;
  const ColumnVector* score = nullptr;  // null when the column is absent
};

struct CompositeRow {
  int32_t symbol;
  double value;  // rounded
  int32_t present;
  int32_t hit;
  int32_t rank;
};

Status CheckNotNull(const ColumnVector& column, size_t rows) {
  if (column.validity.empty()) return Status::OK();
  for (size_t row = 0; row < rows; ++row) {
    if (!column.IsValid(row)) {
      return Status::InvalidArgument(fmt::format(
          "{}: row {} has a null '{}'; date, strategy, symbol and rank must be set", kTable, row,
          column.field.name));
    }
  }
  return Status::OK();
}

// Rankings from another tool meet the symbol rules of the gold inputs
// (symbols_internal.h): checked once per distinct symbol.
Status CheckSymbols(const Input& in) {
  for (size_t id = 0; id < in.symbols.size(); ++id) {
    auto broken = internal::BrokenSymbolRule(in.symbols[id]);
    if (!broken) continue;
    auto row = std::find(in.symbol_ids.begin(), in.symbol_ids.end(), static_cast<int32_t>(id)) -
               in.symbol_ids.begin();
    return Status::InvalidArgument(fmt::format(
        "{}: column 'symbol' holds \"{}\" on {}, which {}: fix the rankings table", kTable,
        internal::ShowSymbol(in.symbols[id]), FormatDate((*in.dates)[row]), *broken));
  }
  return Status::OK();
}

Result<Input> ReadInput(const RecordBatch& rankings, int threads) {
  Input in;
  in.rows = rankings.num_rows;
  RS_ASSIGN_OR_RETURN(auto* date, internal::RequireColumn(rankings, kTable, "date", {TypeId::kDate}));
  RS_ASSIGN_OR_RETURN(auto* strategy,
                      internal::RequireColumn(rankings, kTable, "strategy", {TypeId::kString}));
  RS_ASSIGN_OR_RETURN(auto* symbol,
                      internal::RequireColumn(rankings, kTable, "symbol", {TypeId::kString}));
  RS_ASSIGN_OR_RETURN(auto* rank, internal::RequireColumn(rankings, kTable, "rank",
                                                          {TypeId::kInteger, TypeId::kLong}));
  if (rankings.FindColumn("score") >= 0) {
    RS_ASSIGN_OR_RETURN(in.score,
                        internal::RequireColumn(rankings, kTable, "score", {TypeId::kDouble}));
  }
  for (const ColumnVector* c : {date, strategy, symbol, rank}) {
    RS_RETURN_IF_ERROR(CheckNotNull(*c, in.rows));
  }
  in.dates = &date->As<int32_t>();
  in.strategies = SortedDictionary(strategy->As<std::string>(), threads, &in.strategy_ids);
  in.symbols = SortedDictionary(symbol->As<std::string>(), threads, &in.symbol_ids);
  RS_RETURN_IF_ERROR(CheckSymbols(in));
  if (rank->field.type.id == TypeId::kLong) {
    in.ranks = rank->As<int64_t>();
  } else {
    in.ranks.assign(rank->As<int32_t>().begin(), rank->As<int32_t>().end());
  }
  return in;
}

// One weight per present strategy (by id).
Result<std::vector<double>> ResolveWeights(const std::map<std::string, double>& configured,
                                           const std::vector<std::string>& strategies) {
  if (configured.empty()) return std::vector<double>(strategies.size(), 1.0);
  std::vector<double> weights;
  std::vector<std::pair<std::string, double>> present;
  for (const std::string& name : strategies) {
    auto it = configured.find(name);
    if (it == configured.end()) {
      return Status::InvalidArgument(fmt::format(
          "composite weights: strategy '{}' is present in rankings but has no weight in "
          "RANKING_COMPOSITE_STRATEGY_WEIGHTS; give every present strategy a weight",
          name));
    }
    weights.push_back(it->second);
    present.emplace_back(name, it->second);
  }
  if (!strategies.empty()) {
    RS_RETURN_IF_ERROR_CTX(
        internal::CheckWeights(present, "the weights of the strategies present"),
        "composite weights");
  }
  return weights;
}

// Rows bucketed by date: date k is dates[k], rows [begin[k], begin[k + 1]).
struct DateGroups {
  std::vector<int32_t> dates;
  std::vector<size_t> begin;
  std::vector<uint32_t> rows;
};

DateGroups GroupByDate(const std::vector<int32_t>& dates) {
  DateGroups g;
  g.begin.push_back(0);
  if (dates.empty()) return g;
  auto [lo, hi] = std::minmax_element(dates.begin(), dates.end());
  int32_t base = *lo;
  std::vector<size_t> count(static_cast<size_t>(*hi - base) + 1, 0);
  for (int32_t d : dates) ++count[d - base];
  std::vector<size_t> slot(count.size(), 0);
  for (size_t k = 0; k < count.size(); ++k) {
    if (count[k] == 0) continue;
    slot[k] = g.begin.back();
    g.dates.push_back(base + static_cast<int32_t>(k));
    g.begin.push_back(g.begin.back() + count[k]);
  }
  g.rows.resize(dates.size());
  for (size_t row = 0; row < dates.size(); ++row) {
    g.rows[slot[dates[row] - base]++] = static_cast<uint32_t>(row);
  }
  return g;
}

struct Context {
  const Input* in;
  const DateGroups* groups;
  const std::vector<double>* weights;
  int top_n;
  RecordBatch* signals;
};

std::string DescribeRow(const Context& ctx, uint32_t row) {
  return fmt::format("strategy {}, symbol {} on {}",
                     ctx.in->strategies[ctx.in->strategy_ids[row]],
                     ctx.in->symbols[ctx.in->symbol_ids[row]],
                     FormatDate((*ctx.in->dates)[row]));
}

// Writes the ranking_signals rows of date k at its output positions (sorted
// rows of the date), checking every rank against n_symbols.
Status WriteSignals(const Context& ctx, size_t k, std::vector<uint32_t>* rows,
                    std::vector<double>* percentile) {
  const Input& in = *ctx.in;
  auto before = [&](uint32_t a, uint32_t b) {
    if (in.strategy_ids[a] != in.strategy_ids[b]) return in.strategy_ids[a] < in.strategy_ids[b];
    if (in.ranks[a] != in.ranks[b]) return in.ranks[a] < in.ranks[b];
    return in.symbol_ids[a] < in.symbol_ids[b];
  };
  // Rankings written by RankMonth() (or read back in file order) are already
  // in this order: checking is linear, sorting is not.
  if (!std::is_sorted(rows->begin(), rows->end(), before)) {
    std::sort(rows->begin(), rows->end(), before);
  }
  RecordBatch& out = *ctx.signals;
  auto& out_date = out.columns[0].As<int32_t>();
  auto& out_month = out.columns[1].As<std::string>();
  auto& out_symbol = out.columns[2].As<std::string>();
  auto& out_strategy = out.columns[3].As<std::string>();
  auto& out_rank = out.columns[4].As<int32_t>();
  auto& out_pct = out.columns[5].As<double>();
  auto& out_n = out.columns[6].As<int32_t>();
  auto& out_score = out.columns[7].As<double>();
  auto& out_score_valid = out.columns[7].validity;
  const std::vector<double>* in_score = in.score ? &in.score->As<double>() : nullptr;
  std::string year_month = YearMonthOf(ctx.groups->dates[k]);
  size_t base = ctx.groups->begin[k];
  percentile->resize(rows->size());
  for (size_t first = 0; first < rows->size();) {
    size_t last = first;
    while (last < rows->size() && in.strategy_ids[(*rows)[last]] == in.strategy_ids[(*rows)[first]]) ++last;
    int64_t n = static_cast<int64_t>(last - first);
    for (size_t j = first; j < last; ++j) {
      uint32_t row = (*rows)[j];
      int64_t rank = in.ranks[row];
      if (rank < 1 || rank > n) {
        return Status::InvalidArgument(fmt::format(
            "{}: rank {} for {} is outside 1..{} (the number of symbols ranked that day)", kTable,
            rank, DescribeRow(ctx, row), n));
      }
      double pct = n == 1 ? 1.0 : 1.0 - static_cast<double>(rank - 1) / static_cast<double>(n - 1);
      (*percentile)[j] = pct;
      size_t o = base + j;
      out_date[o] = ctx.groups->dates[k];
      out_month[o] = year_month;
      out_symbol[o] = in.symbols[in.symbol_ids[row]];
      out_strategy[o] = in.strategies[in.strategy_ids[row]];
      out_rank[o] = static_cast<int32_t>(rank);
      out_pct[o] = pct;
      out_n[o] = static_cast<int32_t>(n);
      bool has_score = in_score != nullptr && in.score->IsValid(row);
      out_score[o] = has_score ? (*in_score)[row] : 0.0;
      out_score_valid[o] = has_score ? 1 : 0;
    }
    first = last;
  }
  return Status::OK();
}

// Rounds to 12 decimal places like DuckDB's round(x, 12): round(x * 1e12) / 1e12.
double RoundTo12(double x) {
  double r = std::round(x * 1e12) / 1e12;
  return std::isfinite(r) ? r : x;
}

// Per-symbol accumulators of one date, indexed by symbol id; reused from date
// to date by one thread (only the touched entries are reset).
struct CompositeScratch {
  std::vector<double> weighted, weight_sum;
  std::vector<int32_t> present, hit, last_strategy;
  std::vector<int32_t> touched;  // symbol ids seen on this date

  explicit CompositeScratch(size_t symbols)
      : weighted(symbols, 0), weight_sum(symbols, 0), present(symbols, 0), hit(symbols, 0),
        last_strategy(symbols, -1) {}

  void Reset() {
    for (int32_t s : touched) {
      weighted[s] = weight_sum[s] = 0;
      present[s] = hit[s] = 0;
      last_strategy[s] = -1;
    }
    touched.clear();
  }
};

// The composite rows of one date, sorted by (composite_rank, symbol). `rows`
// is in (strategy, rank, symbol) order, so one pass adds each symbol's terms
// in strategy-name order (the summation order SIGNALS.md fixes).
Status Composite(const Context& ctx, size_t k, const std::vector<uint32_t>& rows,
                 const std::vector<double>& percentile, CompositeScratch* acc,
                 std::vector<CompositeRow>* out) {
  const Input& in = *ctx.in;
  acc->Reset();
  for (size_t j = 0; j < rows.size(); ++j) {
    uint32_t row = rows[j];
    int32_t symbol = in.symbol_ids[row];
    int32_t strategy = in.strategy_ids[row];
    if (acc->present[symbol] == 0) {
      acc->touched.push_back(symbol);
    } else if (acc->last_strategy[symbol] == strategy) {
      return Status::InvalidArgument(fmt::format(
          "{}: duplicate row for {}; rankings must have one row per (date, strategy, symbol)",
          kTable, DescribeRow(ctx, row)));
    }
    acc->last_strategy[symbol] = strategy;
    double w = (*ctx.weights)[strategy];
    acc->weighted[symbol] += w * percentile[j];
    acc->weight_sum[symbol] += w;
    ++acc->present[symbol];
    if (in.ranks[row] <= ctx.top_n) ++acc->hit[symbol];
  }
  out->reserve(acc->touched.size());
  int32_t zero_weight_symbol = -1;  // the first in name order is reported
  for (int32_t symbol : acc->touched) {
    if (acc->weight_sum[symbol] == 0) {
      if (zero_weight_symbol < 0 || symbol < zero_weight_symbol) zero_weight_symbol = symbol;
      continue;
    }
    out->push_back(CompositeRow{symbol, RoundTo12(acc->weighted[symbol] / acc->weight_sum[symbol]),
                                acc->present[symbol], acc->hit[symbol], 0});
  }
  if (zero_weight_symbol >= 0) {
    return Status::InvalidArgument(fmt::format(
        "composite weights: the weights of the strategies ranking {} on {} sum to 0; use "
        "positive weights",
        in.symbols[zero_weight_symbol], FormatDate(ctx.groups->dates[k])));
  }
  // (value, symbol) is a total order: the order of `touched` does not matter.
  std::sort(out->begin(), out->end(), [](const CompositeRow& a, const CompositeRow& b) {
    return a.value > b.value || (a.value == b.value && a.symbol < b.symbol);
  });
  for (size_t j = 0; j < out->size(); ++j) {
    (*out)[j].rank = j == 0 ? 1 : (*out)[j - 1].rank + ((*out)[j].value != (*out)[j - 1].value);
  }
  return Status::OK();
}

RecordBatch BuildComposite(const Input& in, const DateGroups& g,
                           const std::vector<std::vector<CompositeRow>>& per_date, int threads) {
  std::vector<size_t> begin(per_date.size() + 1, 0);
  for (size_t k = 0; k < per_date.size(); ++k) begin[k + 1] = begin[k] + per_date[k].size();
  RecordBatch out = internal::MakeSizedBatch(CompositeSignalsSchema(), begin.back(), threads);
  ParallelForChunks(per_date.size(), 16, threads, [&](size_t lo, size_t hi) {
    for (size_t k = lo; k < hi; ++k) {
      std::string year_month = YearMonthOf(g.dates[k]);
      for (size_t j = 0; j < per_date[k].size(); ++j) {
        const CompositeRow& c = per_date[k][j];
        size_t o = begin[k] + j;
        out.columns[0].As<int32_t>()[o] = g.dates[k];
        out.columns[1].As<std::string>()[o] = year_month;
        out.columns[2].As<std::string>()[o] = in.symbols[c.symbol];
        out.columns[3].As<double>()[o] = c.value;
        out.columns[4].As<int32_t>()[o] = c.present;
        out.columns[5].As<int32_t>()[o] = c.hit;
        out.columns[6].As<int32_t>()[o] = c.rank;
      }
    }
  });
  return out;
}

}  // namespace

Schema RankingSignalsSchema() {
  return {
      {"date", DataType::Primitive(TypeId::kDate), false},
      {"year_month", DataType::Primitive(TypeId::kString), false},
      {"symbol", DataType::Primitive(TypeId::kString), false},
      {"strategy", DataType::Primitive(TypeId::kString), false},
      {"rank", DataType::Primitive(TypeId::kInteger), false},
      {"rank_percentile", DataType::Primitive(TypeId::kDouble), false},
      {"n_symbols", DataType::Primitive(TypeId::kInteger), false},
      {"score", DataType::Primitive(TypeId::kDouble), true},
  };
}

Schema CompositeSignalsSchema() {
  return {
      {"date", DataType::Primitive(TypeId::kDate), false},
      {"year_month", DataType::Primitive(TypeId::kString), false},
      {"symbol", DataType::Primitive(TypeId::kString), false},
      {"composite_percentile", DataType::Primitive(TypeId::kDouble), false},
      {"strategies_present", DataType::Primitive(TypeId::kInteger), false},
      {"strategies_hit", DataType::Primitive(TypeId::kInteger), false},
      {"composite_rank", DataType::Primitive(TypeId::kInteger), false},
  };
}

Result<DerivedSignals> Materialize(const RecordBatch& rankings, const MaterializeOptions& options) {
  if (options.top_n < 1) {
    return Status::InvalidArgument(fmt::format(
        "materialize: top_n (RANKING_SIGNALS_TOP_N) is {}, it must be at least 1", options.top_n));
  }
  if (rankings.num_rows > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("rankings: more than 2^32-1 rows in one batch; split by month");
  }
  int threads = ResolveThreads(options.threads);
  RS_ASSIGN_OR_RETURN(Input in, ReadInput(rankings, threads));
  RS_ASSIGN_OR_RETURN(std::vector<double> weights, ResolveWeights(options.weights, in.strategies));
  DateGroups groups = GroupByDate(*in.dates);
  DerivedSignals result;
  result.ranking_signals = internal::MakeSizedBatch(RankingSignalsSchema(), in.rows, threads);
  result.ranking_signals.columns[7].validity.assign(in.rows, 1);
  Context ctx{&in, &groups, &weights, options.top_n, &result.ranking_signals};
  std::vector<std::vector<CompositeRow>> composite(groups.dates.size());
  std::vector<Status> errors(groups.dates.size());
  ParallelForChunks(groups.dates.size(), 4, threads, [&](size_t lo, size_t hi) {
    std::vector<double> percentile;
    CompositeScratch scratch(in.symbols.size());
    for (size_t k = lo; k < hi; ++k) {
      std::vector<uint32_t> rows(groups.rows.begin() + groups.begin[k],
                                 groups.rows.begin() + groups.begin[k + 1]);
      errors[k] = WriteSignals(ctx, k, &rows, &percentile);
      if (errors[k].ok()) errors[k] = Composite(ctx, k, rows, percentile, &scratch, &composite[k]);
    }
  });
  for (const Status& s : errors) RS_RETURN_IF_ERROR(s);
  result.composite_signals = BuildComposite(in, groups, composite, threads);
  return result;
}

}  // namespace rs::signals
