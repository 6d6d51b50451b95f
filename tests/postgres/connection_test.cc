#include "postgres/connection_internal.h"

#include <gtest/gtest.h>

namespace rs::postgres::internal {
namespace {

TEST(CodeForSqlStateTest, MapsClassesToActions) {
  EXPECT_EQ(CodeForSqlState("08006"), StatusCode::kUnavailable);  // connection failure
  EXPECT_EQ(CodeForSqlState("57P01"), StatusCode::kUnavailable);  // admin shutdown
  EXPECT_EQ(CodeForSqlState("53300"), StatusCode::kUnavailable);  // too many connections
  EXPECT_EQ(CodeForSqlState("40001"), StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("40P01"), StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("23505"), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("28P01"), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("42P01"), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("XX000"), StatusCode::kInternal);
}

TEST(IsTransientConnectErrorTest, RetriesOnlyTransientFailures) {
  EXPECT_TRUE(IsTransientConnectError(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"));
  EXPECT_TRUE(IsTransientConnectError("FATAL:  sorry, too many clients already"));
  EXPECT_TRUE(IsTransientConnectError("FATAL:  the database system is starting up"));
  EXPECT_TRUE(IsTransientConnectError("timeout expired"));
  EXPECT_FALSE(IsTransientConnectError("FATAL:  password authentication failed for user \"u\""));
  EXPECT_FALSE(IsTransientConnectError("FATAL:  database \"x\" does not exist"));
}

TEST(AuthenticationHintTest, OnlyForRefusedCredentials) {
  const std::string hint = " (check the user and password of the connection string)";
  EXPECT_EQ(AuthenticationHint("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  "
                               "password authentication failed for user \"u\""),
            hint);
  EXPECT_EQ(AuthenticationHint("FATAL:  role \"nobody\" does not exist"), hint);
  EXPECT_EQ(AuthenticationHint("fe_sendauth: no password supplied"), hint);
  EXPECT_EQ(AuthenticationHint("FATAL:  database \"x\" does not exist"), "");
  EXPECT_EQ(AuthenticationHint("Connection refused"), "");
}

TEST(TrimMessageTest, JoinsLibpqContinuationLines) {
  EXPECT_EQ(TrimMessage("server closed the connection unexpectedly\n\tThis probably means\n"),
            "server closed the connection unexpectedly This probably means");
  EXPECT_EQ(TrimMessage("plain"), "plain");
}

TEST(QuoteIdentTest, DoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdent("date"), "\"date\"");
  EXPECT_EQ(QuoteIdent("we\"ird"), "\"we\"\"ird\"");
}

TEST(ConnectionOpenTest, MalformedDsnIsInvalidArgumentWithoutTheDsn) {
  ConnectionOptions o;
  o.dsn = "host=h password='unterminated s3cr3t";
  auto c = Connection::Open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message().rfind("PostgreSQL connection string is malformed: ", 0), 0u);
  EXPECT_EQ(c.status().message().find("s3cr3t"), std::string::npos) << c.status().message();
}

}  // namespace
}  // namespace rs::postgres::internal
