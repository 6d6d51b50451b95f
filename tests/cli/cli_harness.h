// Runs the real `ranking-signals` binary for end-to-end tests, with a chosen
// environment, capturing exit code, stdout and stderr; and a throwaway
// database per test on the PostgreSQL fixture.
#ifndef RS_TESTS_CLI_CLI_HARNESS_H_
#define RS_TESTS_CLI_CLI_HARNESS_H_

#include <map>
#include <string>
#include <vector>

namespace rs::testing {

struct CliResult {
  int exit_code = -1;   // -signal when killed by a signal
  std::string out;
  std::string err;
};

// Path of the built binary ($RS_BINARY_DIR/src/cli/ranking-signals).
std::string CliPath();

// Runs the binary with `args` and exactly `env` (plus PATH and HOME).
CliResult RunCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

// Starts the binary in the background; Wait() collects it.
class BackgroundCli {
 public:
  BackgroundCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
  CliResult Wait();

 private:
  int pid_ = -1;
  std::string out_path_, err_path_;
};

// The lines of `text` (stdout or stderr of a command), in order.
std::vector<std::string> Lines(const std::string& text);

// The same, sorted: the rows of `table scan` compared as a set.
std::vector<std::string> SortedLines(const std::string& text);

// A fresh database on the fixture cluster; its DSN (URI form with password).
std::string CreateDatabase(const std::string& name_prefix);

// Runs SQL on `dsn`; returns the first column of every row (fails the test on error).
std::vector<std::string> Sql(const std::string& dsn, const std::string& sql);

}  // namespace rs::testing

#endif  // RS_TESTS_CLI_CLI_HARNESS_H_
