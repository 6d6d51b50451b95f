// Regenerates fresh files with DuckDB and arrow-rs (parquet-wasm) at test
// time (node, with node_modules from $RS_SOURCE_DIR) and compares every value
// the reader returns with the JSON those tools produced.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/test_services.h"
#include "parquet/reader.h"
#include "parquet/reader_fixture_compare.h"

namespace rs::parquet {
namespace {

TEST(ReaderInteropIntegrationTest, FreshDuckDbAndArrowRsFilesMatchTheirWriters) {
  const std::string dir = rs::testing::MakeTempDir("parquet_reader_interop");
  const std::string script = rs::testing::SourcePath("tests/parquet/gen_reader_fixtures.mjs");
  const std::string command = "node '" + script + "' '" + dir + "' > '" + dir + "/gen.log' 2>&1";
  const int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << "generator failed: " << testing::ReadWholeFile(dir + "/gen.log");
  const auto manifest = nlohmann::json::parse(testing::ReadWholeFile(dir + "/manifest.json"));
  ASSERT_GE(manifest["files"].size(), 10u);
  for (const auto& name : manifest["files"]) {
    testing::ExpectFileMatchesJson(dir + "/" + name.get<std::string>());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rs::parquet
