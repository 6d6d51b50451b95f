// Column mapping (src/delta/column_mapping.cc and its use in scan.cc) on
// tables written as Spark writes them: logical names in the schema, scan
// output and filters; physical names (mode name) or Parquet field ids (mode
// id) in data files; physical names in partitionValues and stats; renames
// and drops across versions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "delta/mapped_table_writer.h"
#include "delta/row_json.h"
#include "delta/table.h"
#include "delta/table_tool_run.h"

namespace rs::delta {
namespace {

using nlohmann::json;
using testing::AddColumn;
using testing::MappedField;
using testing::MappedTableWriter;
using testing::PhysicalName;

Field F(std::string name, TypeId id, std::optional<int32_t> field_id = std::nullopt) {
  Field f{std::move(name), DataType::Primitive(id), true};
  f.field_id = field_id;
  return f;
}

Value StructValue(std::vector<Value> children) {
  Value v;
  v.kind = Value::Kind::kStruct;
  v.children = std::move(children);
  return v;
}

std::vector<std::string> Rows(const RecordBatch& b) {
  std::vector<std::string> rows;
  for (size_t i = 0; i < b.num_rows; ++i) rows.push_back(RowToJson(b, i));
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> Names(const Schema& schema) {
  std::vector<std::string> names;
  for (const Field& f : schema) names.push_back(f.name);
  return names;
}

class ColumnMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
    table_ = std::move(Table::Open(store_, "t")).value();
    writer_.emplace(store_, "t");
  }

  Snapshot Load(std::optional<int64_t> version = std::nullopt) {
    auto s = table_->LoadSnapshot(SnapshotSpec{version, std::nullopt});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : Snapshot{};
  }

  std::vector<std::string> ScanRows(const Snapshot& s, const ScanOptions& options = {},
                                    ScanStats* stats = nullptr) {
    auto b = table_->Scan(s, options, stats);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? Rows(*b) : std::vector<std::string>{};
  }

  std::shared_ptr<storage::Storage> store_;
  std::optional<Table> table_;
  std::optional<MappedTableWriter> writer_;
};

// symbol, price, info{a, b}, partitioned by ym; files list columns in another
// order than the schema, and the struct's children too.
json NameModeFields() {
  json info = {{"type", "struct"},
               {"fields",
                {MappedField("a", "long", PhysicalName(4), 4),
                 MappedField("b", "string", PhysicalName(5), 5)}}};
  return {MappedField("symbol", "string", PhysicalName(1), 1),
          MappedField("price", "double", PhysicalName(2), 2),
          MappedField("info", info, PhysicalName(3), 3),
          MappedField("ym", "string", PhysicalName(6), 6)};
}

void WriteNameModeTable(MappedTableWriter* w) {
  std::vector<json> actions = MappedTableWriter::Header(NameModeFields(), {"ym"}, "name");
  RecordBatch first;
  Field info{PhysicalName(3),
             DataType{TypeId::kStruct,
                      0,
                      0,
                      {F(PhysicalName(5), TypeId::kString), F(PhysicalName(4), TypeId::kLong)},
                      true},
             true};
  AddColumn<Value>(&first, info,
                   {StructValue({Value::Bytes("x"), Value::Int(1)}),
                    StructValue({Value::Bytes("y"), Value::Int(2)})});
  AddColumn<double>(&first, F(PhysicalName(2), TypeId::kDouble), {1.5, 2.5});
  AddColumn<std::string>(&first, F(PhysicalName(1), TypeId::kString), {"A", "B"});
  AddColumn<int64_t>(&first, F("col-dropped-long-ago", TypeId::kLong), {7, 8});
  actions.push_back(w->AddFile("ym=2024-01/a.parquet", first, {{PhysicalName(6), "2024-01"}},
                               json{{"numRecords", 2},
                                    {"minValues", {{PhysicalName(2), 1.5}}},
                                    {"maxValues", {{PhysicalName(2), 2.5}}}}));
  RecordBatch second;
  AddColumn<std::string>(&second, F(PhysicalName(1), TypeId::kString), {"C"});
  AddColumn<double>(&second, F(PhysicalName(2), TypeId::kDouble), {10.0});
  actions.push_back(w->AddFile("ym=2024-02/b.parquet", second, {{PhysicalName(6), "2024-02"}},
                               json{{"numRecords", 1},
                                    {"minValues", {{PhysicalName(2), 10.0}}},
                                    {"maxValues", {{PhysicalName(2), 10.0}}}}));
  w->Commit(0, actions);
}

TEST_F(ColumnMappingTest, NameModeReadsPhysicalColumnsByLogicalName) {
  WriteNameModeTable(&*writer_);
  Snapshot s = Load();
  EXPECT_EQ(Names(s.metadata.schema), (std::vector<std::string>{"symbol", "price", "info", "ym"}));
  EXPECT_EQ(PhysicalColumnName(s, "ym"), PhysicalName(6));
  EXPECT_EQ(PhysicalColumnName(s, "no_such_column"), "no_such_column");
  EXPECT_EQ(ScanRows(s), (std::vector<std::string>{
                             R"({"symbol":"A","price":1.5,"info":{"a":1,"b":"x"},"ym":"2024-01"})",
                             R"({"symbol":"B","price":2.5,"info":{"a":2,"b":"y"},"ym":"2024-01"})",
                             R"({"symbol":"C","price":10,"info":null,"ym":"2024-02"})"}));
}

TEST_F(ColumnMappingTest, NameModeFiltersUsePhysicalStatsAndPartitionValues) {
  WriteNameModeTable(&*writer_);
  Snapshot s = Load();
  ScanOptions by_price;
  by_price.columns = {"symbol", "ym"};
  by_price.ranges.push_back({"price", Value::Double(5), Value::Double(20)});
  ScanStats stats;
  EXPECT_EQ(ScanRows(s, by_price, &stats),
            (std::vector<std::string>{R"({"symbol":"C","ym":"2024-02"})"}));
  EXPECT_EQ(stats.files_read, 1);  // the other file's stats (physical keys) ruled it out
  auto by_month = ParseEqualityFilter(s.metadata.schema, "ym=2024-01");
  ASSERT_TRUE(by_month.ok()) << by_month.status().ToString();
  ScanOptions month;
  month.columns = {"symbol"};
  month.ranges = {*by_month};
  EXPECT_EQ(ScanRows(s, month, &stats),
            (std::vector<std::string>{R"({"symbol":"A"})", R"({"symbol":"B"})"}));
  EXPECT_EQ(stats.files_read, 1);
}

// v0: x, y. v1: x renamed to amount. v2: y dropped, z added. The schema of
// the version read decides the names; the data stays where it was written.
TEST_F(ColumnMappingTest, RenamedAndDroppedColumnsReadAtEveryVersion) {
  auto header = [](json fields) { return MappedTableWriter::Header(fields, {}, "name")[1]; };
  json x = MappedField("x", "long", PhysicalName(10), 10);
  json y = MappedField("y", "string", PhysicalName(11), 11);
  std::vector<json> v0 = MappedTableWriter::Header({x, y}, {}, "name");
  RecordBatch b0;
  AddColumn<int64_t>(&b0, F(PhysicalName(10), TypeId::kLong), {1, 2});
  AddColumn<std::string>(&b0, F(PhysicalName(11), TypeId::kString), {"one", "two"});
  v0.push_back(writer_->AddFile("f0.parquet", b0));
  writer_->Commit(0, v0);

  json amount = MappedField("amount", "long", PhysicalName(10), 10);
  RecordBatch b1;
  AddColumn<int64_t>(&b1, F(PhysicalName(10), TypeId::kLong), {3});
  AddColumn<std::string>(&b1, F(PhysicalName(11), TypeId::kString), {"three"});
  writer_->Commit(1, {header({amount, y}), writer_->AddFile("f1.parquet", b1)});

  json z = MappedField("y", "string", PhysicalName(12), 12);  // a new column named like the old
  RecordBatch b2;
  AddColumn<int64_t>(&b2, F(PhysicalName(10), TypeId::kLong), {4});
  AddColumn<std::string>(&b2, F(PhysicalName(12), TypeId::kString), {"four"});
  writer_->Commit(2, {header({amount, z}), writer_->AddFile("f2.parquet", b2)});

  EXPECT_EQ(ScanRows(Load(0)),
            (std::vector<std::string>{R"({"x":1,"y":"one"})", R"({"x":2,"y":"two"})"}));
  Snapshot v1 = Load(1);
  EXPECT_EQ(ScanRows(v1),
            (std::vector<std::string>{R"({"amount":1,"y":"one"})", R"({"amount":2,"y":"two"})",
                                      R"({"amount":3,"y":"three"})"}));
  auto three = ParseEqualityFilter(v1.metadata.schema, "amount=3");
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(ScanRows(v1, ScanOptions{{"y"}, {*three}}),
            (std::vector<std::string>{R"({"y":"three"})"}));
  EXPECT_EQ(ScanRows(Load(2)),
            (std::vector<std::string>{R"({"amount":1,"y":null})", R"({"amount":2,"y":null})",
                                      R"({"amount":3,"y":null})", R"({"amount":4,"y":"four"})"}));
  auto x_at_v1 = table_->Scan(v1, ScanOptions{{"x"}, {}});
  EXPECT_EQ(x_at_v1.status().code(), StatusCode::kInvalidArgument);
}

// Mode id: columns are found by Parquet field id. The file's names are
// misleading on purpose (a logical name and another column's physical name),
// and its column order differs from the schema's.
TEST_F(ColumnMappingTest, IdModeResolvesColumnsByFieldIdOnly) {
  json s_type = {{"type", "struct"},
                 {"fields", json::array({MappedField("inner", "integer", "inner-p", 9)})}};
  json fields = {MappedField("k", "long", "k-p", 7), MappedField("s", s_type, "s-p", 8),
                 MappedField("v", "string", "v-p", 3), MappedField("part", "integer", "part-p", 4)};
  std::vector<json> actions = MappedTableWriter::Header(fields, {"part"}, "id");
  RecordBatch with_ids;
  AddColumn<std::string>(&with_ids, F("k", TypeId::kString, 3), {"a", "b"});
  Field s{"zz", DataType{TypeId::kStruct, 0, 0, {F("k-p", TypeId::kInteger, 9)}, true}, true};
  s.field_id = 8;
  AddColumn<Value>(&with_ids, s, {StructValue({Value::Int(5)}), Value::Null()});
  AddColumn<int64_t>(&with_ids, F("v-p", TypeId::kLong, 7), {10, 20});
  actions.push_back(writer_->AddFile(
      "part=1/ids.parquet", with_ids, {{"part-p", "1"}},
      json{{"numRecords", 2}, {"minValues", {{"k-p", 10}}}, {"maxValues", {{"k-p", 20}}}}));
  RecordBatch no_ids;  // physical names but no field ids: every column null
  AddColumn<int64_t>(&no_ids, F("k-p", TypeId::kLong), {30});
  AddColumn<std::string>(&no_ids, F("v-p", TypeId::kString), {"c"});
  actions.push_back(writer_->AddFile("part=2/no-ids.parquet", no_ids, {{"part-p", "2"}}));
  writer_->Commit(0, actions);

  Snapshot snap = Load();
  EXPECT_EQ(ScanRows(snap),
            (std::vector<std::string>{R"({"k":10,"s":{"inner":5},"v":"a","part":1})",
                                      R"({"k":20,"s":null,"v":"b","part":1})",
                                      R"({"k":null,"s":null,"v":null,"part":2})"}));
  ScanOptions big_k;
  big_k.columns = {"v"};
  big_k.ranges.push_back({"k", Value::Int(15), Value::Null()});
  ScanStats stats;
  EXPECT_EQ(ScanRows(snap, big_k, &stats), (std::vector<std::string>{R"({"v":"b"})"}));
  auto part2 = ParseEqualityFilter(snap.metadata.schema, "part=2");
  ASSERT_TRUE(part2.ok());
  EXPECT_EQ(ScanRows(snap, ScanOptions{{"part", "v"}, {*part2}}),
            (std::vector<std::string>{R"({"v":null,"part":2})"}));
}

TEST_F(ColumnMappingTest, IdModeWithoutAnIdIsCorruption) {
  json no_id = {{"name", "k"}, {"type", "long"}, {"nullable", true}, {"metadata", json::object()}};
  writer_->Commit(0, MappedTableWriter::Header(json::array({no_id}), {}, "id"));
  auto s = table_->LoadSnapshot();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("column mapping mode id: column k has no "
                                      "delta.columnMapping.id"),
            std::string::npos)
      << s.status().message();
}

TEST_F(ColumnMappingTest, ReaderVersionThreeWithTheFeatureReadsPhysicalNames) {
  std::vector<json> actions = MappedTableWriter::Header(
      json::array({MappedField("k", "long", PhysicalName(1), 1)}), {}, "name", {"columnMapping"});
  RecordBatch b;
  AddColumn<int64_t>(&b, F(PhysicalName(1), TypeId::kLong), {42});
  actions.push_back(writer_->AddFile("a.parquet", b));
  writer_->Commit(0, actions);
  EXPECT_EQ(ScanRows(Load()), (std::vector<std::string>{R"({"k":42})"}));
}

// PROTOCOL.md: the mode is honoured only when the protocol supports column
// mapping; a reader-1 table reads its files by display name.
TEST_F(ColumnMappingTest, ModeIsIgnoredWithoutProtocolSupport) {
  std::vector<json> actions = MappedTableWriter::Header(
      json::array({MappedField("k", "long", PhysicalName(1), 1)}), {}, "name");
  actions[0] = {{"protocol", {{"minReaderVersion", 1}, {"minWriterVersion", 2}}}};
  RecordBatch b;
  AddColumn<int64_t>(&b, F("k", TypeId::kLong), {42});
  actions.push_back(writer_->AddFile("a.parquet", b));
  writer_->Commit(0, actions);
  EXPECT_EQ(ScanRows(Load()), (std::vector<std::string>{R"({"k":42})"}));
}

TEST_F(ColumnMappingTest, UnknownModeIsRefusedNamingTheFeature) {
  writer_->Commit(
      0, MappedTableWriter::Header(json::array({MappedField("k", "long", PhysicalName(1), 1)}), {},
                                   "position"));
  auto s = table_->LoadSnapshot();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.status().message().find("columnMapping with mode 'position'"), std::string::npos)
      << s.status().message();
}

// The `table` CLI (tests/delta/tools/table_tool.cc runs the binary's
// AddTableCommand) on a name-mode table on local disk.
TEST(ColumnMappingCliTest, InfoAndScanUseLogicalNames) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / ("cm_cli_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto store = storage::OpenStorage(dir.string(), {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  MappedTableWriter writer(std::shared_ptr<storage::Storage>(std::move(store).value()), "");
  WriteNameModeTable(&writer);
  auto tool = [&](const std::string& args) { return testing::RunTableTool(args, dir); };
  testing::ToolRun info = tool("table info '" + dir.string() + "'");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  json parsed = json::parse(info.out);
  EXPECT_EQ(parsed["num_rows"], 3);
  std::vector<std::string> names;
  for (const auto& f : parsed["schema"]) names.push_back(f["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"symbol", "price", "info", "ym"}));
  EXPECT_EQ(parsed["partition_columns"], json::array({"ym"}));
  testing::ToolRun scan = tool("table scan '" + dir.string() + "' --columns symbol,info --where ym=2024-01");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out,
            "{\"symbol\":\"A\",\"info\":{\"a\":1,\"b\":\"x\"}}\n"
            "{\"symbol\":\"B\",\"info\":{\"a\":2,\"b\":\"y\"}}\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rs::delta
