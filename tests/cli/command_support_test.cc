#include "cli/command_support.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/config.h"

namespace rs::cli {
namespace {

struct Loaded {
  std::optional<job::JobOptions> config;
  int exit_code = kExitOk;
  std::string err;
};

Loaded Load(std::map<std::string, std::string> env, const std::string& dsn_flag = "") {
  std::ostringstream out, err;
  CliContext ctx;
  ctx.env = std::move(env);
  ctx.out = &out;
  ctx.err = &err;
  CommonOptions options;
  options.dsn_flag = dsn_flag;
  Loaded l;
  l.config = LoadOptionsOrFail(ctx, options);
  l.exit_code = ctx.exit_code;
  l.err = err.str();
  return l;
}

// Issue 10 (hostile input): a malformed DSN was only found when replication
// first connected, after every month had been computed and committed to Delta.
TEST(LoadOptionsOrFailTest, Issue10MalformedDsnIsAUsageErrorNamingItsSource) {
  for (const char* dsn : {"host=db password='S3cretPw", "postgresql://u:S3cretPw@db:notaport/x",
                          "postgresql://u:S3cretPw@db:70000/x", "not a dsn S3cretPw",
                          "host=a,b port=5432,x password=S3cretPw"}) {
    Loaded env = Load({{"POSTGRES_DSN", dsn}});
    EXPECT_FALSE(env.config.has_value()) << dsn;
    EXPECT_EQ(env.exit_code, kExitUsage) << dsn;
    EXPECT_EQ(env.err.rfind("error: POSTGRES_DSN: PostgreSQL connection string is malformed: ", 0),
              0u)
        << env.err;
    EXPECT_EQ(env.err.find("S3cretPw"), std::string::npos) << env.err;

    Loaded flag = Load({}, dsn);
    EXPECT_EQ(flag.exit_code, kExitUsage) << dsn;
    EXPECT_EQ(flag.err.rfind("error: --dsn: ", 0), 0u) << flag.err;
    EXPECT_EQ(flag.err.find("S3cretPw"), std::string::npos) << flag.err;
  }
}

TEST(LoadOptionsOrFailTest, WellFormedDsnsPassWithoutConnecting) {
  for (const char* dsn : {"postgresql://u:pw@127.0.0.1:1/db", "host=/tmp dbname=x",
                          "host=a,b port=5432,5433", "postgresql:///db", "host=h port="}) {
    Loaded l = Load({{"POSTGRES_DSN", dsn}});
    ASSERT_TRUE(l.config.has_value()) << dsn << ": " << l.err;
    EXPECT_EQ(l.config->replication.dsn, dsn);
  }
  // The flag wins over the environment, so only the flag's value matters.
  Loaded l = Load({{"POSTGRES_DSN", "host='broken"}}, "host=h");
  ASSERT_TRUE(l.config.has_value()) << l.err;
  EXPECT_EQ(l.config->replication.dsn, "host=h");
}

// Issue 23, item 5: an empty POSTGRES_DSN (a secret that did not arrive)
// silently turned replication off although writes were required.
TEST(LoadOptionsOrFailTest, Issue23EmptyDsnIsAUsageErrorWhenWritesAreRequired) {
  for (const char* dsn : {"", "  "}) {
    Loaded required = Load({{"POSTGRES_DSN", dsn}});
    EXPECT_FALSE(required.config.has_value());
    EXPECT_EQ(required.exit_code, kExitUsage);
    EXPECT_EQ(required.err.rfind("error: POSTGRES_DSN is set but empty while "
                                 "POSTGRES_SIGNALS_WRITE_REQUIRED=true", 0), 0u)
        << required.err;

    Loaded optional = Load({{"POSTGRES_DSN", dsn}, {"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}});
    ASSERT_TRUE(optional.config.has_value()) << optional.err;
    EXPECT_FALSE(optional.config->replication.dsn.has_value());
    EXPECT_EQ(optional.exit_code, kExitOk);
  }
  // --dsn given: the empty variable does not matter.
  Loaded flag = Load({{"POSTGRES_DSN", ""}}, "host=h");
  ASSERT_TRUE(flag.config.has_value()) << flag.err;
  EXPECT_EQ(flag.config->replication.dsn, "host=h");
}

TEST(MakeLoggerTest, WarningsFromLoadingOptionsAreLoggedFirst) {
  std::ostringstream out, err;
  CliContext ctx;
  ctx.env = {{"POSTGRES_DSN", ""}, {"POSTGRES_SIGNALS_WRITE_REQUIRED", "false"}};
  ctx.out = &out;
  ctx.err = &err;
  CommonOptions options;
  ASSERT_TRUE(LoadOptionsOrFail(ctx, options).has_value());
  auto log = MakeLogger(ctx, options, "run-1");
  EXPECT_NE(err.str().find("POSTGRES_DSN is set but empty: replication is off"),
            std::string::npos)
      << err.str();
}

// Issue 24, item 4: every failure exited 1, so a scheduler could not tell
// "retry later" from "fix the input".
TEST(ExitCodeTest, TemporaryFailuresHaveTheirOwnCode) {
  EXPECT_EQ(ExitCodeFor(Status::Unavailable("connect to PostgreSQL: refused")), kExitTemporary);
  EXPECT_EQ(ExitCodeFor(Status::Aborted("commit race lost")), kExitTemporary);
  for (const Status& s : {Status::InvalidArgument("x"), Status::Corruption("x"),
                          Status::Internal("x"), Status::FailedPrecondition("x"),
                          Status::NotFound("x"), Status::IOError("x")}) {
    EXPECT_EQ(ExitCodeFor(s), kExitFailure) << s.ToString();
  }
  std::ostringstream err;
  CliContext ctx;
  ctx.err = &err;
  ctx.Fail(Status::Unavailable("gone"));
  EXPECT_EQ(ctx.exit_code, kExitTemporary);
  ctx.Fail(Status::Unavailable("gone"), kExitUsage);
  EXPECT_EQ(ctx.exit_code, kExitUsage);
}

// Issue 22, item 8: --threads 100000 and --threads -1 were accepted while
// RANKING_THREADS=-1 was refused: the flags now have the variables' bounds.
TEST(LoadOptionsOrFailTest, Issue22ThreadsAndTopNFlagsHaveTheVariablesBounds) {
  for (int threads : {-1, 257, 100000}) {
    std::ostringstream out, err;
    CliContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    CommonOptions options;
    options.threads = threads;
    EXPECT_FALSE(LoadOptionsOrFail(ctx, options).has_value()) << threads;
    EXPECT_EQ(ctx.exit_code, kExitUsage);
    EXPECT_EQ(err.str(), "error: --threads=" + std::to_string(threads) +
                             " is not a whole number from 0 to 256\n");
  }
  std::ostringstream out, err;
  CliContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  CommonOptions options;
  options.top_n = 0;
  EXPECT_FALSE(LoadOptionsOrFail(ctx, options).has_value());
  EXPECT_EQ(err.str(), "error: --top-n=0 is not a whole number from 1 to 1000000000\n");
  options.top_n = 7;
  options.threads = 256;
  auto ok = LoadOptionsOrFail(ctx, options);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->compute.threads, 256);
  EXPECT_EQ(ok->compute.top_n, 7);
}

// Runs the CLI in-process with `words` and `env`; returns (exit code, stdout, stderr).
struct InProcess {
  int exit_code;
  std::string out, err;
};
InProcess RunInProcess(std::vector<std::string> words,
                       std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  CliContext ctx;
  ctx.env = std::move(env);
  ctx.out = &out;
  ctx.err = &err;
  words.insert(words.begin(), "ranking-signals");
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  int code = RunCli(static_cast<int>(argv.size()), argv.data(), ctx);
  return {code, out.str(), err.str()};
}

// Issue 19: under --log-format json a usage error is a JSON line too, both
// one the command finds and one the parser finds.
TEST(LogSettingsTest, Issue19UsageErrorsAreJsonLinesUnderJsonLogs) {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"run", "--lake", "/nonexistent", "--months", "2024-13", "--log-format", "json"},
           {"run", "--lake", "/nonexistent", "--no-such-flag", "--log-format=json"}}) {
    InProcess r = RunInProcess(words);
    EXPECT_EQ(r.exit_code, kExitUsage);
    auto j = nlohmann::json::parse(r.err);  // exactly one JSON object
    EXPECT_EQ(j["level"], "ERROR") << r.err;
    EXPECT_EQ(j["event"], "usage error") << r.err;
    EXPECT_EQ(j["exit_code"], kExitUsage) << r.err;
    EXPECT_TRUE(j["run_id"].is_null()) << r.err;
  }
  InProcess env = RunInProcess({"run", "--lake", "/x", "--months", "2024-13"},
                               {{"RANKING_LOG_FORMAT", "json"}});
  EXPECT_EQ(nlohmann::json::parse(env.err)["event"], "usage error") << env.err;
}

// Issue 19: every command's --help shows examples and names the environment
// variable behind each option that has one; options that do nothing for a
// command are not offered.
TEST(HelpTest, Issue19EveryCommandsHelpHasExamplesAndTheVariablesBehindItsOptions) {
  const std::vector<std::vector<std::string>> commands = {{},
                                                          {"run"},
                                                          {"materialize"},
                                                          {"verify"},
                                                          {"sync"},
                                                          {"migrate"},
                                                          {"sample-data"},
                                                          {"table"},
                                                          {"table", "info"},
                                                          {"table", "scan"},
                                                          {"table", "history"},
                                                          {"table", "vacuum"}};
  for (std::vector<std::string> words : commands) {
    std::string name = words.empty() ? "(top level)" : words.back();
    words.push_back("--help");
    InProcess r = RunInProcess(words);
    EXPECT_EQ(r.exit_code, kExitOk) << name << r.err;
    EXPECT_NE(r.out.find("Example"), std::string::npos) << name << ":\n" << r.out;
    for (const SettingSpec& s : JobSettings()) {
      if (s.flag.empty() || s.env.empty()) continue;
      if (r.out.find(s.flag + " ") == std::string::npos) continue;  // not offered here
      EXPECT_NE(r.out.find(s.env), std::string::npos)
          << name << " --help offers " << s.flag << " without naming " << s.env;
    }
  }
  EXPECT_EQ(RunInProcess({"sample-data", "--help"}).out.find("--rankings-table"),
            std::string::npos);
  EXPECT_EQ(RunInProcess({"migrate", "--help"}).out.find("--config"), std::string::npos);
  EXPECT_EQ(RunInProcess({"sample-data", "--help"}).out.find("--config"), std::string::npos);
}

TEST(LogSettingsTest, BadLogSettingsFromTheEnvironmentAreUsageErrors) {
  InProcess level = RunInProcess({"run", "--lake", "/x"}, {{"RANKING_LOG_LEVEL", "loud"}});
  EXPECT_EQ(level.exit_code, kExitUsage);
  EXPECT_NE(level.err.find("RANKING_LOG_LEVEL='loud' is not one of debug, info, warn, error"),
            std::string::npos)
      << level.err;
  InProcess format = RunInProcess({"run", "--lake", "/x"}, {{"RANKING_LOG_FORMAT", "xml"}});
  EXPECT_EQ(format.exit_code, kExitUsage);
  EXPECT_NE(format.err.find("RANKING_LOG_FORMAT='xml' is not text or json"), std::string::npos)
      << format.err;
}

// Issue 19: --version prints the version, the git commit and the build type.
TEST(VersionTest, Issue19VersionNamesCommitAndBuildType) {
  std::ostringstream out, err;
  CliContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  std::vector<std::string> words = {"ranking-signals", "--version"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  EXPECT_EQ(RunCli(static_cast<int>(argv.size()), argv.data(), ctx), kExitOk);
  EXPECT_TRUE(std::regex_search(out.str(), std::regex("^ranking-signals [0-9]+\\.[0-9]+\\.[0-9]+\n"
                                                      "commit ([0-9a-f]{40}(-dirty)?|unknown)\n"
                                                      "build [A-Za-z]+\n$")))
      << out.str();
}

}  // namespace
}  // namespace rs::cli
