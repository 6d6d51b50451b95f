// Issue 21: a market_daily written with Delta column mapping (mode name,
// physical names col-<uuid>, a column renamed after the data was written)
// gives the job exactly the output of the same rows without the feature.
#include <gtest/gtest.h>

#include <algorithm>

#include "delta/mapped_table_writer.h"
#include "delta/row_json.h"
#include "job/job_test_lake.h"
#include "job/run.h"

namespace rs::job {
namespace {

using nlohmann::json;
using testing::NewMemoryLake;
using testing::TestLog;
using testing::WriteSampleInputs;

RecordBatch ScanAll(const Lake& lake, const std::string& path) {
  auto table = lake.OpenTable(path);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  auto snapshot = table->LoadSnapshot();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto batch = table->Scan(*snapshot);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(batch).value() : RecordBatch{};
}

std::vector<std::string> SortedRows(const RecordBatch& b) {
  std::vector<std::string> rows;
  for (size_t i = 0; i < b.num_rows; ++i) rows.push_back(delta::RowToJson(b, i));
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Rewrites `rows` (partitioned by year_month) as a table with column mapping
// at `path` of `lake`: v0 names column `renamed` `old_name`, v1 renames it.
// Files hold the columns reversed, under physical names.
void WriteMappedTable(const Lake& lake, const std::string& path, const RecordBatch& rows,
                      const std::string& renamed, const std::string& old_name) {
  auto table = lake.OpenTable(path);
  ASSERT_TRUE(table.ok());
  auto objects = table->store().List(table->root_key() + "/");
  ASSERT_TRUE(objects.ok());
  for (const auto& obj : *objects) {
    ASSERT_TRUE(table->store().Delete(obj.key).ok());
  }
  delta::testing::MappedTableWriter writer(table->shared_store(), table->root_key());
  json logical = json::parse(delta::SchemaFieldsJson(rows.schema));
  auto fields_named = [&](const std::string& new_name) {
    json fields = json::array();
    for (size_t i = 0; i < logical.size(); ++i) {
      std::string name = logical[i]["name"];
      fields.push_back(delta::testing::MappedField(
          name == renamed ? new_name : name, logical[i]["type"],
          delta::testing::PhysicalName(100 + i), static_cast<int>(i + 1)));
    }
    return fields;
  };
  std::vector<json> v0 =
      delta::testing::MappedTableWriter::Header(fields_named(old_name), {"year_month"}, "name");
  const int ym = rows.FindColumn("year_month");
  const std::string ym_physical = delta::testing::PhysicalName(100 + ym);
  std::map<std::string, std::vector<size_t>> by_month;
  for (size_t r = 0; r < rows.num_rows; ++r) {
    by_month[rows.columns[ym].As<std::string>()[r]].push_back(r);
  }
  for (const auto& [month, indexes] : by_month) {
    RecordBatch part = TakeRows(rows, indexes);
    RecordBatch file;
    file.num_rows = part.num_rows;
    for (size_t c = part.columns.size(); c-- > 0;) {
      if (static_cast<int>(c) == ym) continue;
      ColumnVector col = std::move(part.columns[c]);
      col.field.name = delta::testing::PhysicalName(100 + static_cast<int>(c));
      col.field.field_id = static_cast<int32_t>(c + 1);
      file.schema.push_back(col.field);
      file.columns.push_back(std::move(col));
    }
    v0.push_back(writer.AddFile("year_month=" + month + "/part-" + month + ".parquet", file,
                                {{ym_physical, month}}, json{{"numRecords", file.num_rows}}));
  }
  writer.Commit(0, v0);
  writer.Commit(1, {delta::testing::MappedTableWriter::Header(fields_named(renamed), {"year_month"},
                                                              "name")[1]});
}

void RunJobOn(const Lake& lake, const std::string& months, bool rank = true) {
  TestLog log;
  JobRequest req;
  req.rank = rank;
  req.months_spec = months;
  req.run_id = "run-mapped";
  JobReport report;
  Status s = RunJob(lake, req, log.log, &report);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << log.text.str();
}

TEST(ColumnMappingInputTest, Issue21MappedMarketDailyGivesTheSameRankingsAndSignals) {
  Lake plain = NewMemoryLake("cm-plain");
  Lake mapped = NewMemoryLake("cm-mapped");
  WriteSampleInputs(plain, 8);
  WriteSampleInputs(mapped, 8);
  RecordBatch market = ScanAll(plain, plain.layout().market);
  ASSERT_GT(market.num_rows, 0u);
  WriteMappedTable(mapped, mapped.layout().market, market, "close", "close_price");
  {  // the mapped table reads back as the same rows under logical names
    RecordBatch back = ScanAll(mapped, mapped.layout().market);
    ASSERT_EQ(back.schema.size(), market.schema.size());
    EXPECT_EQ(SortedRows(back), SortedRows(market));
  }
  RunJobOn(plain, "2024-01..2024-03");
  RunJobOn(mapped, "2024-01..2024-03");
  for (const std::string* path : {&plain.layout().rankings, &plain.layout().signals}) {
    SCOPED_TRACE(*path);
    std::vector<std::string> want = SortedRows(ScanAll(plain, *path));
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(SortedRows(ScanAll(mapped, *path)), want);
  }
}

// materialize starts from a rankings table of any tool: one with column
// mapping has its year_month partitions under a physical name.
TEST(ColumnMappingInputTest, Issue21MaterializeFromMappedRankings) {
  Lake plain = NewMemoryLake("cm-rank-plain");
  Lake mapped = NewMemoryLake("cm-rank-mapped");
  WriteSampleInputs(plain, 8);
  WriteSampleInputs(mapped, 8);
  RunJobOn(plain, "2024-02..2024-03");
  WriteMappedTable(mapped, mapped.layout().rankings, ScanAll(plain, plain.layout().rankings),
                   "year_month", "year_month");
  RunJobOn(mapped, "2024-02..2024-03", /*rank=*/false);
  std::vector<std::string> want = SortedRows(ScanAll(plain, plain.layout().signals));
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(SortedRows(ScanAll(mapped, mapped.layout().signals)), want);
}

}  // namespace
}  // namespace rs::job
