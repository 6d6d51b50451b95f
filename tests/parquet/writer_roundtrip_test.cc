// Writer -> reader round trips: every type and nullability, nested Delta
// checkpoint shapes, several row groups and pages, each codec, dictionary
// fallback, and random batches. The reader (reader.h) is a separate
// implementation; DuckDB and arrow-rs check the same files in
// interop_writer_integration_test.cc.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parquet/reader.h"
#include "parquet/writer.h"

namespace rs::parquet {
namespace {

Field F(std::string name, DataType t, bool nullable = true) {
  return Field{std::move(name), std::move(t), nullable};
}
DataType P(TypeId id) { return DataType::Primitive(id); }

template <typename T>
bool SameScalar(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;  // -0.0 and 0.0 differ
  } else {
    return a == b;
  }
}

bool SameValue(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kNull: return true;
    case Value::Kind::kBool: return a.b == b.b;
    case Value::Kind::kInt: return a.i == b.i;
    case Value::Kind::kFloat: return SameScalar(a.f, b.f);
    case Value::Kind::kDouble: return SameScalar(a.d, b.d);
    case Value::Kind::kBytes: return a.bytes == b.bytes;
    default:
      if (a.children.size() != b.children.size()) return false;
      for (size_t i = 0; i < a.children.size(); ++i) {
        if (!SameValue(a.children[i], b.children[i])) return false;
      }
      return true;
  }
}

// Wide decimals are equal when their two's complement values are: the reader
// returns the shortest form, the writer takes any sign-extended length.
std::string Minimal(const std::string& b) {
  size_t start = 0;
  while (b.size() - start > 1 &&
         ((b[start] == '\0' && !(static_cast<uint8_t>(b[start + 1]) & 0x80)) ||
          (b[start] == '\xff' && (static_cast<uint8_t>(b[start + 1]) & 0x80)))) {
    ++start;
  }
  return b.substr(start);
}

void ExpectSameColumn(const ColumnVector& want, const ColumnVector& got) {
  const bool wide_decimal = want.field.type.id == TypeId::kDecimal && want.field.type.precision > 18;
  ASSERT_EQ(want.size(), got.size()) << want.field.name;
  ASSERT_EQ(want.values.index(), got.values.index()) << want.field.name;
  for (size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(want.IsValid(r), got.IsValid(r)) << want.field.name << " row " << r;
    if (!want.IsValid(r)) continue;
    bool same = std::visit([&](const auto& w) {
      using V = std::decay_t<decltype(w)>;
      const auto& g = std::get<V>(got.values);
      if constexpr (std::is_same_v<typename V::value_type, Value>) {
        return SameValue(w[r], g[r]);
      } else if constexpr (std::is_same_v<typename V::value_type, std::string>) {
        return wide_decimal ? Minimal(w[r]) == Minimal(g[r]) : w[r] == g[r];
      } else {
        return SameScalar(w[r], g[r]);
      }
    }, want.values);
    ASSERT_TRUE(same) << want.field.name << " row " << r;
  }
}

RecordBatch RoundTrip(const std::vector<RecordBatch>& batches, const WriterOptions& options,
                      int* row_groups = nullptr) {
  auto writer = FileWriter::Create(batches.at(0).schema, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (const auto& b : batches) {
    Status st = (*writer)->WriteBatch(b);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  auto bytes = (*writer)->Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto reader = FileReader::OpenBuffer(*bytes, "roundtrip.parquet");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (row_groups != nullptr) *row_groups = (*reader)->num_row_groups();
  auto read = (*reader)->Read();
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  return read.ok() ? *read : RecordBatch{};
}

RecordBatch Concat(const std::vector<RecordBatch>& parts) {
  RecordBatch all = parts.at(0);
  for (size_t p = 1; p < parts.size(); ++p) {
    for (size_t c = 0; c < all.columns.size(); ++c) {
      ColumnVector& dst = all.columns[c];
      const ColumnVector& src = parts[p].columns[c];
      if (!dst.validity.empty() || !src.validity.empty()) {
        if (dst.validity.empty()) dst.validity.assign(dst.size(), 1);
        if (src.validity.empty()) {
          dst.validity.insert(dst.validity.end(), src.size(), 1);
        } else {
          dst.validity.insert(dst.validity.end(), src.validity.begin(), src.validity.end());
        }
      }
      std::visit([&](auto& d) {
        const auto& s = std::get<std::decay_t<decltype(d)>>(src.values);
        d.insert(d.end(), s.begin(), s.end());
      }, dst.values);
    }
    all.num_rows += parts[p].num_rows;
  }
  return all;
}

void ExpectSameBatch(const RecordBatch& want, const RecordBatch& got) {
  ASSERT_EQ(want.num_rows, got.num_rows);
  ASSERT_EQ(want.columns.size(), got.columns.size());
  for (size_t c = 0; c < want.columns.size(); ++c) {
    EXPECT_EQ(want.schema[c].name, got.schema[c].name);
    EXPECT_EQ(want.schema[c].type.id, got.schema[c].type.id) << want.schema[c].name;
    ExpectSameColumn(want.columns[c], got.columns[c]);
  }
}

// Random values for any primitive type; nested types get random trees.
Value RandomValue(const DataType& t, std::mt19937_64& rng, bool nullable);

Value RandomScalar(const DataType& t, std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  switch (t.id) {
    case TypeId::kBoolean: return Value::Bool(rng() % 2 == 0);
    case TypeId::kByte: return Value::Int(pick(-128, 127));
    case TypeId::kShort: return Value::Int(pick(-32768, 32767));
    case TypeId::kInteger:
    case TypeId::kDate: return Value::Int(static_cast<int32_t>(rng()));
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz: return Value::Int(static_cast<int64_t>(rng()));
    case TypeId::kFloat: return Value::Float(static_cast<float>(pick(-100000, 100000)) / 8.0f);
    case TypeId::kDouble: return Value::Double(static_cast<double>(static_cast<int64_t>(rng())) / 3.0);
    case TypeId::kString: return Value::Bytes("s" + std::to_string(rng() % 40));
    case TypeId::kBinary: return Value::Bytes(std::string(rng() % 5, static_cast<char>(rng())));
    default: return Value::Int(pick(-99999, 99999));  // decimal(9, x)
  }
}

Value RandomValue(const DataType& t, std::mt19937_64& rng, bool nullable) {
  if (nullable && rng() % 5 == 0) return Value::Null();
  if (!t.is_nested()) return RandomScalar(t, rng);
  Value v;
  if (t.id == TypeId::kStruct) {
    v.kind = Value::Kind::kStruct;
    for (const Field& f : t.children) v.children.push_back(RandomValue(f.type, rng, f.nullable));
    return v;
  }
  v.kind = t.id == TypeId::kArray ? Value::Kind::kList : Value::Kind::kMap;
  size_t n = rng() % 4;
  for (size_t i = 0; i < n; ++i) {
    if (t.id == TypeId::kMap) v.children.push_back(RandomValue(t.children[0].type, rng, false));
    v.children.push_back(RandomValue(t.children.back().type, rng, t.contains_null));
  }
  return v;
}

// A batch of random rows; flat columns as typed vectors, nested as Values.
RecordBatch RandomBatch(const Schema& schema, size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  RecordBatch b;
  b.schema = schema;
  b.num_rows = rows;
  for (const Field& f : schema) {
    ColumnVector c = ColumnVector::Make(f);
    if (f.nullable) c.validity.assign(rows, 1);
    for (size_t r = 0; r < rows; ++r) {
      Value v = RandomValue(f.type, rng, f.nullable);
      if (v.is_null()) c.validity[r] = 0;
      std::visit([&](auto& vec) {
        using T = typename std::decay_t<decltype(vec)>::value_type;
        if constexpr (std::is_same_v<T, Value>) {
          vec.push_back(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          vec.push_back(v.bytes);
        } else if constexpr (std::is_same_v<T, float>) {
          vec.push_back(v.f);
        } else if constexpr (std::is_same_v<T, double>) {
          vec.push_back(v.d);
        } else if constexpr (std::is_same_v<T, uint8_t>) {
          vec.push_back(v.b ? 1 : 0);
        } else {
          vec.push_back(static_cast<T>(v.i));
        }
      }, c.values);
    }
    b.columns.push_back(std::move(c));
  }
  return b;
}

Schema FlatSchema(bool nullable) {
  Schema s;
  for (TypeId id : {TypeId::kBoolean, TypeId::kByte, TypeId::kShort, TypeId::kInteger, TypeId::kLong,
                    TypeId::kFloat, TypeId::kDouble, TypeId::kString, TypeId::kBinary, TypeId::kDate,
                    TypeId::kTimestamp, TypeId::kTimestampNtz}) {
    s.push_back(F("c" + std::to_string(static_cast<int>(id)), P(id), nullable));
  }
  s.push_back(F("dec", DataType::Decimal(9, 3), nullable));
  return s;
}

DataType StringMap() {
  DataType t{TypeId::kMap};
  t.children = {F("key", P(TypeId::kString), false), F("value", P(TypeId::kString), true)};
  return t;
}

DataType ArrayOf(DataType e, bool contains_null) {
  DataType t{TypeId::kArray};
  t.children = {F("element", std::move(e), contains_null)};
  t.contains_null = contains_null;
  return t;
}

DataType StructOf(std::vector<Field> fields) {
  DataType t{TypeId::kStruct};
  t.children = std::move(fields);
  return t;
}

// The shape of a Delta checkpoint's add and protocol actions.
Schema CheckpointSchema() {
  return {
      F("add", StructOf({F("path", P(TypeId::kString)), F("partitionValues", StringMap()),
                         F("size", P(TypeId::kLong)), F("modificationTime", P(TypeId::kLong)),
                         F("dataChange", P(TypeId::kBoolean)), F("stats", P(TypeId::kString)),
                         F("tags", StringMap())})),
      F("protocol", StructOf({F("minReaderVersion", P(TypeId::kInteger)),
                              F("readerFeatures", ArrayOf(P(TypeId::kString), false))})),
      F("nested", StructOf({F("inner", StructOf({F("xs", ArrayOf(P(TypeId::kDouble), true)),
                                                 F("id", P(TypeId::kLong), false)}))})),
      F("lists", ArrayOf(ArrayOf(P(TypeId::kInteger), true), true), false),
  };
}

TEST(WriterRoundTripTest, FlatRequiredColumns) {
  auto batch = RandomBatch(FlatSchema(false), 500, 1);
  ExpectSameBatch(batch, RoundTrip({batch}, {}));
}

TEST(WriterRoundTripTest, FlatOptionalColumnsWithoutDictionary) {
  auto batch = RandomBatch(FlatSchema(true), 500, 2);
  WriterOptions options;
  options.dictionary_enabled = false;
  ExpectSameBatch(batch, RoundTrip({batch}, options));
}

TEST(WriterRoundTripTest, EveryCodecWithSmallPages) {
  for (Compression codec : {Compression::kNone, Compression::kSnappy, Compression::kGzip,
                            Compression::kZstd}) {
    SCOPED_TRACE(static_cast<int>(codec));
    auto batch = RandomBatch(FlatSchema(true), 2000, 3);
    WriterOptions options;
    options.compression = codec;
    options.page_bytes = 512;
    ExpectSameBatch(batch, RoundTrip({batch}, options));
  }
}

TEST(WriterRoundTripTest, ManyBatchesIntoManyRowGroupsWithDictionaryFallback) {
  std::vector<RecordBatch> parts;
  for (uint64_t p = 0; p < 6; ++p) parts.push_back(RandomBatch(FlatSchema(true), 1500, 10 + p));
  WriterOptions options;
  options.row_group_bytes = 20000;
  options.dictionary_bytes_limit = 64;
  int row_groups = 0;
  ExpectSameBatch(Concat(parts), RoundTrip(parts, options, &row_groups));
  EXPECT_GT(row_groups, 3);
}

TEST(WriterRoundTripTest, CheckpointShapedNestedColumns) {
  auto batch = RandomBatch(CheckpointSchema(), 400, 4);
  ExpectSameBatch(batch, RoundTrip({batch}, {}));
}

TEST(WriterRoundTripTest, NestedColumnsAcrossPagesAndRowGroups) {
  std::vector<RecordBatch> parts;
  for (uint64_t p = 0; p < 4; ++p) parts.push_back(RandomBatch(CheckpointSchema(), 300, 20 + p));
  WriterOptions options;
  options.page_bytes = 64;
  options.row_group_bytes = 4000;
  int row_groups = 0;
  ExpectSameBatch(Concat(parts), RoundTrip(parts, options, &row_groups));
  EXPECT_GT(row_groups, 1);
}

TEST(WriterRoundTripTest, ExtremeScalarsSurviveExactly) {
  Schema schema = {F("d", P(TypeId::kDouble)), F("l", P(TypeId::kLong)),
                   F("w", DataType::Decimal(38, 4)), F("s", P(TypeId::kString))};
  RecordBatch b;
  b.schema = schema;
  for (const Field& f : schema) b.columns.push_back(ColumnVector::Make(f));
  const double ds[] = {-0.0, std::numeric_limits<double>::infinity(), std::nan(""),
                       std::numeric_limits<double>::denorm_min()};
  const int64_t ls[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1};
  const std::string ws[] = {std::string(16, '\x80'), std::string("\x7f") + std::string(15, '\xff'),
                            std::string(16, '\0'), std::string(16, '\xff')};
  const std::string ss[] = {"", "日本語", std::string("a\0b", 3), "\xf0\x9f\x8e\x89"};
  for (int i = 0; i < 4; ++i) {
    b.columns[0].As<double>().push_back(ds[i]);
    b.columns[1].As<int64_t>().push_back(ls[i]);
    b.columns[2].As<std::string>().push_back(ws[i]);
    b.columns[3].As<std::string>().push_back(ss[i]);
  }
  b.num_rows = 4;
  ExpectSameBatch(b, RoundTrip({b}, {}));
}

TEST(WriterRoundTripTest, FieldIdsAreWrittenAtEveryLevel) {
  Field a = F("a", P(TypeId::kLong));
  a.field_id = 11;
  Field inner = F("inner", P(TypeId::kString));
  inner.field_id = 13;
  Field s = F("s", DataType{TypeId::kStruct, 0, 0, {inner}, true});
  s.field_id = 12;
  Field element = F("element", P(TypeId::kInteger));
  element.field_id = 15;
  Field list = F("l", DataType{TypeId::kArray, 0, 0, {element}, true});
  list.field_id = 14;
  Field key = F("key", P(TypeId::kString), false);
  key.field_id = 17;
  Field value = F("value", P(TypeId::kDouble));
  value.field_id = 18;
  Field map = F("m", DataType{TypeId::kMap, 0, 0, {key, value}, true});
  map.field_id = 16;
  Field none = F("none", P(TypeId::kInteger));
  RecordBatch b;
  b.schema = {a, s, list, map, none};
  for (const Field& f : b.schema) b.columns.push_back(ColumnVector::Make(f));
  auto writer = FileWriter::Create(b.schema, {});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->WriteBatch(b).ok());
  auto bytes = (*writer)->Finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto reader = FileReader::OpenBuffer(*bytes, "ids.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& got = (*reader)->schema();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].field_id, 11);
  EXPECT_EQ(got[1].field_id, 12);
  EXPECT_EQ(got[1].type.children.at(0).field_id, 13);
  EXPECT_EQ(got[2].field_id, 14);
  EXPECT_EQ(got[2].type.children.at(0).field_id, 15);
  EXPECT_EQ(got[3].field_id, 16);
  EXPECT_EQ(got[3].type.children.at(0).field_id, 17);
  EXPECT_EQ(got[3].type.children.at(1).field_id, 18);
  EXPECT_EQ(got[4].field_id, std::nullopt);
}

TEST(WriterRoundTripTest, ZeroRowFileHasSchemaAndNoRows) {
  RecordBatch b;
  b.schema = FlatSchema(true);
  for (const Field& f : b.schema) b.columns.push_back(ColumnVector::Make(f));
  int row_groups = -1;
  RecordBatch got = RoundTrip({b}, {}, &row_groups);
  EXPECT_EQ(got.num_rows, 0u);
  EXPECT_EQ(got.schema.size(), b.schema.size());
  EXPECT_EQ(row_groups, 0);
}

}  // namespace
}  // namespace rs::parquet
