// Cross-checks the engine against an independent SQL implementation of
// SIGNALS.md run in DuckDB (crosscheck_duckdb.mjs), on generated data with
// gaps, halts, invalid rows, late listings, twins (tied scores) and sparse,
// sometimes unusable P/E ratios. Every row and column is compared.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "common/test_services.h"
#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_csv.h"
#include "signals/sample_data.h"
#include "signals_test_util.h"

namespace rs::signals {
namespace {

using testing::Csv;

constexpr const char* kWeights =
    R"({"LowVol_63D": 1, "Momentum_12_1": 2, "Momentum_60D": 1.5, "Reversal_21D": 0.5, )"
    R"("Trend_50_200": 1, "Value_PE": 3})";
constexpr int kTopN = 10;

// SIGNALS.md: |a - b| <= 1e-9 * max(1, |b|).
bool Close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }
bool NearTie(double a, double b) {
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

using Key = std::tuple<std::string, std::string, std::string>;  // date, strategy/"", symbol

// Rows of a table keyed by (date, strategy, symbol), fields by column name.
using Table = std::map<Key, std::map<std::string, std::string>>;

Table FromCsv(const Csv& csv, bool has_strategy) {
  Table t;
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    Key key{csv.Get(r, "date"), has_strategy ? csv.Get(r, "strategy") : "", csv.Get(r, "symbol")};
    for (const auto& [name, k] : csv.columns) t[key][name] = csv.rows[r][k];
  }
  return t;
}

Table FromBatch(const RecordBatch& b, bool has_strategy) {
  Table t;
  int strategy = b.FindColumn("strategy");
  for (size_t r = 0; r < b.num_rows; ++r) {
    Key key{FormatDate(b.columns[0].As<int32_t>()[r]),
            has_strategy ? b.columns[strategy].As<std::string>()[r] : "",
            b.columns[b.FindColumn("symbol")].As<std::string>()[r]};
    for (size_t k = 0; k < b.schema.size(); ++k) {
      t[key][b.schema[k].name] = testing::CsvCell(b.columns[k], r);
    }
  }
  return t;
}

double Num(const std::string& s) { return s.empty() ? std::nan("") : std::strtod(s.c_str(), nullptr); }

// (date, strategy, rank) -> value column of the reference, to explain rank differences.
using RankIndex = std::map<Key, double>;

RankIndex IndexByRank(const Table& ref, const std::string& rank_col, const std::string& value_col) {
  RankIndex index;
  for (const auto& [k, row] : ref) {
    index[{std::get<0>(k), std::get<1>(k), row.at(rank_col)}] = Num(row.at(value_col));
  }
  return index;
}

// Ranks may differ only between near-tied values: the rank the engine gave the
// row must be held in the reference by a row whose value is a near tie.
bool RankExplained(const RankIndex& index, const Key& key, const std::string& ours_rank,
                   double our_value) {
  auto it = index.find({std::get<0>(key), std::get<1>(key), ours_rank});
  return it != index.end() && NearTie(it->second, our_value);
}

// Mismatch descriptions (empty when the tables agree), at most `limit`.
std::vector<std::string> Compare(const std::string& table, const Table& ours, const Table& ref,
                                 const std::vector<std::string>& double_cols,
                                 const std::vector<std::string>& exact_cols,
                                 const std::string& rank_col, const std::string& value_col) {
  std::vector<std::string> out;
  RankIndex by_rank = rank_col.empty() ? RankIndex{} : IndexByRank(ref, rank_col, value_col);
  auto describe = [&](const Key& k) {
    return table + " " + std::get<0>(k) + " " + std::get<1>(k) + " " + std::get<2>(k);
  };
  if (ours.size() != ref.size()) {
    out.push_back(table + ": " + std::to_string(ours.size()) + " rows, reference has " +
                  std::to_string(ref.size()));
  }
  for (const auto& [key, row] : ours) {
    auto it = ref.find(key);
    if (it == ref.end()) {
      out.push_back(describe(key) + ": not in the reference");
      continue;
    }
    for (const auto& col : double_cols) {
      const std::string& a = row.at(col);
      const std::string& b = it->second.at(col);
      if (a.empty() != b.empty() || (!a.empty() && !Close(Num(a), Num(b)))) {
        out.push_back(describe(key) + " " + col + ": " + a + " vs reference " + b);
      }
    }
    for (const auto& col : exact_cols) {
      if (row.at(col) == it->second.at(col)) continue;
      if (!row.at(col).empty() && Num(row.at(col)) == Num(it->second.at(col))) continue;
      if (col == rank_col && RankExplained(by_rank, key, row.at(col), Num(row.at(value_col)))) {
        continue;
      }
      out.push_back(describe(key) + " " + col + ": " + row.at(col) + " vs reference " +
                    it->second.at(col));
    }
  }
  for (const auto& [key, row] : ref) {
    if (!ours.count(key)) out.push_back(describe(key) + ": missing from the engine's output");
  }
  return out;
}

RecordBatch Concat(const std::vector<RecordBatch>& parts) {
  RecordBatch all;
  all.schema = RankingsSchema();
  for (const Field& f : all.schema) all.columns.push_back(ColumnVector::Make(f));
  for (const RecordBatch& p : parts) {
    for (size_t k = 0; k < all.columns.size(); ++k) {
      std::visit(
          [&](auto& dst) {
            using V = std::decay_t<decltype(dst)>;
            const V& src = std::get<V>(p.columns[k].values);
            dst.insert(dst.end(), src.begin(), src.end());
          },
          all.columns[k].values);
    }
    all.num_rows += p.num_rows;
  }
  return all;
}

// The reference's rankings as an engine input for stage 2.
RecordBatch RankingsFromCsv(const Csv& csv) {
  RecordBatch b;
  b.schema = RankingsSchema();
  for (const Field& f : b.schema) b.columns.push_back(ColumnVector::Make(f));
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    b.columns[0].As<int32_t>().push_back(testing::Day(csv.Get(r, "date")));
    b.columns[1].As<std::string>().push_back(csv.Get(r, "year_month"));
    b.columns[2].As<std::string>().push_back(csv.Get(r, "strategy"));
    b.columns[3].As<std::string>().push_back(csv.Get(r, "symbol"));
    b.columns[4].As<int32_t>().push_back(std::stoi(csv.Get(r, "rank")));
    b.columns[5].As<double>().push_back(Num(csv.Get(r, "score")));
  }
  b.num_rows = csv.rows.size();
  return b;
}

void Report(const std::vector<std::string>& diff) {
  for (size_t k = 0; k < std::min<size_t>(diff.size(), 20); ++k) ADD_FAILURE() << diff[k];
  EXPECT_TRUE(diff.empty()) << diff.size() << " mismatches";
}

class SqlCrosscheckTest : public ::testing::Test {
 protected:
  // Generates the data and runs the reference once for all tests.
  static void SetUpTestSuite() {
    dir_ = rs::testing::MakeTempDir("signals-crosscheck");
    SampleOptions opt;
    opt.symbols = 60;
    opt.start_date = 18993;  // 2022-01-01
    opt.end_date = 20088;    // 2024-12-31
    opt.seed = 7;
    auto data = GenerateSampleData(opt);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    data_ = std::move(data).value();
    ASSERT_TRUE(testing::WriteSampleCsv(data_, dir_));
    std::ofstream(dir_ + "/weights.json") << kWeights;
    std::string cmd = "node " + rs::testing::SourcePath("tests/signals/crosscheck_duckdb.mjs") +
                      " " + dir_ + " " + dir_ + " " + dir_ + "/weights.json " +
                      std::to_string(kTopN);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  Table Reference(const std::string& name, bool has_strategy) {
    Csv csv;
    EXPECT_TRUE(testing::ReadCsv(dir_ + "/" + name + ".csv", &csv)) << name;
    return FromCsv(csv, has_strategy);
  }

  static inline std::string dir_;
  static inline SampleData data_;
};

TEST_F(SqlCrosscheckTest, RankingsMatchDuckDbOnEveryRowAndColumn) {
  PrepareStats stats;
  auto input = Prepare(data_.market_daily, &data_.finance_daily, &stats);
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  EXPECT_GT(stats.market_invalid_rows, 0);
  std::vector<RecordBatch> months;
  for (const std::string& m : AvailableMonths(*input)) {
    auto ranked = RankMonth(*input, m, EngineOptions{2});
    ASSERT_TRUE(ranked.ok()) << ranked.status().ToString();
    months.push_back(std::move(ranked).value());
  }
  Table ours = FromBatch(Concat(months), true);
  Table ref = Reference("rankings", true);
  // Ranks may differ only where DuckDB's window aggregates put 1-ulp noise
  // between twins' equal scores (SIGNALS.md: near ties, < 1e-12 relative).
  Report(Compare("rankings", ours, ref, {"score"}, {"year_month", "rank"}, "rank", "score"));

  // The data exercises every strategy.
  std::map<std::string, size_t> per_strategy;
  for (const auto& [key, row] : ref) ++per_strategy[std::get<1>(key)];
  EXPECT_EQ(per_strategy.size(), 6u);
  std::printf("compared %zu rankings; %lld invalid market rows dropped\n", ref.size(),
              static_cast<long long>(stats.market_invalid_rows));

  // The comparison itself must be able to fail: one perturbed score is caught.
  auto& first = ours.begin()->second;
  first["score"] = testing::CsvDouble(Num(first["score"]) * (1 + 1e-7));
  EXPECT_EQ(Compare("rankings", ours, ref, {"score"}, {"rank"}, "rank", "score").size(), 1u);
}

TEST_F(SqlCrosscheckTest, DerivedSignalsFromTheSameRankingsMatchDuckDbExactly) {
  Csv csv;
  ASSERT_TRUE(testing::ReadCsv(dir_ + "/rankings.csv", &csv));
  MaterializeOptions opt;
  auto weights = ParseWeights(kWeights);
  ASSERT_TRUE(weights.ok());
  opt.weights = *weights;
  opt.top_n = kTopN;
  auto derived = Materialize(RankingsFromCsv(csv), opt);
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  Report(Compare("ranking_signals", FromBatch(derived->ranking_signals, true),
                 Reference("ranking_signals", true), {"rank_percentile", "score"},
                 {"year_month", "rank", "n_symbols"}, "", ""));
  Table ours = FromBatch(derived->composite_signals, false);
  Table ref = Reference("composite_signals", false);
  Report(Compare("composite_signals", ours, ref, {},
                 {"year_month", "composite_percentile", "strategies_present", "strategies_hit",
                  "composite_rank"},
                 "", ""));
  std::printf("compared %zu ranking_signals and %zu composite rows\n",
              derived->ranking_signals.num_rows, ref.size());
}

}  // namespace
}  // namespace rs::signals
