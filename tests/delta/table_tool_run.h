// Runs tests/delta/delta_table_tool, the `table` command as
// `ranking-signals table` runs it (tools/table_tool.cc), for the tests of
// `table info|scan|history|vacuum` on tables they build.
#ifndef RS_TESTS_DELTA_TABLE_TOOL_RUN_H_
#define RS_TESTS_DELTA_TABLE_TOOL_RUN_H_

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace rs::delta::testing {

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string SlurpFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `args` is appended to the command line as is (quote paths with spaces);
// stdout and stderr pass through files in `scratch_dir`.
inline ToolRun RunTableTool(const std::string& args, const std::filesystem::path& scratch_dir) {
  const char* bin = std::getenv("RS_BINARY_DIR");
  std::string tool = std::string(bin ? bin : ".") + "/tests/delta/delta_table_tool";
  std::filesystem::path out = scratch_dir / "out", err = scratch_dir / "err";
  std::string cmd = "'" + tool + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  int rc = std::system(cmd.c_str());
  return ToolRun{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, SlurpFile(out), SlurpFile(err)};
}

}  // namespace rs::delta::testing

#endif  // RS_TESTS_DELTA_TABLE_TOOL_RUN_H_
