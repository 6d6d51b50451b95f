// Issue 18 item 4: RANKING_PARQUET_COMPRESSION and RANKING_ROW_GROUP_BYTES
// (JobOptions::output) take effect in every data file of the three output
// tables, as DuckDB, an independent reader, sees them: the codec in the
// footer, the row groups, the rows read back (equal to the Delta log's
// numRecords), and the codec in the file name as Spark and delta-rs write it.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/test_services.h"
#include "job/job_test_lake.h"
#include "job/run.h"

namespace rs::job {
namespace {

struct FileSeen {
  std::vector<std::string> codecs;
  int64_t row_groups = 0;
  int64_t rows = 0;
};

// file path (as in the Delta log, relative to the table) -> what DuckDB read.
std::map<std::string, FileSeen> DescribeWithDuckDb(const std::string& table_dir) {
  auto run = rs::testing::RunCommand(
      {"node", rs::testing::SourcePath("tests/job/describe_parquet_files.mjs"), table_dir});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::map<std::string, FileSeen> out;
  std::istringstream lines(run.output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto j = nlohmann::json::parse(line);
    out[j["file"]] = FileSeen{j["codecs"].get<std::vector<std::string>>(),
                              j["row_groups"].get<int64_t>(), j["rows"].get<int64_t>()};
  }
  return out;
}

struct Case {
  parquet::Compression compression;
  std::string footer_codec;  // DuckDB's name
  std::string file_suffix;
};

// Runs 2024-02 with `output` on a new local lake of `symbols`; returns the lake.
Lake RunWith(const OutputOptions& output, const std::string& tag, int symbols = 12) {
  LakeLayout layout;
  layout.lake = rs::testing::MakeTempDir(tag);
  auto lake = Lake::Open(layout, {});
  EXPECT_TRUE(lake.ok()) << lake.status().ToString();
  testing::WriteSampleInputs(*lake, symbols);
  testing::TestLog log;
  JobRequest req;
  req.options.output = output;
  req.months_spec = "2024-02";
  req.run_id = "codec-test";
  JobReport report;
  Status s = RunJob(*lake, req, log.log, &report);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << log.text.str();
  return std::move(lake).value();
}

// Per output table: the Delta log's files and numRecords, and DuckDB's view.
struct TableSeen {
  std::string name;
  std::map<std::string, int64_t> log_rows;  // unescaped relative path -> numRecords
  std::map<std::string, FileSeen> duckdb;
};

std::vector<TableSeen> SeeOutputs(const Lake& lake) {
  std::vector<TableSeen> out;
  for (const std::string* path :
       {&lake.layout().rankings, &lake.layout().signals, &lake.layout().composite}) {
    TableSeen t;
    t.name = *path;
    auto table = lake.OpenTable(*path);
    EXPECT_TRUE(table.ok());
    auto snapshot = table->LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    for (const auto& f : snapshot->files) t.log_rows[f.path] = f.num_records.value_or(-1);
    t.duckdb = DescribeWithDuckDb(lake.layout().lake + "/" + *path);
    out.push_back(std::move(t));
  }
  return out;
}

TEST(OutputCodecsTest, EachCodecIsInEveryFooterAndFileNameOfTheThreeTables) {
  const std::vector<Case> cases = {
      {parquet::Compression::kSnappy, "SNAPPY", ".c000.snappy.parquet"},
      {parquet::Compression::kZstd, "ZSTD", ".c000.zstd.parquet"},
      {parquet::Compression::kGzip, "GZIP", ".c000.gz.parquet"},
      {parquet::Compression::kNone, "UNCOMPRESSED", ".c000.parquet"},
  };
  for (const Case& c : cases) {
    OutputOptions output;
    output.compression = c.compression;
    Lake lake = RunWith(output, "codec-" + c.footer_codec);
    for (const TableSeen& t : SeeOutputs(lake)) {
      SCOPED_TRACE(c.footer_codec + " " + t.name);
      ASSERT_FALSE(t.log_rows.empty());
      EXPECT_EQ(t.duckdb.size(), t.log_rows.size());  // no file the log does not name
      for (const auto& [file, rows] : t.log_rows) {
        EXPECT_TRUE(file.ends_with(c.file_suffix)) << file;
        if (c.file_suffix == ".c000.parquet") {
          EXPECT_FALSE(file.ends_with(".snappy.parquet") || file.ends_with(".zstd.parquet") ||
                       file.ends_with(".gz.parquet"))
              << file;
        }
        auto it = t.duckdb.find(file);
        ASSERT_NE(it, t.duckdb.end()) << file << " was not read by DuckDB";
        EXPECT_EQ(it->second.codecs, std::vector<std::string>{c.footer_codec}) << file;
        EXPECT_EQ(it->second.rows, rows) << file;
        EXPECT_GT(rows, 0) << file;
      }
    }
  }
}

TEST(OutputCodecsTest, ASmallRowGroupSizeWritesSeveralRowGroupsAndTheDefaultOne) {
  // The writer checks the size every 8,192 rows (docs/parquet_subset.md), so a
  // row group holds at least that many: 600 symbols give every table's month
  // more than 16,000 rows (composite: one per symbol and trading day).
  OutputOptions small;
  small.row_group_bytes = 4096;
  Lake small_lake = RunWith(small, "row-groups-small", 600);
  Lake default_lake = RunWith(OutputOptions{}, "row-groups-default", 600);
  for (const TableSeen& t : SeeOutputs(small_lake)) {
    SCOPED_TRACE(t.name);
    ASSERT_FALSE(t.duckdb.empty());
    for (const auto& [file, seen] : t.duckdb) {
      EXPECT_GT(seen.row_groups, 1) << file << " (" << seen.rows << " rows)";
      EXPECT_EQ(seen.rows, t.log_rows.at(file)) << file;
    }
  }
  for (const TableSeen& t : SeeOutputs(default_lake)) {
    for (const auto& [file, seen] : t.duckdb) EXPECT_EQ(seen.row_groups, 1) << file;
  }
}

}  // namespace
}  // namespace rs::job
