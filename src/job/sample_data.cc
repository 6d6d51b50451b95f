#include "job/sample_data.h"

#include <map>
#include <vector>

#include "signals/months.h"

namespace rs::job {
namespace {

// Adds year_month and splits the rows by it.
std::map<std::string, RecordBatch> SplitByMonth(const RecordBatch& batch) {
  int date_col = batch.FindColumn("date");
  const auto& dates = batch.columns[date_col].As<int32_t>();
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) rows[YearMonthOf(dates[i])].push_back(i);
  std::map<std::string, RecordBatch> out;
  for (auto& [month, idx] : rows) {
    RecordBatch part = TakeRows(batch, idx);
    Field f{"year_month", DataType::Primitive(TypeId::kString), false};
    ColumnVector ym = ColumnVector::Make(f);
    ym.As<std::string>().assign(idx.size(), month);
    part.schema.push_back(f);
    part.columns.push_back(std::move(ym));
    out.emplace(month, std::move(part));
  }
  return out;
}

Result<int64_t> WriteGoldTable(const Lake& lake, const std::string& path, const RecordBatch& batch,
                               const std::string& run_id) {
  auto parts = SplitByMonth(batch);
  std::vector<std::string> months;
  for (const auto& [m, _] : parts) months.push_back(m);
  Schema schema = batch.schema;
  schema.push_back(Field{"year_month", DataType::Primitive(TypeId::kString), false});
  std::string where = "write " + lake.Describe(path);
  RS_ASSIGN_OR_RETURN_CTX(auto table, lake.OpenTable(path), where);
  delta::CommitOptions opts;
  opts.run_id = run_id;
  RS_ASSIGN_OR_RETURN_CTX(auto tx, table.BeginOverwrite(schema, {"year_month"}, months, opts),
                          where);
  for (const auto& [month, part] : parts) {
    Status s = tx.WritePartition(month, part);
    if (!s.ok()) return s.WithCleanupError(tx.Abandon()).Annotate(where);
  }
  RS_ASSIGN_OR_RETURN_CTX(auto outcome, tx.Commit(), where);
  return outcome.version;
}

}  // namespace

Result<SampleDataWritten> WriteSampleData(const Lake& lake, const signals::SampleOptions& options,
                                          const std::string& run_id) {
  RS_ASSIGN_OR_RETURN(auto data, signals::GenerateSampleData(options));
  SampleDataWritten w;
  w.market_rows = static_cast<int64_t>(data.market_daily.num_rows);
  w.finance_rows = static_cast<int64_t>(data.finance_daily.num_rows);
  RS_ASSIGN_OR_RETURN(w.market_version,
                      WriteGoldTable(lake, lake.layout().market, data.market_daily, run_id));
  RS_ASSIGN_OR_RETURN(w.finance_version,
                      WriteGoldTable(lake, lake.layout().finance, data.finance_daily, run_id));
  return w;
}

}  // namespace rs::job
