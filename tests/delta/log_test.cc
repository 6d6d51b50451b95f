// Actions, schema strings, partition values, paths and row encoding.
#include <gtest/gtest.h>

#include "delta/log_internal.h"
#include "delta/row_json.h"

namespace rs::delta {
namespace {

TEST(ParseCommit, ReadsEveryActionKindAndIgnoresUnknownOnes) {
  std::string text =
      R"({"commitInfo":{"timestamp":5,"operation":"WRITE","runId":"r1","txnId":"t1"}})"
      "\n"
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["timestampNtz"],"writerFeatures":[]}})"
      "\n"
      R"({"metaData":{"id":"x","format":{"provider":"parquet"},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":["a"],"configuration":{"k":"v"}}})"
      "\n"
      R"({"add":{"path":"a=1/f%20x.parquet","partitionValues":{"a":"1","b":null},"size":10,"modificationTime":1,"dataChange":true,"stats":"{\"numRecords\":7}"}})"
      "\n"
      R"({"remove":{"path":"old.parquet","deletionTimestamp":9,"dataChange":true}})"
      "\n"
      R"({"txn":{"appId":"app","version":3}})"
      "\n"
      R"({"domainMetadata":{"domain":"d","configuration":"{}","removed":false}})"
      "\n";
  auto actions = ParseCommit(text, "00.json");
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ASSERT_EQ(actions->size(), 7u);
  EXPECT_EQ((*actions)[0].commit_info.run_id, "r1");
  EXPECT_EQ((*actions)[1].protocol.min_reader_version, 3);
  EXPECT_EQ((*actions)[1].protocol.reader_features->at(0), "timestampNtz");
  EXPECT_EQ((*actions)[2].metadata.schema.at(0).type.id, TypeId::kLong);
  EXPECT_EQ((*actions)[2].metadata.configuration.at("k"), "v");
  const AddFile& add = (*actions)[3].add;
  EXPECT_EQ(add.num_records, 7);
  EXPECT_EQ(add.partition_values.at("a"), "1");
  EXPECT_FALSE(add.partition_values.at("b").has_value());
  EXPECT_EQ((*actions)[4].remove.deletion_timestamp_ms, 9);
  EXPECT_EQ((*actions)[5].txn.version, 3);
  EXPECT_EQ((*actions)[6].kind, Action::Kind::kOther);
}

TEST(ParseCommit, InvalidJsonNamesFileAndLine) {
  auto actions = ParseCommit("{\"add\":{}}\n{broken\n", "_delta_log/3.json");
  ASSERT_FALSE(actions.ok());
  EXPECT_EQ(actions.status().message(), "parse _delta_log/3.json line 1: add action without a path");
  actions = ParseCommit("{broken\n", "_delta_log/3.json");
  EXPECT_EQ(actions.status().message(), "parse _delta_log/3.json line 1: invalid JSON");
}

TEST(ActionJson, AddRoundTrips) {
  Action a;
  a.kind = Action::Kind::kAdd;
  a.add.path = "year_month=2024-03/part-00000-x.c000.snappy.parquet";
  a.add.partition_values["year_month"] = "2024-03";
  a.add.size_bytes = 123;
  a.add.stats_json = R"({"numRecords":4})";
  auto back = ParseCommit(ActionToJson(a), "x");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].add.path, a.add.path);
  EXPECT_EQ((*back)[0].add.size_bytes, 123);
  EXPECT_EQ((*back)[0].add.num_records, 4);
}

TEST(ClassifyLogFile, RecognizesCommitsAndCheckpointsOnly) {
  EXPECT_EQ(ClassifyLogFile("00000000000000000007.json").kind, LogFile::Kind::kCommit);
  EXPECT_EQ(ClassifyLogFile("00000000000000000007.json").version, 7);
  EXPECT_EQ(ClassifyLogFile("00000000000000000010.checkpoint.parquet").kind,
            LogFile::Kind::kCheckpoint);
  LogFile part = ClassifyLogFile("00000000000000000001.checkpoint.0000000002.0000000003.parquet");
  EXPECT_EQ(part.kind, LogFile::Kind::kMultiPartCheckpoint);
  EXPECT_EQ(part.part, 2);
  EXPECT_EQ(part.num_parts, 3);
  EXPECT_EQ(ClassifyLogFile("00000000000000000007.crc").kind, LogFile::Kind::kOther);
  EXPECT_EQ(ClassifyLogFile("_last_checkpoint").kind, LogFile::Kind::kOther);
  EXPECT_EQ(ClassifyLogFile("00000000000000000002.checkpoint.e8fa2696.parquet").kind,
            LogFile::Kind::kOther);
  EXPECT_EQ(CommitFileName(12), "00000000000000000012.json");
}

TEST(SchemaString, NestedTypesRoundTrip) {
  std::string s =
      R"js({"type":"struct","fields":[{"name":"d","type":"decimal(12,5)","nullable":false,"metadata":{}},)js"
      R"js({"name":"m","type":{"type":"map","keyType":"string","valueType":{"type":"array","elementType":"integer","containsNull":false},"valueContainsNull":true},"nullable":true,"metadata":{}},)js"
      R"js({"name":"s","type":{"type":"struct","fields":[{"name":"t","type":"timestamp_ntz","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]})js";
  auto schema = ParseSchemaString(s);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->size(), 3u);
  EXPECT_EQ((*schema)[0].type.precision, 12);
  EXPECT_FALSE((*schema)[0].nullable);
  EXPECT_EQ((*schema)[1].type.children[1].type.id, TypeId::kArray);
  EXPECT_FALSE((*schema)[1].type.children[1].type.contains_null);
  EXPECT_EQ((*schema)[2].type.children[0].type.id, TypeId::kTimestampNtz);
  EXPECT_EQ(SchemaToString(*schema), s);
}

TEST(SchemaString, UnknownTypeIsUnimplemented) {
  auto schema = ParseSchemaString(
      R"({"type":"struct","fields":[{"name":"v","type":"variant","nullable":true}]})");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().message(), "field v: unsupported data type 'variant'");
}

TEST(PartitionValues, ParseEveryPrimitiveType) {
  auto p = [](const char* text, DataType t) { return ParsePartitionValue(std::string(text), t); };
  EXPECT_EQ(p("-12", DataType::Primitive(TypeId::kByte))->i, -12);
  EXPECT_FALSE(p("300", DataType::Primitive(TypeId::kByte)).ok());
  EXPECT_EQ(p("9000000000", DataType::Primitive(TypeId::kLong))->i, 9000000000);
  EXPECT_TRUE(p("true", DataType::Primitive(TypeId::kBoolean))->b);
  EXPECT_EQ(p("1.5", DataType::Primitive(TypeId::kFloat))->f, 1.5f);
  EXPECT_EQ(p("2021-09-08", DataType::Primitive(TypeId::kDate))->i, 18878);
  EXPECT_EQ(p("2021-09-08 11:11:11", DataType::Primitive(TypeId::kTimestamp))->i,
            int64_t{1631099471} * 1000000);
  EXPECT_EQ(p("1970-01-01 00:00:00.5", DataType::Primitive(TypeId::kTimestamp))->i, 500000);
  EXPECT_EQ(p("-2342342.23423", DataType::Decimal(12, 5))->i, -234234223423);
  EXPECT_EQ(p("234", DataType::Decimal(12, 5))->i, 23400000);
  EXPECT_TRUE(ParsePartitionValue(std::nullopt, DataType::Primitive(TypeId::kLong))->is_null());
  EXPECT_TRUE(ParsePartitionValue(std::string(), DataType::Primitive(TypeId::kString))->is_null());
  auto bad = p("x", DataType::Primitive(TypeId::kInteger));
  EXPECT_EQ(bad.status().message(), "partition value 'x' is not a valid integer");
}

TEST(PartitionValues, FormatIsTheInverseOfParse) {
  DataType ts = DataType::Primitive(TypeId::kTimestamp);
  auto v = ParsePartitionValue(std::string("1969-12-31 23:59:59.000001"), ts);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*FormatPartitionValue(*v, ts), "1969-12-31 23:59:59.000001");
  DataType dec = DataType::Decimal(30, 3);
  auto d = ParsePartitionValue(std::string("-12345678901234567890.5"), dec);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*FormatPartitionValue(*d, dec), "-12345678901234567890.500");
}

TEST(Paths, UnescapeDecodesOnce) {
  EXPECT_EQ(*UnescapePath("x=A%252FA/part%20one.parquet"), "x=A%2FA/part one.parquet");
  EXPECT_EQ(UnescapePath("bad%2").status().message(), "bad percent-escape in path 'bad%2'");
  EXPECT_EQ(EscapePath("ts=2021-09-08 11%3A11/f.parquet"), "ts=2021-09-08%2011%253A11/f.parquet");
  EXPECT_EQ(EscapePartitionDirValue("11:11/x"), "11%3A11%2Fx");
}

TEST(ParseEqualityFilter, TypedByColumn) {
  Schema schema = {{"year_month", DataType::Primitive(TypeId::kString), true},
                   {"n", DataType::Primitive(TypeId::kInteger), true}};
  auto r = ParseEqualityFilter(schema, "n=42");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min.i, 42);
  EXPECT_EQ(ParseEqualityFilter(schema, "n=x").status().message(),
            "filter 'n=x': 'x' is not a valid integer");
  EXPECT_EQ(ParseEqualityFilter(schema, "zz=1").status().message(),
            "filter 'zz=1': unknown column zz");
}

TEST(RowJson, EncodesPerConformanceReadme) {
  Schema schema = {
      {"f", DataType::Primitive(TypeId::kFloat), true},
      {"d", DataType::Decimal(5, 2), true},
      {"b", DataType::Primitive(TypeId::kBinary), true},
      {"ts", DataType::Primitive(TypeId::kTimestamp), true},
      {"m", DataType{TypeId::kMap, 0, 0,
                     {{"key", DataType::Primitive(TypeId::kString), false},
                      {"value", DataType::Primitive(TypeId::kDouble), true}},
                     true},
       true},
  };
  RecordBatch batch;
  batch.schema = schema;
  for (const Field& f : schema) batch.columns.push_back(ColumnVector::Make(f));
  batch.columns[0].As<float>() = {0.1f};
  batch.columns[1].As<int32_t>() = {-5};
  batch.columns[2].As<std::string>() = {std::string("\x01\xff", 2)};
  batch.columns[3].As<int64_t>() = {-1};
  Value map;
  map.kind = Value::Kind::kMap;
  map.children = {Value::Bytes("z"), Value::Double(std::nan("")), Value::Bytes("a"),
                  Value::Null()};
  batch.columns[4].As<Value>() = {map};
  batch.num_rows = 1;
  EXPECT_EQ(RowToJson(batch, 0),
            R"({"f":0.1,"d":"-0.05","b":"01ff","ts":"1969-12-31T23:59:59.999999Z",)"
            R"("m":[["a",null],["z","NaN"]]})");
}

}  // namespace
}  // namespace rs::delta
