// Files from our writer, read by independent implementations: the fixture
// tool writes every type, nullability, codec and layout we produce, and
// check_with_independent_readers.mjs reads each with DuckDB and arrow-rs
// (parquet-wasm) and compares every cell exactly with the tool's sidecar.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "common/test_services.h"

namespace rs::parquet {
namespace {

namespace fs = std::filesystem;

using testing::CommandRun;
using testing::RunCommand;

std::string WriteFixtures() {
  std::string dir = testing::MakeTempDir("parquet-interop");
  CommandRun tool = RunCommand({testing::BinaryPath("tests/parquet/parquet_write_fixtures"), dir});
  EXPECT_EQ(tool.exit_code, 0) << tool.output;
  return dir;
}

CommandRun CheckWithReaders(const std::string& dir) {
  std::string script = testing::SourcePath("tests/parquet/check_with_independent_readers.mjs");
  return RunCommand({"node", script, dir});
}

TEST(InteropWriterTest, DuckDbAndArrowRsReadEveryFixtureExactly) {
  std::string dir = WriteFixtures();
  CommandRun check = CheckWithReaders(dir);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output.find("FAIL"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("ok   nested"), std::string::npos) << check.output;
  fs::remove_all(dir);
}

// The checker must be able to fail: one wrong expected cell is reported by both readers.
TEST(InteropWriterTest, CheckerReportsAWrongExpectedValue) {
  std::string dir = WriteFixtures();
  std::string one = testing::MakeTempDir("parquet-interop-one");
  fs::copy_file(dir + "/required_types.parquet", one + "/required_types.parquet");
  std::ifstream in(dir + "/required_types.json");
  std::string sidecar((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = sidecar.find("\"2147483647\"");
  ASSERT_NE(at, std::string::npos);
  sidecar.replace(at, 12, "\"2147483646\"");
  std::ofstream(one + "/required_types.json") << sidecar;

  CommandRun check = CheckWithReaders(one);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("duckdb: row 1 column i32: got \"2147483647\", expected \"2147483646\""),
            std::string::npos) << check.output;
  EXPECT_NE(check.output.find("parquet-wasm: row 1 column i32"), std::string::npos) << check.output;
  fs::remove_all(dir);
  fs::remove_all(one);
}

}  // namespace
}  // namespace rs::parquet
