// FileReader behaviour: legacy nested schemas (LogicalTypes.md backward
// compatibility), INT96, data page v2, projection with ranged reads, footers
// longer than the first tail read, and row-group skipping from statistics.
#include "parquet/reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/test_services.h"
#include "parquet/reader_fixture_compare.h"
#include "parquet/reader_test_file_builder.h"
#include "storage/storage.h"

namespace rs::parquet {
namespace {

using namespace rs::parquet::testing;  // NOLINT: test helpers
using nlohmann::json;

// ConvertedType values (kList of the builder is Thrift's compact list type).
constexpr int kMapKeyValue = 2, kList = 3;

json ReadColumn(const std::string& file, const std::string& column) {
  auto reader = FileReader::OpenBuffer(file, "t.parquet");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return nullptr;
  ReadOptions options;
  options.columns = {column};
  auto batch = (*reader)->Read(options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  if (!batch.ok()) return nullptr;
  json out = json::array();
  for (size_t row = 0; row < batch->num_rows; ++row) out.push_back(RenderCell(batch->columns[0], row));
  return out;
}

std::string Page(const std::vector<int>& rep, const std::vector<int>& def, int rep_width,
                 int def_width, const std::string& values) {
  std::string body;
  if (rep_width > 0) body += LevelsV1(rep, rep_width);
  if (def_width > 0) body += LevelsV1(def, def_width);
  return DataPageV1(static_cast<int32_t>(def.size()), 0, body + values);
}

std::string PlainStrings(const std::vector<std::string>& values) {
  std::string s;
  for (const auto& v : values) s += Le32(static_cast<uint32_t>(v.size())) + v;
  return s;
}

TEST(ReaderTest, TwoLevelListOfRepeatedPrimitive) {
  // optional group a (LIST) { repeated int32 array; }
  ChunkSpec leaf{kInt32, {"a", "array"}, 5,
                 Page({0, 1, 0, 0, 0}, {2, 2, 1, 0, 2}, 1, 2, PlainInt32({1, 2, 3}))};
  const std::string file =
      BuildFile({{"a", -1, kOptional, 1, kList}, {"array", kInt32, kRepeated}}, 1, {leaf}, 4);
  EXPECT_EQ(ReadColumn(file, "a"), json::parse("[[1,2],[],null,[3]]"));
}

TEST(ReaderTest, RepeatedGroupNamedArrayIsTheElement) {
  // optional group b (LIST) { repeated group array { required int32 x; } }
  ChunkSpec leaf{kInt32, {"b", "array", "x"}, 3, Page({0, 1, 0}, {2, 2, 0}, 1, 2, PlainInt32({1, 2}))};
  const std::string file = BuildFile(
      {{"b", -1, kOptional, 1, kList}, {"array", -1, kRepeated, 1}, {"x", kInt32, kRequired}}, 1,
      {leaf}, 2);
  auto reader = FileReader::OpenBuffer(file, "t.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const DataType& type = (*reader)->schema()[0].type;
  ASSERT_EQ(type.id, TypeId::kArray);
  EXPECT_EQ(type.children[0].type.id, TypeId::kStruct);
  EXPECT_EQ(ReadColumn(file, "b"), json::parse("[[[1],[2]],null]"));
}

TEST(ReaderTest, ThreeLevelListUnwrapsTheSingleChild) {
  // optional group c (LIST) { repeated group list { optional int32 element; } }
  ChunkSpec leaf{kInt32, {"c", "list", "element"}, 4,
                 Page({0, 1, 0, 0}, {3, 2, 1, 0}, 1, 2, PlainInt32({7}))};
  const std::string file = BuildFile(
      {{"c", -1, kOptional, 1, kList}, {"list", -1, kRepeated, 1}, {"element", kInt32, kOptional}},
      1, {leaf}, 3);
  EXPECT_EQ(ReadColumn(file, "c"), json::parse("[[7,null],[],null]"));
}

TEST(ReaderTest, BareRepeatedFieldIsARequiredList) {
  ChunkSpec leaf{kInt32, {"r"}, 3, Page({0, 1, 0}, {1, 1, 0}, 1, 1, PlainInt32({5, 6}))};
  const std::string file = BuildFile({{"r", kInt32, kRepeated}}, 1, {leaf}, 2);
  auto reader = FileReader::OpenBuffer(file, "t.parquet");
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->schema()[0].nullable);
  EXPECT_EQ(ReadColumn(file, "r"), json::parse("[[5,6],[]]"));
}

TEST(ReaderTest, LegacyMapKeyValue) {
  // optional group m (MAP_KEY_VALUE) { repeated group map { required binary key (UTF8);
  //                                                          optional int32 value; } }
  ChunkSpec keys{kByteArray, {"m", "map", "key"}, 3,
                 Page({0, 1, 0}, {2, 2, 0}, 1, 2, PlainStrings({"a", "b"}))};
  ChunkSpec values{kInt32, {"m", "map", "value"}, 3, Page({0, 1, 0}, {3, 2, 0}, 1, 2, PlainInt32({1}))};
  const std::string file = BuildFile({{"m", -1, kOptional, 1, kMapKeyValue},
                                      {"map", -1, kRepeated, 2},
                                      {"key", kByteArray, kRequired, -1, kUtf8},
                                      {"value", kInt32, kOptional}},
                                     1, {keys, values}, 2);
  EXPECT_EQ(ReadColumn(file, "m"), json::parse(R"([["a",1,"b",null],null])"));
}

TEST(ReaderTest, FieldIdsAreExposedAtEveryLevel) {
  // required int32 id = 7; optional group s = 3 { optional int32 x = 4; }
  // optional group c (LIST) = 5 { repeated group list { optional int32 element = 6; } }
  // optional int32 plain (no field_id)
  ChunkSpec id{kInt32, {"id"}, 1, DataPageV1(1, 0, PlainInt32({1}))};
  ChunkSpec x{kInt32, {"s", "x"}, 1, Page({}, {2}, 0, 2, PlainInt32({9}))};
  ChunkSpec element{kInt32, {"c", "list", "element"}, 1, Page({0}, {3}, 1, 2, PlainInt32({8}))};
  ChunkSpec plain{kInt32, {"plain"}, 1, Page({}, {1}, 0, 1, PlainInt32({2}))};
  const std::string file =
      BuildFile({{.name = "id", .type = kInt32, .repetition = kRequired, .field_id = 7},
                 {.name = "s", .num_children = 1, .field_id = 3},
                 {.name = "x", .type = kInt32, .field_id = 4},
                 {.name = "c", .num_children = 1, .converted = kList, .field_id = 5},
                 {.name = "list", .repetition = kRepeated, .num_children = 1},
                 {.name = "element", .type = kInt32, .field_id = 6},
                 {.name = "plain", .type = kInt32}},
                4, {id, x, element, plain}, 1);
  auto reader = FileReader::OpenBuffer(file, "t.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& schema = (*reader)->schema();
  ASSERT_EQ(schema.size(), 4u);
  EXPECT_EQ(schema[0].field_id, 7);
  EXPECT_EQ(schema[1].field_id, 3);
  ASSERT_EQ(schema[1].type.children.size(), 1u);
  EXPECT_EQ(schema[1].type.children[0].field_id, 4);
  EXPECT_EQ(schema[2].field_id, 5);
  ASSERT_EQ(schema[2].type.id, TypeId::kArray);
  EXPECT_EQ(schema[2].type.children[0].field_id, 6);
  EXPECT_EQ(schema[3].field_id, std::nullopt);
  EXPECT_EQ(ReadColumn(file, "s"), json::parse(R"([[9]])"));
  EXPECT_EQ(ReadColumn(file, "c"), json::parse("[[8]]"));
}

TEST(ReaderTest, Int96IsJulianDayAndNanoseconds) {
  std::string v(12, '\0');
  const int64_t nanos = 1500;
  const uint32_t julian_day = 2440589;  // 1970-01-02
  std::memcpy(v.data(), &nanos, 8);
  std::memcpy(v.data() + 8, &julian_day, 4);
  ChunkSpec leaf{kInt96, {"t"}, 1, Page({}, {1}, 0, 1, v)};
  const std::string file = BuildFile({{"t", kInt96, kOptional}}, 1, {leaf}, 1);
  EXPECT_EQ(ReadColumn(file, "t"), json::parse("[86400000001]"));
}

TEST(ReaderTest, DataPageV2WithNulls) {
  const std::string page = DataPageV2(3, 1, 3, 0, "", Hybrid({1, 0, 1}, 1), PlainInt32({4, 6}));
  ChunkSpec leaf{kInt32, {"x"}, 3, page};
  const std::string file = BuildFile({{"x", kInt32, kOptional}}, 1, {leaf}, 3);
  EXPECT_EQ(ReadColumn(file, "x"), json::parse("[4,null,6]"));
}

// A Storage that records the reads made through it.
class CountingStorage : public storage::Storage {
 public:
  explicit CountingStorage(std::unique_ptr<storage::Storage> base) : base_(std::move(base)) {}
  Result<std::string> Get(const std::string& key) override {
    ++gets;
    return base_->Get(key);
  }
  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    ranges.emplace_back(offset, length);
    return base_->GetRange(key, offset, length);
  }
  Status Put(const std::string& key, std::string_view data) override { return base_->Put(key, data); }
  Status PutIfAbsent(const std::string& key, std::string_view data) override {
    return base_->PutIfAbsent(key, data);
  }
  Result<std::vector<storage::ObjectInfo>> List(const std::string& prefix) override {
    return base_->List(prefix);
  }
  Status Delete(const std::string& key) override { return base_->Delete(key); }
  Result<storage::ObjectInfo> Head(const std::string& key) override { return base_->Head(key); }
  std::string Describe() const override { return "counting"; }

  int gets = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;

 private:
  std::unique_ptr<storage::Storage> base_;
};

// Three required INT32 columns of `rows` values each.
std::string WideFile(int32_t rows, const std::string& big_stat = "") {
  std::vector<ChunkSpec> chunks;
  for (int c = 0; c < 3; ++c) {
    std::vector<int32_t> values(static_cast<size_t>(rows));
    for (int32_t i = 0; i < rows; ++i) values[static_cast<size_t>(i)] = i * (c + 1);
    ChunkSpec chunk{kInt32, {std::string(1, static_cast<char>('a' + c))}, rows,
                    DataPageV1(rows, 0, PlainInt32(values))};
    if (!big_stat.empty()) {
      chunk.min_value = big_stat;
      chunk.max_value = big_stat;
    }
    chunks.push_back(chunk);
  }
  return BuildFile({{"a", kInt32, kRequired}, {"b", kInt32, kRequired}, {"c", kInt32, kRequired}},
                   3, chunks, rows);
}

TEST(ReaderTest, ProjectionFetchesOnlyFooterAndRequestedChunks) {
  const std::string file = WideFile(30000);  // ~360 KB
  auto store = std::make_shared<CountingStorage>(storage::NewMemoryStorage());
  ASSERT_TRUE(store->Put("d/f.parquet", file).ok());
  auto reader = FileReader::Open(store, "d/f.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ(store->ranges.size(), 1u);  // the tail holds the whole footer
  EXPECT_EQ(store->ranges[0].second, 64u * 1024);
  ReadOptions options;
  options.columns = {"b"};
  auto batch = (*reader)->Read(options);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->columns.size(), 1u);
  EXPECT_EQ(batch->columns[0].As<int32_t>()[29999], 29999 * 2);
  EXPECT_EQ(store->gets, 0);
  ASSERT_EQ(store->ranges.size(), 2u);  // footer tail, then column b's chunk only
  EXPECT_LT(store->ranges[1].second, file.size() / 3 + 100);
  EXPECT_LT(store->ranges[0].second + store->ranges[1].second, file.size() * 2 / 3);
}

TEST(ReaderTest, FooterLongerThanTailIsFetchedSeparately) {
  const std::string big = WideFile(100, std::string(30000, 'x'));  // footer ~180 KB
  auto store = std::make_shared<CountingStorage>(storage::NewMemoryStorage());
  ASSERT_TRUE(store->Put("big.parquet", big).ok());
  auto reader = FileReader::Open(store, "big.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(store->ranges.size(), 2u);
  EXPECT_EQ((*reader)->num_rows(), 100);
}

TEST(ReaderTest, MissingObjectIsNotFound) {
  std::shared_ptr<storage::Storage> store = storage::NewMemoryStorage();
  auto reader = FileReader::Open(store, "nope.parquet");
  ASSERT_FALSE(reader.ok());
  EXPECT_TRUE(reader.status().IsNotFound());
  EXPECT_NE(reader.status().message().find("nope.parquet"), std::string::npos);
}

TEST(ReaderTest, Issue24ReaderSharesItsStorageAndOutlivesTheCallersHandle) {
  const std::string file = WideFile(100);
  std::shared_ptr<storage::Storage> store = storage::NewMemoryStorage();
  ASSERT_TRUE(store->Put("f.parquet", file).ok());
  auto reader = FileReader::Open(store, "f.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  store.reset();  // the reader is now the Storage's only owner
  auto batch = (*reader)->Read();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->num_rows, 100u);
}

TEST(ReaderTest, OpenWithoutStorageIsInvalidArgument) {
  auto reader = FileReader::Open(nullptr, "f.parquet");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(), "parquet file f.parquet: no storage given");
}

std::unique_ptr<FileReader> OpenFixture(const std::string& name) {
  auto reader = FileReader::OpenBuffer(
      ReadWholeFile(rs::testing::SourcePath("tests/fixtures/parquet/" + name)), name);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

// DuckDB's FIELD_IDS option (tests/parquet/gen_field_id_fixture.mjs): ids
// from an independent writer, on a column, a struct child and a list element.
TEST(ReaderTest, DuckDbFieldIds) {
  auto reader = OpenFixture("duckdb_field_ids.parquet");
  ASSERT_NE(reader, nullptr);
  const Schema& schema = reader->schema();
  ASSERT_EQ(schema.size(), 4u);
  EXPECT_EQ(schema[0].name, "col-a");
  EXPECT_EQ(schema[0].field_id, 1);
  EXPECT_EQ(schema[1].field_id, 2);
  ASSERT_EQ(schema[1].type.children.size(), 1u);
  EXPECT_EQ(schema[1].type.children[0].field_id, 3);
  EXPECT_EQ(schema[2].field_id, 4);
  ASSERT_EQ(schema[2].type.children.size(), 1u);
  EXPECT_EQ(schema[2].type.children[0].field_id, 5);
  EXPECT_EQ(schema[3].field_id, std::nullopt);
  auto batch = reader->Read();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->columns[0].As<int64_t>(), std::vector<int64_t>{7});
}

TEST(ReaderTest, PredicateSkipsRowGroupsOutsideRange) {
  // arrow-rs fixture: 300 rows in groups of 128; date = row * 17 - 3000, nulls every 13th.
  auto reader = OpenFixture("arrowrs_plain_v2_zstd.parquet");
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(reader->num_row_groups(), 3);
  ReadOptions options;
  options.columns = {"date", "i32"};
  options.predicates = {{"date", Value::Int(256 * 17 - 3000), std::nullopt}};
  auto batch = reader->Read(options);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->num_rows, 300u - 256u);
  EXPECT_EQ(reader->stats().row_groups_skipped, 2);
  EXPECT_EQ(batch->columns[0].As<int32_t>()[0], 256 * 17 - 3000);
}

TEST(ReaderTest, StringPredicateUsesByteOrder) {
  auto reader = OpenFixture("arrowrs_dict_v1_snappy.parquet");
  ASSERT_NE(reader, nullptr);
  auto first = reader->RowGroupMayMatch(0, {{"utf8_sorted", std::nullopt, Value::Bytes("prefix_shared_00005")}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto last = reader->RowGroupMayMatch(2, {{"utf8_sorted", std::nullopt, Value::Bytes("prefix_shared_00005")}});
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(*last);
  auto none = reader->RowGroupMayMatch(1, {{"utf8_sorted", Value::Bytes("q"), std::nullopt}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST(ReaderTest, DoublePredicateOnDuckDbStatistics) {
  auto reader = OpenFixture("duckdb_flat_snappy_v1.parquet");
  ASSERT_NE(reader, nullptr);
  auto miss = reader->RowGroupMayMatch(0, {{"f64", Value::Double(1e9), std::nullopt}});
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(*miss);
  auto hit = reader->RowGroupMayMatch(0, {{"f64", Value::Double(1.0), Value::Double(2.0)}});
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(*hit);
}

TEST(ReaderTest, ReadRowGroupReadsOneGroup) {
  auto reader = OpenFixture("arrowrs_delta_v2_uncompressed.parquet");
  ASSERT_NE(reader, nullptr);
  auto batch = reader->ReadRowGroup(1, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(batch->num_rows), reader->row_group_num_rows(1));
  EXPECT_FALSE(reader->ReadRowGroup(7, {}).ok());
}

}  // namespace
}  // namespace rs::parquet
