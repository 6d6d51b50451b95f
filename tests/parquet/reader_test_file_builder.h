// Test-only: assembles small Parquet files byte by byte (Thrift compact
// protocol written by hand from the format's IDL field ids) so reader tests can
// produce exactly the pages, levels, CRCs, legacy schemas and corruptions they
// need. Not a writer: no validation, one row group.
#ifndef RS_TESTS_PARQUET_READER_TEST_FILE_BUILDER_H_
#define RS_TESTS_PARQUET_READER_TEST_FILE_BUILDER_H_

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace rs::parquet::testing {

// Thrift enum values of parquet.thrift the hand-built files use.
constexpr int kInt32 = 1, kInt96 = 3, kByteArray = 6;       // Type
constexpr int kRequired = 0, kOptional = 1, kRepeated = 2;  // FieldRepetitionType
constexpr int kUtf8 = 0;  // ConvertedType (MAP_KEY_VALUE and LIST: reader_test.cc)
constexpr int kPlain = 0, kPlainDictionary = 2, kRle = 3, kRleDictionary = 8;  // Encoding
constexpr int kDataPage = 0, kDictionaryPage = 2;                              // PageType

// Thrift compact protocol type ids.
enum CType : int { kBoolTrue = 1, kBoolFalse = 2, kI32 = 5, kI64 = 6, kBinary = 8, kList = 9, kStruct = 12 };

class Compact {
 public:
  void I32(int id, int64_t v) { Header(id, kI32); ZigZag(v); }
  void I64(int id, int64_t v) { Header(id, kI64); ZigZag(v); }
  void Bool(int id, bool v) { Header(id, v ? kBoolTrue : kBoolFalse); }
  void Bin(int id, const std::string& s) { Header(id, kBinary); Str(s); }
  void BeginStruct(int id) { Header(id, kStruct); last_.push_back(0); }
  void EndStruct() { out_.push_back(0); last_.pop_back(); }
  void BeginList(int id, int elem_type, size_t size) {
    Header(id, kList);
    if (size < 15) {
      out_.push_back(static_cast<char>((size << 4) | elem_type));
    } else {
      out_.push_back(static_cast<char>(0xf0 | elem_type));
      Varint(size);
    }
  }
  void ElemBegin() { last_.push_back(0); }
  void ElemEnd() { EndStruct(); }
  void ElemI32(int64_t v) { ZigZag(v); }
  void ElemBin(const std::string& s) { Str(s); }
  std::string Finish() { out_.push_back(0); return out_; }  // stop of the outer struct

 private:
  void Header(int id, int type) {
    const int delta = id - last_.back();
    if (delta > 0 && delta <= 15) {
      out_.push_back(static_cast<char>((delta << 4) | type));
    } else {
      out_.push_back(static_cast<char>(type));
      ZigZag(id);
    }
    last_.back() = id;
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) { out_.push_back(static_cast<char>((v & 0x7f) | 0x80)); v >>= 7; }
    out_.push_back(static_cast<char>(v));
  }
  void ZigZag(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Str(const std::string& s) { Varint(s.size()); out_ += s; }

  std::string out_;
  std::vector<int> last_{0};
};

inline std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}

inline uint32_t Crc(const std::string& s) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

// RLE/bit-packed hybrid body (no length prefix): one bit-packed run.
inline std::string Hybrid(const std::vector<int>& values, int bit_width) {
  const size_t groups = (values.size() + 7) / 8;
  std::string out(1, static_cast<char>((groups << 1) | 1));
  std::string bits(groups * bit_width, '\0');
  size_t bit = 0;
  for (int v : values) {
    for (int b = 0; b < bit_width; ++b, ++bit) {
      if ((v >> b) & 1) bits[bit / 8] = static_cast<char>(bits[bit / 8] | (1 << (bit % 8)));
    }
  }
  return out + bits;
}

// v1 levels: 4-byte length, then the hybrid body.
inline std::string LevelsV1(const std::vector<int>& levels, int bit_width) {
  const std::string body = Hybrid(levels, bit_width);
  return Le32(static_cast<uint32_t>(body.size())) + body;
}

struct PageOptions {
  std::optional<uint32_t> crc;  // stored CRC; unset = none
  bool auto_crc = false;        // store the correct CRC
  std::optional<int32_t> uncompressed_size;  // default: body size
};

inline std::string DataPageV1(int32_t num_values, int encoding, const std::string& body,
                              PageOptions o = {}) {
  Compact c;
  c.I32(1, 0);
  c.I32(2, o.uncompressed_size.value_or(static_cast<int32_t>(body.size())));
  c.I32(3, static_cast<int32_t>(body.size()));
  if (o.auto_crc) o.crc = Crc(body);
  if (o.crc) c.I32(4, static_cast<int32_t>(*o.crc));
  c.BeginStruct(5);
  c.I32(1, num_values);
  c.I32(2, encoding);
  c.I32(3, 3);
  c.I32(4, 3);
  c.EndStruct();
  return c.Finish() + body;
}

inline std::string DictionaryPage(int32_t num_values, const std::string& body) {
  Compact c;
  c.I32(1, 2);
  c.I32(2, static_cast<int32_t>(body.size()));
  c.I32(3, static_cast<int32_t>(body.size()));
  c.BeginStruct(7);
  c.I32(1, num_values);
  c.I32(2, 0);
  c.EndStruct();
  return c.Finish() + body;
}

inline std::string DataPageV2(int32_t num_values, int32_t num_nulls, int32_t num_rows, int encoding,
                              const std::string& rep, const std::string& def,
                              const std::string& values) {
  const std::string body = rep + def + values;
  Compact c;
  c.I32(1, 3);
  c.I32(2, static_cast<int32_t>(body.size()));
  c.I32(3, static_cast<int32_t>(body.size()));
  c.BeginStruct(8);
  c.I32(1, num_values);
  c.I32(2, num_nulls);
  c.I32(3, num_rows);
  c.I32(4, encoding);
  c.I32(5, static_cast<int32_t>(def.size()));
  c.I32(6, static_cast<int32_t>(rep.size()));
  c.Bool(7, false);
  c.EndStruct();
  return c.Finish() + body;
}

struct SchemaSpec {
  std::string name;
  int type = -1;         // physical type id, -1 for a group
  int repetition = 1;    // 0 required, 1 optional, 2 repeated
  int num_children = -1;
  int converted = -1;
  int type_length = -1;
  int scale = -1;
  int precision = -1;
  int field_id = -1;  // SchemaElement.field_id, written when >= 0
};

struct ChunkSpec {
  int type = 1;
  std::vector<std::string> path;
  int64_t num_values = 0;
  std::string pages;        // page headers + bodies, in order
  size_t dictionary_bytes = 0;  // length of a leading dictionary page within `pages`
  int codec = 0;
  std::optional<std::string> min_value, max_value;
  std::optional<int64_t> null_count;
  std::optional<int64_t> override_size;  // total_compressed_size to declare
  std::vector<int> encodings = {0};      // the chunk's encodings list
  struct EncodingStat {
    int page_type, encoding, count;
  };
  std::vector<EncodingStat> encoding_stats;  // written when not empty
};

// A file with one row group. `schema` excludes the root, which is added.
inline std::string BuildFile(const std::vector<SchemaSpec>& schema, int top_level_fields,
                             const std::vector<ChunkSpec>& chunks, int64_t num_rows) {
  std::string file = "PAR1";
  std::vector<int64_t> offsets;
  for (const auto& chunk : chunks) {
    offsets.push_back(static_cast<int64_t>(file.size()));
    file += chunk.pages;
  }
  Compact c;
  c.I32(1, 1);
  c.BeginList(2, kStruct, schema.size() + 1);
  c.ElemBegin();
  c.Bin(4, "schema");
  c.I32(5, top_level_fields);
  c.ElemEnd();
  for (const auto& s : schema) {
    c.ElemBegin();
    if (s.type >= 0) c.I32(1, s.type);
    if (s.type_length >= 0) c.I32(2, s.type_length);
    c.I32(3, s.repetition);
    c.Bin(4, s.name);
    if (s.num_children >= 0) c.I32(5, s.num_children);
    if (s.converted >= 0) c.I32(6, s.converted);
    if (s.scale >= 0) c.I32(7, s.scale);
    if (s.precision >= 0) c.I32(8, s.precision);
    if (s.field_id >= 0) c.I32(9, s.field_id);
    c.ElemEnd();
  }
  c.I64(3, num_rows);
  c.BeginList(4, kStruct, 1);
  c.ElemBegin();
  c.BeginList(1, kStruct, chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& ch = chunks[i];
    c.ElemBegin();
    c.I64(2, offsets[i]);
    c.BeginStruct(3);
    c.I32(1, ch.type);
    c.BeginList(2, kI32, ch.encodings.size());
    for (int e : ch.encodings) c.ElemI32(e);
    c.BeginList(3, kBinary, ch.path.size());
    for (const auto& p : ch.path) c.ElemBin(p);
    c.I32(4, ch.codec);
    c.I64(5, ch.num_values);
    const int64_t size = ch.override_size.value_or(static_cast<int64_t>(ch.pages.size()));
    c.I64(6, size);
    c.I64(7, size);
    c.I64(9, offsets[i] + static_cast<int64_t>(ch.dictionary_bytes));
    if (ch.dictionary_bytes > 0) c.I64(11, offsets[i]);
    if (ch.min_value || ch.null_count) {
      c.BeginStruct(12);
      if (ch.null_count) c.I64(3, *ch.null_count);
      if (ch.max_value) c.Bin(5, *ch.max_value);
      if (ch.min_value) c.Bin(6, *ch.min_value);
      c.EndStruct();
    }
    if (!ch.encoding_stats.empty()) {
      c.BeginList(13, kStruct, ch.encoding_stats.size());
      for (const auto& st : ch.encoding_stats) {
        c.ElemBegin();
        c.I32(1, st.page_type);
        c.I32(2, st.encoding);
        c.I32(3, st.count);
        c.ElemEnd();
      }
    }
    c.EndStruct();
    c.ElemEnd();
  }
  c.I64(2, static_cast<int64_t>(file.size()));
  c.I64(3, num_rows);
  c.ElemEnd();
  const std::string footer = c.Finish();
  return file + footer + Le32(static_cast<uint32_t>(footer.size())) + "PAR1";
}

// PLAIN INT32 values.
inline std::string PlainInt32(const std::vector<int32_t>& values) {
  std::string s;
  for (int32_t v : values) s += Le32(static_cast<uint32_t>(v));
  return s;
}

}  // namespace rs::parquet::testing

#endif  // RS_TESTS_PARQUET_READER_TEST_FILE_BUILDER_H_
