#include "common/test_services.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rs::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace

std::map<std::string, std::string> ServiceEnv(const std::string& name) {
  std::map<std::string, std::string> out;
  std::string dir = EnvOr("RS_TEST_SERVICES_DIR", "");
  std::string path = dir + "/" + name + ".env";
  std::ifstream in(path);
  if (dir.empty() || !in) {
    ADD_FAILURE() << "test service '" << name << "' is not running: " << path
                  << " missing. Run the test through ctest, which starts it as a fixture.";
    return out;
  }
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string PostgresDsn() { return ServiceEnv("pg")["RS_TEST_PG_DSN"]; }

std::string MakeTempDir(const std::string& tag) {
  std::string templ = (std::filesystem::temp_directory_path() / ("rs-" + tag + ".XXXXXX")).string();
  char* made = mkdtemp(templ.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << templ;
    return {};
  }
  return made;
}

std::string ConformanceDir() {
  return EnvOr("RS_CONFORMANCE_DIR", SourcePath("../shared/conformance"));
}

std::string SourcePath(const std::string& relative) {
  return EnvOr("RS_SOURCE_DIR", ".") + "/" + relative;
}

std::string BinaryPath(const std::string& relative) {
  return EnvOr("RS_BINARY_DIR", ".") + "/" + relative;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandRun RunCommand(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& a : argv) command += ShellQuote(a) + " ";
  CommandRun run;
  FILE* pipe = popen((command + "2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace rs::testing
