#include "cli/cli_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/test_services.h"

namespace rs::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
          const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> argv_s = {CliPath()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::map<std::string, std::string> full = env;
  for (const char* keep : {"PATH", "HOME", "TMPDIR"}) {
    if (const char* v = std::getenv(keep); v != nullptr && !full.count(keep)) full[keep] = v;
  }
  std::vector<std::string> env_s;
  for (const auto& [k, v] : full) env_s.push_back(k + "=" + v);
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

CliResult Collect(int pid, const std::string& out_path, const std::string& err_path) {
  CliResult r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return r;
}

std::string TempPath(const char* tag) {
  static std::atomic<int> counter{0};
  return "/tmp/rs-cli-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "." + tag;
}

}  // namespace

std::string CliPath() {
  const char* dir = std::getenv("RS_BINARY_DIR");
  return std::string(dir != nullptr ? dir : "build") + "/src/cli/ranking-signals";
}

CliResult RunCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::string out = TempPath("out"), err = TempPath("err");
  return Collect(Spawn(args, env, out, err), out, err);
}

BackgroundCli::BackgroundCli(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env)
    : out_path_(TempPath("out")), err_path_(TempPath("err")) {
  pid_ = Spawn(args, env, out_path_, err_path_);
}

CliResult BackgroundCli::Wait() { return Collect(pid_, out_path_, err_path_); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> SortedLines(const std::string& text) {
  auto lines = Lines(text);
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string CreateDatabase(const std::string& name_prefix) {
  static std::atomic<int> counter{0};
  std::string name = name_prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  Sql(PostgresDsn(), "CREATE DATABASE " + name);
  auto env = ServiceEnv("pg");
  return "postgresql://postgres:" + env["RS_TEST_PG_PASSWORD"] + "@127.0.0.1:" +
         env["RS_TEST_PG_PORT"] + "/" + name;
}

std::vector<std::string> Sql(const std::string& dsn, const std::string& sql) {
  std::vector<std::string> rows;
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(dsn.c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "connect: " << PQerrorMessage(conn.get());
    return rows;
  }
  std::unique_ptr<PGresult, void (*)(PGresult*)> res(PQexec(conn.get(), sql.c_str()), PQclear);
  auto st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    ADD_FAILURE() << "SQL failed: " << sql << ": " << PQerrorMessage(conn.get());
    return rows;
  }
  for (int i = 0; i < PQntuples(res.get()); ++i) {
    rows.push_back(PQgetisnull(res.get(), i, 0) ? "NULL" : PQgetvalue(res.get(), i, 0));
  }
  return rows;
}

}  // namespace rs::testing
