#include "cli/command_support.h"

#include <gtest/gtest.h>

#include <sstream>

namespace rs::cli {
namespace {

struct Loaded {
  std::optional<JobConfig> config;
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
  l.config = LoadConfigOrFail(ctx, options);
  l.exit_code = ctx.exit_code;
  l.err = err.str();
  return l;
}

// Issue 10 (hostile input): a malformed DSN was only found when replication
// first connected, after every month had been computed and committed to Delta.
TEST(LoadConfigOrFailTest, Issue10MalformedDsnIsAUsageErrorNamingItsSource) {
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

TEST(LoadConfigOrFailTest, WellFormedDsnsPassWithoutConnecting) {
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

}  // namespace
}  // namespace rs::cli
