// Writes Parquet fixtures with our writer, each next to a JSON sidecar of the
// values it must read back as, for check_with_independent_readers.mjs.
//
// Usage: parquet_write_fixtures <output-dir>
// Sidecar: {"columns": [{"name", "type"}], "rows": [[cell, ...]], "row_groups": n}
// Cells are canonical: integers, dates, timestamps and unscaled decimals as
// decimal strings; doubles as 16 hex digits of their bits, floats as 8 ("NaN"
// for any NaN); binary as "hex:..."; structs as objects; lists as arrays; maps
// as arrays of [key, value].
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parquet/writer.h"

namespace rs::parquet {
namespace {

using json = nlohmann::ordered_json;

DataType P(TypeId id) { return DataType::Primitive(id); }
DataType Struct(std::vector<Field> f) {
  DataType t{TypeId::kStruct};
  t.children = std::move(f);
  return t;
}
DataType Array(DataType e, bool contains_null = true) {
  DataType t{TypeId::kArray};
  t.children = {Field{"element", std::move(e), contains_null}};
  t.contains_null = contains_null;
  return t;
}
DataType Map(DataType k, DataType v, bool contains_null = true) {
  DataType t{TypeId::kMap};
  t.children = {Field{"key", std::move(k), false}, Field{"value", std::move(v), contains_null}};
  t.contains_null = contains_null;
  return t;
}

std::string Hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) s += {d[c >> 4], d[c & 15]};
  return s;
}

template <typename Bits, typename F>
std::string FloatBits(F f) {
  if (std::isnan(f)) return "NaN";
  Bits bits;
  std::memcpy(&bits, &f, sizeof bits);
  char buf[32];
  std::snprintf(buf, sizeof buf, sizeof(Bits) == 8 ? "%016llx" : "%08llx",
                static_cast<unsigned long long>(bits));
  return buf;
}

// 128-bit integers for the widest decimals: a GCC/Clang extension
// (__extension__ keeps -Wpedantic quiet about it).
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

std::string Int128Text(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  UInt128 u = neg ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

std::string BigEndianDecimalText(const std::string& b) {
  Int128 v = (!b.empty() && (static_cast<unsigned char>(b[0]) & 0x80)) ? -1 : 0;
  for (unsigned char c : b) v = (v << 8) | c;  // two's complement shift-in
  return Int128Text(v);
}

std::string BigEndianOf(Int128 v, int width) {
  std::string s(static_cast<size_t>(width), '\0');
  for (int i = width - 1; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

json TypeJson(const DataType& t) {
  static const char* names[] = {"boolean", "byte",  "short",  "integer",   "long",         "float",
                                "double",  "string", "binary", "date",     "timestamp",    "timestamp_ntz",
                                "decimal", "struct", "array",  "map"};
  json j = {{"id", names[static_cast<int>(t.id)]}};
  if (t.id == TypeId::kDecimal) j["precision"] = t.precision, j["scale"] = t.scale;
  if (t.id == TypeId::kStruct) {
    j["fields"] = json::array();
    for (const Field& f : t.children) j["fields"].push_back({{"name", f.name}, {"type", TypeJson(f.type)}});
  }
  if (t.id == TypeId::kArray) j["element"] = TypeJson(t.children[0].type);
  if (t.id == TypeId::kMap) j["key"] = TypeJson(t.children[0].type), j["value"] = TypeJson(t.children[1].type);
  return j;
}

json CanonValue(const DataType& t, const Value& v) {
  if (v.is_null()) return nullptr;
  switch (t.id) {
    case TypeId::kBoolean: return v.b;
    case TypeId::kFloat: return FloatBits<uint32_t>(v.f);
    case TypeId::kDouble: return FloatBits<uint64_t>(v.d);
    case TypeId::kString: return v.bytes;
    case TypeId::kBinary: return "hex:" + Hex(v.bytes);
    case TypeId::kDecimal:
      return t.precision > 18 ? BigEndianDecimalText(v.bytes) : std::to_string(v.i);
    case TypeId::kStruct: {
      json o = json::object();
      for (size_t i = 0; i < t.children.size(); ++i) {
        o[t.children[i].name] = CanonValue(t.children[i].type, v.children[i]);
      }
      return o;
    }
    case TypeId::kArray: {
      json a = json::array();
      for (const Value& e : v.children) a.push_back(CanonValue(t.children[0].type, e));
      return a;
    }
    case TypeId::kMap: {
      json a = json::array();
      for (size_t i = 0; i + 1 < v.children.size(); i += 2) {
        a.push_back({CanonValue(t.children[0].type, v.children[i]),
                     CanonValue(t.children[1].type, v.children[i + 1])});
      }
      return a;
    }
    default: return std::to_string(v.i);
  }
}

// A column being built: typed values plus the canonical expected cells.
struct Col {
  ColumnVector c;
  std::vector<json> expect;

  Col(std::string name, DataType t, bool nullable)
      : c(ColumnVector::Make(Field{std::move(name), std::move(t), nullable})) {}

  const DataType& type() const { return c.field.type; }
  void Null() {
    if (c.validity.empty()) c.validity.assign(c.size(), 1);
    std::visit([](auto& v) { v.emplace_back(); }, c.values);
    c.validity.push_back(0);
    expect.push_back(nullptr);
  }
  void Valid() {
    if (!c.validity.empty()) c.validity.push_back(1);
  }
  void Int(int64_t x) {
    Valid();
    if (std::holds_alternative<std::vector<int32_t>>(c.values)) {
      c.As<int32_t>().push_back(static_cast<int32_t>(x));
    } else {
      c.As<int64_t>().push_back(x);
    }
    expect.push_back(std::to_string(x));
  }
  void Bool(bool x) { Valid(); c.As<uint8_t>().push_back(x); expect.push_back(x); }
  void F32(float x) { Valid(); c.As<float>().push_back(x); expect.push_back(FloatBits<uint32_t>(x)); }
  void F64(double x) { Valid(); c.As<double>().push_back(x); expect.push_back(FloatBits<uint64_t>(x)); }
  void Str(std::string x) {
    Valid();
    expect.push_back(type().id == TypeId::kBinary ? json("hex:" + Hex(x))
                     : type().id == TypeId::kDecimal ? json(BigEndianDecimalText(x))
                                                      : json(x));
    c.As<std::string>().push_back(std::move(x));
  }
  void Val(Value v) {
    if (v.is_null()) return Null();
    Valid();
    expect.push_back(CanonValue(type(), v));
    c.As<Value>().push_back(std::move(v));
  }
};

struct Fixture {
  std::string name;
  std::vector<Col> cols;
  WriterOptions options;
  size_t batches = 1;
};

RecordBatch Slice(const std::vector<Col>& cols, size_t begin, size_t end) {
  RecordBatch b;
  b.num_rows = end - begin;
  for (const Col& col : cols) {
    b.schema.push_back(col.c.field);
    ColumnVector c = ColumnVector::Make(col.c.field);
    std::visit([&](auto& dst) {
      using V = std::decay_t<decltype(dst)>;
      const V& src = std::get<V>(col.c.values);
      dst.assign(src.begin() + static_cast<ptrdiff_t>(begin), src.begin() + static_cast<ptrdiff_t>(end));
    }, c.values);
    if (!col.c.validity.empty()) {
      c.validity.assign(col.c.validity.begin() + static_cast<ptrdiff_t>(begin),
                        col.c.validity.begin() + static_cast<ptrdiff_t>(end));
    }
    b.columns.push_back(std::move(c));
  }
  return b;
}

bool WriteFixture(const Fixture& f, const std::string& dir) {
  Schema schema;
  for (const Col& c : f.cols) schema.push_back(c.c.field);
  auto writer = FileWriter::Create(schema, f.options);
  if (!writer.ok()) return std::fprintf(stderr, "%s: %s\n", f.name.c_str(), writer.status().ToString().c_str()), false;
  size_t rows = f.cols.front().c.size();
  size_t step = f.batches > 1 ? (rows + f.batches - 1) / f.batches : std::max<size_t>(rows, 1);
  for (size_t begin = 0; begin < rows; begin += step) {
    Status st = (*writer)->WriteBatch(Slice(f.cols, begin, std::min(rows, begin + step)));
    if (!st.ok()) {
      (*writer)->Abandon();
      return std::fprintf(stderr, "%s: %s\n", f.name.c_str(), st.ToString().c_str()), false;
    }
  }
  auto bytes = (*writer)->Finish();
  if (!bytes.ok()) return std::fprintf(stderr, "%s: %s\n", f.name.c_str(), bytes.status().ToString().c_str()), false;
  std::ofstream(dir + "/" + f.name + ".parquet", std::ios::binary) << *bytes;
  json side = {{"name", f.name}, {"columns", json::array()}, {"rows", json::array()},
               {"row_groups", (*writer)->summary().num_row_groups}};
  for (const Col& c : f.cols) side["columns"].push_back({{"name", c.c.field.name}, {"type", TypeJson(c.type())}});
  for (size_t r = 0; r < rows; ++r) {
    json row = json::array();
    for (const Col& c : f.cols) row.push_back(c.expect[r]);
    side["rows"].push_back(std::move(row));
  }
  std::ofstream(dir + "/" + f.name + ".json") << side.dump(1);
  return true;
}

// Every primitive type; `nullable` adds nulls between the extreme values.
std::vector<Col> ScalarColumns(bool nullable) {
  std::vector<Col> c;
  c.emplace_back("b", P(TypeId::kBoolean), nullable);
  c.emplace_back("i8", P(TypeId::kByte), nullable);
  c.emplace_back("i16", P(TypeId::kShort), nullable);
  c.emplace_back("i32", P(TypeId::kInteger), nullable);
  c.emplace_back("i64", P(TypeId::kLong), nullable);
  c.emplace_back("f32", P(TypeId::kFloat), nullable);
  c.emplace_back("f64", P(TypeId::kDouble), nullable);
  c.emplace_back("s", P(TypeId::kString), nullable);
  c.emplace_back("bin", P(TypeId::kBinary), nullable);
  c.emplace_back("d", P(TypeId::kDate), nullable);
  c.emplace_back("ts", P(TypeId::kTimestamp), nullable);
  c.emplace_back("tsn", P(TypeId::kTimestampNtz), nullable);
  c.emplace_back("dec9", DataType::Decimal(9, 2), nullable);
  c.emplace_back("dec18", DataType::Decimal(18, 4), nullable);
  c.emplace_back("dec38", DataType::Decimal(38, 10), nullable);
  const Int128 p38 = static_cast<Int128>(10000000000000000000ULL) * 10000000000000000000ULL - 1;
  const float kF[] = {-0.0f, 0.0f, std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity(), std::nanf(""),
                      std::numeric_limits<float>::denorm_min(), -3.4028235e38f, 1.1f};
  const double kD[] = {-0.0, 0.0, std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity(), std::nan(""),
                       std::numeric_limits<double>::denorm_min(), -1.7976931348623157e308, 0.1};
  const char* kS[] = {"", "plain ascii", "héllo wörld ✓", "日本語テキスト", "🎉 emoji", "Zz", "a", ""};
  const std::string kB[] = {std::string("\0\xff", 2), "", "\x80", "abc", std::string(3, '\0'), "\x7f", "z", "\xff"};
  for (int r = 0; r < 8; ++r) {
    if (nullable && (r == 1 || r == 6)) {
      for (Col& col : c) col.Null();
      continue;
    }
    bool lo = r % 2 == 0;
    c[0].Bool(r % 3 == 0);
    c[1].Int(r == 7 ? 0 : lo ? -128 : 127);
    c[2].Int(r == 7 ? -1 : lo ? -32768 : 32767);
    c[3].Int(r == 7 ? 42 : lo ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max());
    c[4].Int(r == 7 ? -42 : lo ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max());
    c[5].F32(kF[r]);
    c[6].F64(kD[r]);
    c[7].Str(kS[r]);
    c[8].Str(kB[r]);
    const int32_t kDays[] = {0, -1, 19000, 2932896, -719162, 20000, 1, 18000};
    c[9].Int(kDays[r]);
    const int64_t kMicros[] = {0, -1, 1700000000123456, 253402300799999999, -62135596800000000, 1, 86400000000, 42};
    c[10].Int(kMicros[r]);
    c[11].Int(-kMicros[r] / 2);
    c[12].Int(r == 7 ? 12345 : lo ? -999999999 : 999999999);
    c[13].Int(r == 7 ? -1 : lo ? -999999999999999999 : 999999999999999999);
    c[14].Str(r == 7 ? std::string("\xff") : r == 5 ? std::string("\x01", 1)
                                            : BigEndianOf(lo ? -p38 : p38, 16));
  }
  if (nullable) {
    Col all_null("all_null", P(TypeId::kString), true);
    for (int r = 0; r < 8; ++r) all_null.Null();
    c.push_back(std::move(all_null));
  }
  return c;
}

uint64_t Lcg(uint64_t* s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return *s >> 33;
}

std::vector<Col> GeneratedColumns(size_t rows, uint64_t seed, size_t cardinality) {
  std::vector<Col> c;
  c.emplace_back("id", P(TypeId::kLong), false);
  c.emplace_back("name", P(TypeId::kString), false);
  c.emplace_back("val", P(TypeId::kDouble), true);
  c.emplace_back("flag", P(TypeId::kBoolean), true);
  c.emplace_back("d", P(TypeId::kDate), false);
  c.emplace_back("unique", P(TypeId::kString), true);
  for (size_t r = 0; r < rows; ++r) {
    uint64_t x = Lcg(&seed);
    c[0].Int(static_cast<int64_t>(r) * 7 - 1000);
    c[1].Str("name-" + std::to_string(x % cardinality));
    if (x % 11 == 0) c[2].Null(); else c[2].F64(static_cast<double>(x % 100000) / 7.0 - 3000);
    if (x % 5 == 0) c[3].Null(); else c[3].Bool(x % 2 == 0);
    c[4].Int(19000 + static_cast<int64_t>(r % 31));
    if (x % 13 == 0) c[5].Null(); else c[5].Str("unique value " + std::to_string(r) + "/" + std::to_string(x));
  }
  return c;
}

Value S(std::string s) { return Value::Bytes(std::move(s)); }
Value L(std::vector<Value> v) { Value x; x.kind = Value::Kind::kList; x.children = std::move(v); return x; }
Value St(std::vector<Value> v) { Value x; x.kind = Value::Kind::kStruct; x.children = std::move(v); return x; }
Value M(std::vector<Value> kv) { Value x; x.kind = Value::Kind::kMap; x.children = std::move(kv); return x; }

// The shapes a Delta checkpoint needs: structs of optional fields, string
// maps, string arrays, nested structs; plus lists with null elements.
std::vector<Col> NestedColumns() {
  DataType str_map = Map(P(TypeId::kString), P(TypeId::kString));
  std::vector<Col> c;
  c.emplace_back("add", Struct({{"path", P(TypeId::kString), true}, {"partitionValues", str_map, true},
                                {"size", P(TypeId::kLong), true}, {"dataChange", P(TypeId::kBoolean), true},
                                {"tags", str_map, true}}), true);
  c.emplace_back("protocol", Struct({{"minReaderVersion", P(TypeId::kInteger), true},
                                     {"readerFeatures", Array(P(TypeId::kString)), true}}), true);
  c.emplace_back("ints", Array(P(TypeId::kInteger)), true);
  c.emplace_back("req_ints", Array(P(TypeId::kLong), false), false);
  c.emplace_back("deep", Struct({{"a", Struct({{"b", P(TypeId::kLong), true},
                                               {"c", Array(Struct({{"x", P(TypeId::kInteger), true},
                                                                   {"y", P(TypeId::kString), true}})), true}}), true}}), true);
  Value n = Value::Null();
  c[0].Val(St({S("year_month=2024-01/part-0.parquet"), M({S("year_month"), S("2024-01")}), Value::Int(1234),
               Value::Bool(true), n}));
  c[0].Val(n);
  c[0].Val(St({S("p2"), M({}), n, Value::Bool(false), M({S("k1"), S("v1"), S("k2"), n})}));
  c[0].Val(St({n, n, Value::Int(-1), n, M({S(""), S("")})}));
  c[0].Val(St({S("ü/ß"), M({S("a"), S("1"), S("b"), S("2"), S("c"), S("3")}), Value::Int(0), Value::Bool(true), M({})}));
  c[1].Val(n);
  c[1].Val(St({Value::Int(3), L({S("deletionVectors"), S("columnMapping")})}));
  c[1].Val(St({Value::Int(1), L({})}));
  c[1].Val(St({n, n}));
  c[1].Val(St({Value::Int(2), L({n, S("x")})}));
  c[2].Val(L({Value::Int(1), Value::Int(2), Value::Int(3)}));
  c[2].Val(L({}));
  c[2].Val(n);
  c[2].Val(L({n}));
  c[2].Val(L({Value::Int(-5), n, Value::Int(7)}));
  c[3].Val(L({Value::Int(1)}));
  c[3].Val(L({}));
  c[3].Val(L({Value::Int(std::numeric_limits<int64_t>::min()), Value::Int(2)}));
  c[3].Val(L({}));
  c[3].Val(L({Value::Int(9), Value::Int(8), Value::Int(7), Value::Int(6)}));
  c[4].Val(St({St({Value::Int(1), L({St({Value::Int(1), S("one")}), St({n, n}), n})})}));
  c[4].Val(St({n}));
  c[4].Val(n);
  c[4].Val(St({St({n, L({})})}));
  c[4].Val(St({St({Value::Int(5), n})}));
  return c;
}

std::vector<Col> RankingColumns(size_t rows) {
  std::vector<Col> c;
  c.emplace_back("date", P(TypeId::kDate), false);
  c.emplace_back("year_month", P(TypeId::kString), false);
  c.emplace_back("symbol", P(TypeId::kString), false);
  c.emplace_back("strategy", P(TypeId::kString), false);
  c.emplace_back("rank", P(TypeId::kInteger), false);
  c.emplace_back("rank_percentile", P(TypeId::kDouble), false);
  c.emplace_back("n_symbols", P(TypeId::kInteger), false);
  c.emplace_back("score", P(TypeId::kDouble), true);
  for (size_t r = 0; r < rows; ++r) {
    c[0].Int(19723 + static_cast<int64_t>(r / 600));
    c[1].Str("2024-01");
    c[2].Str("SYM" + std::to_string(r % 100));
    c[3].Str("Momentum_60D" + std::to_string(r / 100 % 6));
    c[4].Int(static_cast<int64_t>(r % 100) + 1);
    c[5].F64(1.0 - static_cast<double>(r % 100) / 99.0);
    c[6].Int(100);
    if (r % 17 == 0) c[7].Null(); else c[7].F64(static_cast<double>(r) * 0.001 - 0.5);
  }
  return c;
}

std::vector<Fixture> Fixtures() {
  std::vector<Fixture> f;
  f.push_back({"required_types", ScalarColumns(false), {}, 1});
  f.push_back({"optional_types", ScalarColumns(true), {}, 1});
  Fixture no_dict{"optional_types_plain", ScalarColumns(true), {}, 1};
  no_dict.options.dictionary_enabled = false;
  f.push_back(std::move(no_dict));
  const std::pair<const char*, Compression> codecs[] = {{"codec_none", Compression::kNone},
      {"codec_snappy", Compression::kSnappy}, {"codec_gzip", Compression::kGzip},
      {"codec_zstd", Compression::kZstd}};
  for (const auto& [name, codec] : codecs) {
    Fixture x{name, GeneratedColumns(3000, 7, 50), {}, 1};
    x.options.compression = codec;
    x.options.page_bytes = 4096;
    f.push_back(std::move(x));
  }
  Fixture empty{"empty", RankingColumns(0), {}, 1};
  f.push_back(std::move(empty));
  Fixture many{"many_row_groups", GeneratedColumns(20000, 11, 300), {}, 4};
  many.options.row_group_bytes = 64 << 10;
  many.options.page_bytes = 2048;
  f.push_back(std::move(many));
  Fixture fallback{"dict_fallback", GeneratedColumns(5000, 13, 20), {}, 2};
  fallback.options.dictionary_bytes_limit = 4096;
  f.push_back(std::move(fallback));
  // Past the writer's dictionary probe (16,384 values in one chunk) with the
  // doubles nearly all distinct: the chunk switches to PLAIN mid-way.
  f.push_back({"dict_given_up", GeneratedColumns(40000, 17, 30000), {}, 2});
  f.push_back({"nested", NestedColumns(), {}, 1});
  Fixture nested_small{"nested_pages", NestedColumns(), {}, 1};
  nested_small.options.page_bytes = 1;
  nested_small.options.compression = Compression::kZstd;
  f.push_back(std::move(nested_small));
  f.push_back({"ranking_signal", RankingColumns(3000), {}, 3});
  return f;
}

}  // namespace
}  // namespace rs::parquet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
    return 2;
  }
  int failures = 0;
  for (const auto& f : rs::parquet::Fixtures()) failures += rs::parquet::WriteFixture(f, argv[1]) ? 0 : 1;
  return failures == 0 ? 0 : 1;
}
