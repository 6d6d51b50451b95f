// FileReader::DictionaryValues: the values of a string column chunk from its
// dictionary page alone, and "unknown" whenever a data page may hold values
// outside the dictionary.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "parquet/reader.h"
#include "parquet/writer.h"
#include "reader_test_file_builder.h"

namespace rs::parquet {
namespace {

using testing::BuildFile;
using testing::ChunkSpec;
using testing::DataPageV1;
using testing::DictionaryPage;
using testing::Hybrid;
using testing::Le32;

using testing::kByteArray;
using testing::kDataPage;
using testing::kDictionaryPage;
using testing::kPlain;
using testing::kPlainDictionary;
using testing::kRequired;
using testing::kRle;
using testing::kRleDictionary;
using testing::kUtf8;

using Values = std::optional<std::vector<std::string>>;

std::string WriteStrings(const std::vector<std::vector<std::string>>& batches,
                         WriterOptions options = {}) {
  Schema schema = {Field{"symbol", DataType::Primitive(TypeId::kString), true},
                   Field{"n", DataType::Primitive(TypeId::kInteger), true}};
  auto writer = FileWriter::Create(schema, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (const auto& values : batches) {
    RecordBatch batch;
    batch.schema = schema;
    batch.num_rows = values.size();
    ColumnVector symbol = ColumnVector::Make(schema[0]);
    symbol.As<std::string>() = values;
    // "" stands for a null here, which no dictionary lists.
    for (const std::string& v : values) symbol.validity.push_back(v.empty() ? 0 : 1);
    ColumnVector n = ColumnVector::Make(schema[1]);
    n.As<int32_t>().assign(values.size(), 7);
    batch.columns = {std::move(symbol), std::move(n)};
    EXPECT_TRUE((*writer)->WriteBatch(batch).ok());
  }
  auto bytes = (*writer)->Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return *bytes;
}

std::unique_ptr<FileReader> Open(const std::string& bytes) {
  auto reader = FileReader::OpenBuffer(bytes, "t.parquet");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(reader).value();
}

std::set<std::string> AsSet(const Values& v) { return {v->begin(), v->end()}; }

TEST(ReaderDictionaryTest, DictionaryChunkListsItsDistinctValues) {
  auto reader = Open(WriteStrings({{"b", "a", "b", "", "c", "a"}}));
  auto values = reader->DictionaryValues(0, "symbol");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_TRUE(values->has_value());
  EXPECT_EQ((*values)->size(), 3u);
  EXPECT_EQ(AsSet(*values), (std::set<std::string>{"a", "b", "c"}));
  // Only the dictionary page was fetched, not the whole chunk.
  const int64_t dictionary_bytes = reader->stats().bytes_fetched;
  EXPECT_GT(dictionary_bytes, 0);
  ASSERT_TRUE(reader->Read({{"symbol"}}).ok());
  EXPECT_LT(dictionary_bytes, reader->stats().bytes_fetched - dictionary_bytes);
}

TEST(ReaderDictionaryTest, EachRowGroupListsItsOwnValues) {
  WriterOptions options;
  options.row_group_bytes = 1;  // a row group per batch
  auto reader = Open(WriteStrings({{"a", "b"}, {"c", "", "c"}, {"d", "a"}}, options));
  ASSERT_EQ(reader->num_row_groups(), 3);
  const std::vector<std::set<std::string>> want = {{"a", "b"}, {"c"}, {"a", "d"}};
  for (int g = 0; g < 3; ++g) {
    auto values = reader->DictionaryValues(g, "symbol");
    ASSERT_TRUE(values.ok()) << values.status().ToString();
    ASSERT_TRUE(values->has_value()) << "row group " << g;
    EXPECT_EQ(AsSet(*values), want[static_cast<size_t>(g)]) << "row group " << g;
  }
}

TEST(ReaderDictionaryTest, PlainChunkIsUnknown) {
  WriterOptions no_dictionary;
  no_dictionary.dictionary_enabled = false;
  auto values = Open(WriteStrings({{"a", "b"}}, no_dictionary))->DictionaryValues(0, "symbol");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_FALSE(values->has_value());

  WriterOptions fallback;  // the dictionary outgrows its limit: the chunk is written PLAIN
  fallback.dictionary_bytes_limit = 4;
  values = Open(WriteStrings({{"aaaa", "bbbb", "cccc"}}, fallback))->DictionaryValues(0, "symbol");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_FALSE(values->has_value());
}

// A chunk as Arrow and parquet-mr write one whose dictionary overflowed: a
// dictionary page ("a", "b"), a page of indices into it, then a PLAIN page
// ("z") that the dictionary does not list.
ChunkSpec FallbackChunk() {
  const std::string dict = DictionaryPage(2, Le32(1) + "a" + Le32(1) + "b");
  const std::string indices =
      DataPageV1(2, kRleDictionary, std::string(1, '\1') + Hybrid({1, 0}, 1));
  const std::string plain = DataPageV1(1, kPlain, Le32(1) + "z");
  ChunkSpec chunk{kByteArray, {"symbol"}, 3, dict + indices + plain, dict.size()};
  chunk.encodings = {kPlain, kRleDictionary, kRle};
  return chunk;
}

Values DictionaryOf(const ChunkSpec& chunk) {
  const std::string file =
      BuildFile({{"symbol", kByteArray, kRequired, -1, kUtf8}}, 1, {chunk}, chunk.num_values);
  auto values = Open(file)->DictionaryValues(0, "symbol");
  EXPECT_TRUE(values.ok()) << values.status().ToString();
  return values.ok() ? *values : Values();
}

TEST(ReaderDictionaryTest, FallbackToPlainChunkIsUnknown) {
  ChunkSpec chunk = FallbackChunk();
  chunk.encoding_stats = {
      {kDictionaryPage, kPlain, 1}, {kDataPage, kRleDictionary, 1}, {kDataPage, kPlain, 1}};
  EXPECT_FALSE(DictionaryOf(chunk).has_value());
  // Without encoding_stats the encodings list names PLAIN, which may be a data page's.
  chunk.encoding_stats.clear();
  EXPECT_FALSE(DictionaryOf(chunk).has_value());
}

TEST(ReaderDictionaryTest, MetadataShowingOnlyDictionaryPagesIsTrusted) {
  ChunkSpec chunk = FallbackChunk();
  // encoding_stats say every data page is dictionary-encoded: the dictionary
  // is the answer, and no data page is decoded (the PLAIN one here would add "z").
  chunk.encoding_stats = {{kDictionaryPage, kPlain, 1}, {kDataPage, kRleDictionary, 2}};
  Values values = DictionaryOf(chunk);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(AsSet(values), (std::set<std::string>{"a", "b"}));
  // parquet-mr's v1 files: no encoding_stats, PLAIN_DICTIONARY for both page kinds.
  chunk.encoding_stats.clear();
  chunk.encodings = {kPlainDictionary, kRle};
  values = DictionaryOf(chunk);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(AsSet(values), (std::set<std::string>{"a", "b"}));
}

TEST(ReaderDictionaryTest, RejectsWhatIsNotAStringColumnOfTheFile) {
  auto reader = Open(WriteStrings({{"a"}}));
  EXPECT_EQ(reader->DictionaryValues(0, "n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader->DictionaryValues(0, "nope").status().code(), StatusCode::kInvalidArgument);
  auto out_of_range = reader->DictionaryValues(1, "symbol");
  EXPECT_EQ(out_of_range.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out_of_range.status().message().find("t.parquet"), std::string::npos);
}

}  // namespace
}  // namespace rs::parquet
