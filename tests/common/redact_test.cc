#include "common/redact.h"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(RedactDsnTest, MasksUriPassword) {
  EXPECT_EQ(RedactDsn("postgresql://app:s3cret@db.example:5432/prod"),
            "postgresql://app:***@db.example:5432/prod");
  EXPECT_EQ(RedactDsn("postgres://app:s3cret@db/prod"), "postgres://app:***@db/prod");
}

TEST(RedactDsnTest, KeepsUriWithoutPassword) {
  EXPECT_EQ(RedactDsn("postgresql://app@db/prod"), "postgresql://app@db/prod");
  EXPECT_EQ(RedactDsn("postgresql://db:5432/prod"), "postgresql://db:5432/prod");
  EXPECT_EQ(RedactDsn("postgresql:///prod?host=/tmp"), "postgresql:///prod?host=/tmp");
}

TEST(RedactDsnTest, MasksUriPasswordContainingAtSlashAndColon) {
  EXPECT_EQ(RedactDsn("postgresql://app:p@ss/w:rd@db:5432/prod?sslmode=require"),
            "postgresql://app:***@db:5432/prod?sslmode=require");
}

TEST(RedactDsnTest, MasksPasswordInUriQuery) {
  EXPECT_EQ(RedactDsn("postgresql://app@db/prod?sslmode=require&password=hunter2&x=1"),
            "postgresql://app@db/prod?sslmode=require&password=***&x=1");
  EXPECT_EQ(RedactDsn("postgresql://db/prod?password=hunter2"),
            "postgresql://db/prod?password=***");
}

TEST(RedactDsnTest, MasksKeyValuePassword) {
  EXPECT_EQ(RedactDsn("host=db user=app password=hunter2 dbname=prod"),
            "host=db user=app password=*** dbname=prod");
  EXPECT_EQ(RedactDsn("password=hunter2"), "password=***");
}

TEST(RedactDsnTest, MasksQuotedValueWithSpacesAndEscapedQuote) {
  EXPECT_EQ(RedactDsn(R"(host=db password='a b\'c' dbname=prod)"),
            "host=db password=*** dbname=prod");
  EXPECT_EQ(RedactDsn(R"(password='ends with backslash\\' user=u)"), "password=*** user=u");
}

TEST(RedactDsnTest, MasksSpacesAroundEquals) {
  EXPECT_EQ(RedactDsn("host=db password = 'x y' user=u"), "host=db password = *** user=u");
  EXPECT_EQ(RedactDsn("host=db password =hunter2"), "host=db password =***");
}

TEST(RedactDsnTest, LeavesLookalikeKeysAlone) {
  EXPECT_EQ(RedactDsn("host=db mypassword=visible user=u"), "host=db mypassword=visible user=u");
  EXPECT_EQ(RedactDsn("host=db passfile=/home/u/.pgpass"), "host=db passfile=/home/u/.pgpass");
}

TEST(RedactDsnTest, MasksEveryAssignment) {
  EXPECT_EQ(RedactDsn("password=a password=b"), "password=*** password=***");
}

TEST(RedactSecretsTest, ReplacesEveryOccurrence) {
  EXPECT_EQ(RedactSecrets("pw hunter2 then hunter2.", {"hunter2"}), "pw *** then ***.");
}

TEST(RedactSecretsTest, LongerSecretMaskedWhole) {
  EXPECT_EQ(RedactSecrets("abc-abcdef", {"abc", "abcdef"}), "***-***");
}

TEST(RedactSecretsTest, IgnoresEmptySecretsAndKeepsTextWithoutSecrets) {
  EXPECT_EQ(RedactSecrets("nothing here", {"", "zzz"}), "nothing here");
  EXPECT_EQ(RedactSecrets("", {"x"}), "");
}

TEST(RedactSecretsTest, MasksSecretsWithRegexMetacharacters) {
  EXPECT_EQ(RedactSecrets("FATAL: role \"a.*b\" x", {"a.*b"}), "FATAL: role \"***\" x");
}

}  // namespace
}  // namespace rs

namespace rs {
namespace {

// Fuzzer findings (fuzz/crashes/dsn_redact_fuzzer/): spellings libpq accepts.
TEST(RedactDsnTest, MasksBareValueWithBackslashEscapedSpace) {
  std::string out = RedactDsn("host=db password=\\ X user=u");
  EXPECT_EQ(out.find(" X user"), std::string::npos) << out;
  EXPECT_NE(out.find("user=u"), std::string::npos) << out;
}

TEST(RedactDsnTest, MasksWhenNewlinesOrTabsSurroundEquals) {
  for (const char* dsn : {"password\n=hunter2 host=db", "password=\nhunter2 host=db",
                          "password\t=\thunter2 host=db"}) {
    std::string out = RedactDsn(dsn);
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace rs
