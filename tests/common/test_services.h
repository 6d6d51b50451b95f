// Connection details of the test services started by the ctest fixtures
// (scripts/services/*.sh), and small helpers shared by tests.
#ifndef RS_TESTS_COMMON_TEST_SERVICES_H_
#define RS_TESTS_COMMON_TEST_SERVICES_H_

#include <map>
#include <string>
#include <vector>

namespace rs::testing {

// KEY=VALUE pairs of $RS_TEST_SERVICES_DIR/<name>.env ("pg" or "azurite").
// Fails the calling test (ADD_FAILURE) and returns empty when the file is
// missing: an integration test must never pass without its service.
std::map<std::string, std::string> ServiceEnv(const std::string& name);

// RS_TEST_PG_DSN: a superuser DSN of the throwaway cluster.
std::string PostgresDsn();

// A fresh empty directory under the system temp dir, removed by the caller.
std::string MakeTempDir(const std::string& tag);

// Directory of the shared conformance corpus ($RS_CONFORMANCE_DIR).
std::string ConformanceDir();

// Path of a file in the source tree ($RS_SOURCE_DIR/relative).
std::string SourcePath(const std::string& relative);

// Path of a built file ($RS_BINARY_DIR/relative), e.g. "src/cli/ranking-signals".
std::string BinaryPath(const std::string& relative);

// `s` as one single-quoted POSIX shell word.
std::string ShellQuote(const std::string& s);

struct CommandRun {
  int exit_code = -1;  // -1 when it could not run or did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (no shell interpretation of the arguments) and collects its output.
CommandRun RunCommand(const std::vector<std::string>& argv);

}  // namespace rs::testing

#endif  // RS_TESTS_COMMON_TEST_SERVICES_H_
