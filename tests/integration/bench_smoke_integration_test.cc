// Smoke test of the benchmark suite (issue 11): `bench/run.sh --quick` runs
// to the end with exit 0 and prints every row of its markdown table. It never
// looks at a time: a row may say "n/a (reason)", but it must be there.
//
// The suite uses the binaries of this build (--no-build --build-dir
// $RS_BINARY_DIR): a Release rebuild would not fit the test's timeout. It
// starts its own PostgreSQL and Azurite, like the full run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/test_services.h"

namespace {

using rs::testing::ShellQuote;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

RunResult RunQuickSuite(const std::string& source_dir, const std::string& binary_dir) {
  RunResult r;
  std::string err_path = "/tmp/rs_bench_smoke_" + std::to_string(getpid()) + ".log";
  std::string cmd = "cd " + ShellQuote(source_dir) + " && bench/run.sh --quick --no-build --build-dir " +
                    ShellQuote(binary_dir) + " --timeout 240 2>" + ShellQuote(err_path);
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream ss;
  ss << err.rdbuf();
  r.err = ss.str();
  std::remove(err_path.c_str());
  return r;
}

// (row id, side): every row bench/suite/suite.py prints, in order.
const std::vector<std::pair<std::string, std::string>> kRows = {
    {"1.1", "ours"},   {"1.1", "theirs"}, {"1.2", "ours"},   {"1.2", "theirs"},   {"1.3", "ours"},
    {"1.3", "theirs"}, {"2.1", "ours"},   {"2.1", "theirs"}, {"2.2", "ours"},     {"2.2", "theirs"},
    {"2.3", "ours"},   {"2.3", "theirs"}, {"3.1", "ours"},   {"3.1", "theirs"},   {"3.2", "ours"},
    {"3.2", "theirs"}, {"3.3", "ours"},   {"3.3", "theirs"}, {"3.4", "ours"},     {"3.4", "theirs"},
    {"4.1", "ours"},
    {"4.2", "ours"},   {"4.3", "ours"},   {"5.1", "ours"},   {"5.1", "baseline"}, {"5.1", "theirs"},
    {"6.1", "ours"},   {"6.2", "ours"},   {"6.3", "ours"},
};

TEST(BenchSmokeIntegrationTest, QuickSuitePrintsEveryRow) {
  std::string source_dir = Env("RS_SOURCE_DIR");
  std::string binary_dir = Env("RS_BINARY_DIR");
  if (source_dir.empty() || binary_dir.empty()) GTEST_SKIP() << "RS_SOURCE_DIR/RS_BINARY_DIR unset";

  RunResult r = RunQuickSuite(source_dir, binary_dir);
  std::string tail = r.err.size() > 4000 ? r.err.substr(r.err.size() - 4000) : r.err;
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr (tail):\n" << tail;

  EXPECT_NE(r.out.find("| # | comparison | side | implementation | rows | time (median) | rows/s "
                       "| MB/s | peak RSS | runs | notes |"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- mode: quick smoke run"), std::string::npos) << r.out;
  size_t table_rows = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, std::regex(R"(^\| \d\.\d \|)"))) ++table_rows;
  }
  EXPECT_EQ(table_rows, kRows.size()) << r.out;
  for (const auto& [id, side] : kRows) {
    std::regex row("(^|\n)\\| " + std::regex_replace(id, std::regex(R"(\.)"), "\\.") +
                   " \\| [^|\n]+ \\| " + side + " \\| [^\n]*\\|");
    EXPECT_TRUE(std::regex_search(r.out, row)) << "row " << id << " " << side << " missing:\n"
                                               << r.out;
  }
}

}  // namespace
