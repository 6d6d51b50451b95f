// ReadOptions::keep_rows (src/parquet/reader.cc, reader_column.cc): rows
// dropped while decoding, by position in the file, give exactly the rows a
// full read gives minus the dropped ones: dictionary and plain pages, v1 and
// v2, nulls, nested lists and maps (rows spanning pages), whole pages, whole
// row groups, every row, and row groups skipped by predicates.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/test_services.h"
#include "parquet/decoding_internal.h"
#include "parquet/reader.h"
#include "parquet/reader_fixture_compare.h"
#include "parquet/reader_test_file_builder.h"

namespace rs::parquet {
namespace {

namespace fs = std::filesystem;
using namespace rs::parquet::testing;  // NOLINT: test helpers
using nlohmann::json;

// Rows of `batch`, each an array of its rendered cells.
json Rows(const RecordBatch& batch) {
  json rows = json::array();
  for (size_t r = 0; r < batch.num_rows; ++r) {
    json row = json::array();
    for (const ColumnVector& c : batch.columns) row.push_back(RenderCell(c, r));
    rows.push_back(row);
  }
  return rows;
}

json Keep(const json& rows, const std::vector<uint8_t>& keep) {
  json out = json::array();
  for (size_t r = 0; r < keep.size(); ++r) {
    if (keep[r]) out.push_back(rows[r]);
  }
  return out;
}

// Reads `file` with `keep` (and `options`'s other fields).
Result<RecordBatch> ReadKeeping(const std::string& file, const std::vector<uint8_t>& keep,
                                ReadOptions options = {}) {
  RS_ASSIGN_OR_RETURN(auto reader, FileReader::OpenBuffer(file, "t.parquet"));
  options.keep_rows = &keep;
  return reader->Read(options);
}

// Masks over `n` rows: scattered rows, a long run, all kept, none kept.
std::vector<std::vector<uint8_t>> Masks(size_t n) {
  std::vector<uint8_t> scattered(n, 1), run(n, 1);
  for (size_t i = 3; i < n; i += 7) scattered[i] = 0;
  for (size_t i = n / 3; i < 2 * n / 3; ++i) run[i] = 0;
  return {scattered, run, std::vector<uint8_t>(n, 1), std::vector<uint8_t>(n, 0)};
}

TEST(ReaderRowSelectionTest, EveryFixtureReadsTheFullReadsKeptRows) {
  int files = 0;
  for (const auto& entry :
       fs::directory_iterator(rs::testing::SourcePath("tests/fixtures/parquet"))) {
    if (entry.path().extension() != ".parquet") continue;
    ++files;
    const std::string file = ReadWholeFile(entry.path().string());
    auto reader = FileReader::OpenBuffer(file, entry.path().filename().string());
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto full = (*reader)->Read();
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    const json all = Rows(*full);
    for (const std::vector<uint8_t>& keep : Masks(full->num_rows)) {
      auto kept = ReadKeeping(file, keep);
      ASSERT_TRUE(kept.ok()) << entry.path() << ": " << kept.status().ToString();
      EXPECT_EQ(Rows(*kept), Keep(all, keep)) << entry.path();
    }
  }
  EXPECT_GE(files, 10);
}

// arrow-rs fixture: 300 rows in row groups of 128, 128 and 44; date = row * 17 - 3000.
TEST(ReaderRowSelectionTest, PositionsCountSkippedRowGroupsAndWholeGroupsCanGo) {
  const std::string file = ReadWholeFile(
      rs::testing::SourcePath("tests/fixtures/parquet/arrowrs_plain_v2_zstd.parquet"));
  auto reader = FileReader::OpenBuffer(file, "t.parquet");
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->num_row_groups(), 3);
  ReadOptions options;
  options.columns = {"date", "i32"};
  const json all = Rows((*reader)->Read(options).value());
  std::vector<uint8_t> keep(300, 1);
  for (size_t r = 0; r < 128; ++r) keep[r] = 0;  // the whole first row group
  keep[129] = keep[200] = keep[256] = keep[299] = 0;
  auto kept = ReadKeeping(file, keep, options);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(Rows(*kept), Keep(all, keep));
  // The predicate skips the first two row groups; positions still count their rows.
  options.predicates = {{"date", Value::Int(256 * 17 - 3000), std::nullopt}};
  auto pruned = ReadKeeping(file, keep, options);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  std::vector<uint8_t> last_group(300, 0);
  for (size_t r = 256; r < 300; ++r) last_group[r] = keep[r];
  EXPECT_EQ(pruned->num_rows, 42u);
  EXPECT_EQ(Rows(*pruned), Keep(all, last_group));
}

std::string PageV1(const std::vector<int>& rep, const std::vector<int>& def, int rep_width,
                   const std::string& values) {
  std::string body;
  if (rep_width > 0) body += LevelsV1(rep, rep_width);
  body += LevelsV1(def, 1);
  return DataPageV1(static_cast<int32_t>(def.size()), 0, body + values);
}

TEST(ReaderRowSelectionTest, WholePagesAndNullsGo) {
  // Optional INT32 in two pages: [1, null, 3] and [null, 5, 6].
  ChunkSpec leaf{kInt32,
                 {"x"},
                 6,
                 PageV1({}, {1, 0, 1}, 0, PlainInt32({1, 3})) +
                     DataPageV2(3, 1, 3, 0, "", Hybrid({0, 1, 1}, 1), PlainInt32({5, 6}))};
  const std::string file = BuildFile({{"x", kInt32, kOptional}}, 1, {leaf}, 6);
  auto first_page_gone = ReadKeeping(file, {0, 0, 0, 1, 1, 0});
  ASSERT_TRUE(first_page_gone.ok()) << first_page_gone.status().ToString();
  EXPECT_EQ(Rows(*first_page_gone), json::parse("[[null],[5]]"));
  auto nulls_gone = ReadKeeping(file, {1, 0, 1, 0, 1, 1});
  ASSERT_TRUE(nulls_gone.ok()) << nulls_gone.status().ToString();
  EXPECT_EQ(Rows(*nulls_gone), json::parse("[[1],[3],[5],[6]]"));
  auto none = ReadKeeping(file, std::vector<uint8_t>(6, 0));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->num_rows, 0u);
  EXPECT_EQ(Rows(*none), json::array());
}

TEST(ReaderRowSelectionTest, ARowSpanningPagesIsKeptOrDroppedWhole) {
  // A bare repeated INT32 (a required list) of rows [1, 2], [3, 4], [5]; the
  // second row starts on the first page and ends on the second.
  ChunkSpec leaf{kInt32,
                 {"r"},
                 5,
                 PageV1({0, 1, 0}, {1, 1, 1}, 1, PlainInt32({1, 2, 3})) +
                     PageV1({1, 0}, {1, 1}, 1, PlainInt32({4, 5}))};
  const std::string file = BuildFile({{"r", kInt32, kRepeated}}, 1, {leaf}, 3);
  auto middle = ReadKeeping(file, {0, 1, 0});
  ASSERT_TRUE(middle.ok()) << middle.status().ToString();
  EXPECT_EQ(Rows(*middle), json::parse("[[[3,4]]]"));
  auto ends = ReadKeeping(file, {1, 0, 1});
  ASSERT_TRUE(ends.ok()) << ends.status().ToString();
  EXPECT_EQ(Rows(*ends), json::parse("[[[1,2]],[[5]]]"));
}

TEST(ReaderRowSelectionTest, RepeatedChunkWithMoreRowsThanItsGroupIsCorruption) {
  // Three rows of levels in a row group that declares two.
  ChunkSpec leaf{kInt32, {"r"}, 3, PageV1({0, 0, 0}, {1, 1, 1}, 1, PlainInt32({1, 2, 3}))};
  const std::string file = BuildFile({{"r", kInt32, kRepeated}}, 1, {leaf}, 2);
  auto read = ReadKeeping(file, {1, 0});
  ASSERT_EQ(read.status().code(), StatusCode::kCorruption) << read.status().ToString();
  EXPECT_NE(read.status().message().find("more than the row group's 2 rows"), std::string::npos)
      << read.status().ToString();
}

TEST(ReaderRowSelectionTest, CountZeroBytesCountsEveryByteValue) {
  const uint8_t kinds[] = {0, 1, 0x7f, 0x80, 0xff, 0x01, 0, 0};
  for (size_t n = 0; n <= 41; ++n) {
    for (size_t shift = 0; shift < 8; ++shift) {
      std::vector<uint8_t> bytes(n);
      size_t expected = 0;
      for (size_t i = 0; i < n; ++i) {
        bytes[i] = kinds[(i * 5 + shift) % 8];
        expected += bytes[i] == 0;
      }
      EXPECT_EQ(CountZeroBytes(bytes.data(), n), expected) << n << " " << shift;
    }
  }
}

TEST(ReaderRowSelectionTest, KeepRowsOfTheWrongSizeIsInvalidArgument) {
  ChunkSpec leaf{kInt32, {"x"}, 3, PageV1({}, {1, 1, 1}, 0, PlainInt32({1, 2, 3}))};
  const std::string file = BuildFile({{"x", kInt32, kOptional}}, 1, {leaf}, 3);
  auto read = ReadKeeping(file, {1, 1});
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << read.status().ToString();
}

}  // namespace
}  // namespace rs::parquet
