// Reads the committed files written by DuckDB and arrow-rs (parquet-wasm)
// under tests/fixtures/parquet and compares every value with the JSON the
// same tool produced (tests/parquet/gen_reader_fixtures.mjs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/test_services.h"
#include "parquet/reader.h"
#include "parquet/reader_fixture_compare.h"

namespace rs::parquet {
namespace {

using testing::ExpectFileMatchesJson;
using testing::ReadWholeFile;

std::string FixtureDir() { return rs::testing::SourcePath("tests/fixtures/parquet"); }

TEST(ReaderInteropTest, EveryFixtureMatchesItsWriter) {
  const auto manifest = nlohmann::json::parse(ReadWholeFile(FixtureDir() + "/manifest.json"));
  ASSERT_GE(manifest["files"].size(), 10u);
  for (const auto& name : manifest["files"]) {
    ExpectFileMatchesJson(FixtureDir() + "/" + name.get<std::string>());
  }
}

// Leaf columns decoded on several threads (ReadOptions::num_threads; the
// ThreadSanitizer step runs this file) give the same values as on one.
TEST(ReaderInteropTest, EveryFixtureMatchesItsWriterWithLeavesDecodedOnFourThreads) {
  const auto manifest = nlohmann::json::parse(ReadWholeFile(FixtureDir() + "/manifest.json"));
  ASSERT_GE(manifest["files"].size(), 10u);
  for (const auto& name : manifest["files"]) {
    ExpectFileMatchesJson(FixtureDir() + "/" + name.get<std::string>(), /*num_threads=*/4);
  }
}

const Field* FindField(const Schema& schema, const std::string& name) {
  for (const auto& f : schema) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(ReaderInteropTest, DuckDbLogicalTypesMapToColumnarTypes) {
  auto reader = FileReader::OpenBuffer(
      ReadWholeFile(FixtureDir() + "/duckdb_flat_snappy_v1.parquet"), "duckdb_flat");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& s = (*reader)->schema();
  const std::pair<const char*, TypeId> expected[] = {
      {"i8", TypeId::kByte},       {"i16", TypeId::kShort},    {"i32", TypeId::kInteger},
      {"i64", TypeId::kLong},      {"u8", TypeId::kShort},     {"u32", TypeId::kLong},
      {"u64", TypeId::kDecimal},   {"f32", TypeId::kFloat},    {"f64", TypeId::kDouble},
      {"bo", TypeId::kBoolean},    {"s_dict", TypeId::kString}, {"bin", TypeId::kBinary},
      {"dt", TypeId::kDate},       {"tstz", TypeId::kTimestamp}, {"dec5", TypeId::kDecimal},
      {"dec38", TypeId::kDecimal}};
  for (const auto& [name, id] : expected) {
    const Field* f = FindField(s, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->type.id, id) << name;
  }
  EXPECT_EQ(FindField(s, "dec9")->type.precision, 9);
  EXPECT_EQ(FindField(s, "dec9")->type.scale, 3);
  EXPECT_EQ(FindField(s, "dec38")->type.precision, 38);
}

TEST(ReaderInteropTest, NestedTypesAreStructListAndMap) {
  auto reader = FileReader::OpenBuffer(ReadWholeFile(FixtureDir() + "/duckdb_nested_v1.parquet"),
                                       "duckdb_nested");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& s = (*reader)->schema();
  EXPECT_EQ(FindField(s, "st")->type.id, TypeId::kStruct);
  EXPECT_EQ(FindField(s, "li")->type.id, TypeId::kArray);
  EXPECT_EQ(FindField(s, "m")->type.id, TypeId::kMap);
  const Field* add = FindField(s, "add");
  ASSERT_NE(add, nullptr);
  ASSERT_EQ(add->type.children.size(), 5u);
  EXPECT_EQ(add->type.children[1].name, "partitionValues");
  EXPECT_EQ(add->type.children[1].type.id, TypeId::kMap);
  EXPECT_EQ(add->type.children[4].type.id, TypeId::kStruct);
}

}  // namespace
}  // namespace rs::parquet
