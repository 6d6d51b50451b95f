// Bad input yields a clear Status naming the file (and column), never a crash
// or a wrong value. Corrupt buffers are derived from valid fixtures or built
// page by page (reader_test_file_builder.h).
#include <gtest/gtest.h>

#include <string>

#include "common/test_services.h"
#include "parquet/reader.h"
#include "parquet/reader_fixture_compare.h"
#include "parquet/reader_test_file_builder.h"

namespace rs::parquet {
namespace {

using namespace rs::parquet::testing;  // NOLINT: test helpers

constexpr int kOptionalRep = 1;

std::string Fixture(const std::string& name) {
  return ReadWholeFile(rs::testing::SourcePath("tests/fixtures/parquet/" + name));
}

// Expects `bytes` to fail at Open or Read with `code` and a message containing
// each of `parts`.
void ExpectFailure(const std::string& bytes, StatusCode code,
                   const std::vector<std::string>& parts, const ReadOptions& options = {}) {
  Status st;
  auto reader = FileReader::OpenBuffer(bytes, "bad.parquet");
  if (!reader.ok()) {
    st = reader.status();
  } else {
    auto batch = (*reader)->Read(options);
    ASSERT_FALSE(batch.ok()) << "read succeeded";
    st = batch.status();
  }
  EXPECT_EQ(st.code(), code) << st.ToString();
  for (const auto& part : parts) {
    EXPECT_NE(st.message().find(part), std::string::npos) << "missing '" << part << "' in "
                                                          << st.message();
  }
}

// One optional INT32 column "x" with the given pages.
std::string Int32File(const std::string& pages, int64_t num_values, size_t dict_bytes = 0,
                      int codec = 0) {
  ChunkSpec chunk;
  chunk.type = 1;
  chunk.path = {"x"};
  chunk.num_values = num_values;
  chunk.pages = pages;
  chunk.dictionary_bytes = dict_bytes;
  chunk.codec = codec;
  return BuildFile({{"x", 1, 1}}, 1, {chunk}, num_values);
}

std::string OptionalInt32Page(const std::vector<int32_t>& values, PageOptions o = {}) {
  std::vector<int> def(values.size(), 1);
  return DataPageV1(static_cast<int32_t>(values.size()), 0, LevelsV1(def, 1) + PlainInt32(values), o);
}

TEST(ReaderCorruptionTest, BuiltFileReadsWhenValid) {
  auto reader = FileReader::OpenBuffer(Int32File(OptionalInt32Page({1, 2, 3}, {.auto_crc = true}), 3),
                                       "ok.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto batch = (*reader)->Read();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->columns[0].As<int32_t>(), (std::vector<int32_t>{1, 2, 3}));
}

TEST(ReaderCorruptionTest, TooShortFile) {
  ExpectFailure("PAR1PAR1", StatusCode::kCorruption, {"bad.parquet", "too short"});
}

TEST(ReaderCorruptionTest, BadMagicAtEnd) {
  std::string bytes = Fixture("duckdb_flat_zstd_v1.parquet");
  bytes[bytes.size() - 1] = 'X';
  ExpectFailure(bytes, StatusCode::kCorruption, {"bad.parquet", "bad magic at end"});
}

TEST(ReaderCorruptionTest, BadMagicAtStart) {
  std::string bytes = Fixture("duckdb_flat_zstd_v1.parquet");
  bytes[0] = 'Q';
  ExpectFailure(bytes, StatusCode::kCorruption, {"bad magic at start"});
}

TEST(ReaderCorruptionTest, TruncatedFile) {
  std::string bytes = Fixture("duckdb_flat_zstd_v1.parquet");
  bytes.resize(bytes.size() / 2);
  ExpectFailure(bytes, StatusCode::kCorruption, {"bad.parquet"});
}

TEST(ReaderCorruptionTest, FooterLengthBeyondFile) {
  std::string bytes = Fixture("duckdb_flat_zstd_v1.parquet");
  const std::string len = Le32(0x7ffffff0);
  bytes.replace(bytes.size() - 8, 4, len);
  ExpectFailure(bytes, StatusCode::kCorruption, {"footer length 2147483632 exceeds the file size"});
}

TEST(ReaderCorruptionTest, CorruptThriftFooter) {
  std::string bytes = Fixture("duckdb_flat_zstd_v1.parquet");
  uint32_t footer_len = 0;
  std::memcpy(&footer_len, bytes.data() + bytes.size() - 8, 4);
  const size_t start = bytes.size() - 8 - footer_len;
  for (size_t i = start; i < start + footer_len; ++i) bytes[i] = static_cast<char>(0xff);
  ExpectFailure(bytes, StatusCode::kCorruption, {"bad.parquet", "footer"});
}

TEST(ReaderCorruptionTest, PageCrcMismatchNamesColumn) {
  const std::string file = Int32File(OptionalInt32Page({1, 2, 3}, {.crc = 12345u}), 3);
  ExpectFailure(file, StatusCode::kCorruption, {"bad.parquet", "column 'x'", "CRC mismatch"});
}

TEST(ReaderCorruptionTest, DictionaryIndexOutOfRange) {
  const std::string dict = DictionaryPage(2, PlainInt32({10, 20}));
  std::string indices = std::string(1, 3) + Hybrid({0, 1, 5}, 3);  // bit width 3, index 5
  const std::string data = DataPageV1(3, 8, LevelsV1({1, 1, 1}, 1) + indices);
  ExpectFailure(Int32File(dict + data, 3, dict.size()), StatusCode::kCorruption,
                {"column 'x'", "dictionary indices", "value 5 exceeds the maximum 1"});
}

TEST(ReaderCorruptionTest, DictionaryEncodedPageWithoutDictionary) {
  const std::string data = DataPageV1(1, 8, LevelsV1({1}, 1) + std::string(1, 1) + Hybrid({0}, 1));
  ExpectFailure(Int32File(data, 1), StatusCode::kCorruption, {"without a dictionary page"});
}

TEST(ReaderCorruptionTest, PageLargerThanColumnChunk) {
  std::string page = OptionalInt32Page({1, 2, 3});
  ChunkSpec chunk{1, {"x"}, 3, page};
  chunk.override_size = static_cast<int64_t>(page.size()) - 5;
  const std::string file = BuildFile({{"x", 1, 1}}, 1, {chunk}, 3);
  ExpectFailure(file, StatusCode::kCorruption, {"column 'x'", "bytes left in the column chunk"});
}

TEST(ReaderCorruptionTest, ColumnChunkBeyondFile) {
  ChunkSpec chunk{1, {"x"}, 3, OptionalInt32Page({1, 2, 3})};
  chunk.override_size = 1 << 30;
  ExpectFailure(BuildFile({{"x", 1, 1}}, 1, {chunk}, 3), StatusCode::kCorruption,
                {"column 'x' row group 0", "beyond the file size"});
}

TEST(ReaderCorruptionTest, PageDeclaresMoreValuesThanChunk) {
  std::vector<int> def(3, 1);
  const std::string page = DataPageV1(1000, 0, LevelsV1(def, 1) + PlainInt32({1, 2, 3}));
  ExpectFailure(Int32File(page, 3), StatusCode::kCorruption, {"page declares 1000 values, 3 remain"});
}

TEST(ReaderCorruptionTest, AbsurdChunkValueCountRefusedBeforeAllocation) {
  ChunkSpec chunk{1, {"x"}, int64_t{1} << 40, OptionalInt32Page({1})};
  ExpectFailure(BuildFile({{"x", 1, 1}}, 1, {chunk}, int64_t{1} << 40), StatusCode::kCorruption,
                {"column 'x'", "declares 1099511627776 values"});
}

TEST(ReaderCorruptionTest, ValuesShorterThanLevelsSay) {
  const std::string page = DataPageV1(3, 0, LevelsV1({1, 1, 1}, 1) + PlainInt32({1, 2}));
  ExpectFailure(Int32File(page, 3), StatusCode::kCorruption,
                {"column 'x'", "3 values of 4 bytes need more than the 8 bytes present"});
}

TEST(ReaderCorruptionTest, AbsurdByteArrayLength) {
  const std::string values = Le32(0x7fffffff) + "abc";
  const std::string page = DataPageV1(1, 0, LevelsV1({1}, 1) + values);
  ChunkSpec chunk{6, {"s"}, 1, page};
  ExpectFailure(BuildFile({{"s", 6, 1, -1, 0}}, 1, {chunk}, 1), StatusCode::kCorruption,
                {"column 's'", "byte array length 2147483647 exceeds"});
}

TEST(ReaderCorruptionTest, DecompressionFailureNamesColumn) {
  std::string garbage(40, '\x7f');
  std::string page = DataPageV1(3, 0, garbage, {.uncompressed_size = 100});
  ExpectFailure(Int32File(page, 3, 0, /*SNAPPY*/ 1), StatusCode::kCorruption, {"column 'x'"});
}

TEST(ReaderCorruptionTest, UnsupportedCodecIsUnimplemented) {
  ExpectFailure(Int32File(OptionalInt32Page({1}), 1, 0, /*LZO*/ 3), StatusCode::kUnimplemented,
                {"column 'x'", "LZO"});
}

TEST(ReaderCorruptionTest, NestedLevelsNotStartingARow) {
  // repeated int32 r (a required list): first entry with repetition level 1.
  const std::string body = LevelsV1({1, 0}, 1) + LevelsV1({1, 1}, 1) + PlainInt32({7, 8});
  ChunkSpec chunk{1, {"r"}, 2, DataPageV1(2, 0, body)};
  ExpectFailure(BuildFile({{"r", 1, 2}}, 1, {chunk}, 1), StatusCode::kCorruption,
                {"column 'r'", "do not start a new row"});
}

TEST(ReaderCorruptionTest, CorruptedCompressedPagesNeverCrash) {
  const std::string original = Fixture("duckdb_flat_snappy_v1.parquet");
  int failures = 0;
  for (size_t pos = 4; pos + 1000 < original.size(); pos += 97) {
    std::string bytes = original;
    bytes[pos] = static_cast<char>(bytes[pos] ^ 0x5a);
    auto reader = FileReader::OpenBuffer(bytes, "flip.parquet");
    if (!reader.ok()) continue;
    auto batch = (*reader)->Read();
    if (!batch.ok()) {
      ++failures;
      EXPECT_NE(batch.status().message().find("flip.parquet"), std::string::npos);
    }
  }
  EXPECT_GT(failures, 0);
}

// Root with 2 children, a group with 1 child, one leaf: the second root child
// would lie past the schema (found by fuzz/parquet_footer_fuzzer).
TEST(ReaderCorruptionTest, SchemaChildCountsOverrunElements) {
  const std::string file = BuildFile({{"g", -1, kOptionalRep, 1}, {"x", 1, kOptionalRep}}, 2, {}, 0);
  ExpectFailure(file, StatusCode::kCorruption, {"bad.parquet", "schema ends inside a group"});
}

TEST(ReaderCorruptionTest, UnknownColumnAndWrongExpectedType) {
  const std::string file = Int32File(OptionalInt32Page({1}), 1);
  ReadOptions unknown;
  unknown.columns = {"nope"};
  ExpectFailure(file, StatusCode::kInvalidArgument, {"column 'nope' is not in the file"}, unknown);
  ReadOptions expected;
  expected.expected = {Field{"x", DataType::Primitive(TypeId::kString)}};
  ExpectFailure(file, StatusCode::kFailedPrecondition,
                {"column 'x' is integer in the file, expected string"}, expected);
}

TEST(ReaderCorruptionTest, PredicateOfWrongKind) {
  ReadOptions options;
  options.predicates = {{"x", Value::Bytes("a"), std::nullopt}};
  ExpectFailure(Int32File(OptionalInt32Page({1}), 1), StatusCode::kInvalidArgument,
                {"predicate on column 'x': a bytes bound does not match the column's int values"}, options);
}

}  // namespace
}  // namespace rs::parquet
