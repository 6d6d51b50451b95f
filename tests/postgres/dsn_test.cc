#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "postgres/dsn_internal.h"
#include "postgres/migrations.h"

namespace rs::postgres::internal {
namespace {

constexpr char kPrefix[] = "PostgreSQL connection string is malformed: ";

// Issue 10: libpq checks the port only when connecting; ValidateDsn checks it
// up front so the CLI can refuse a typo before doing any work.
TEST(ValidateDsnTest, RejectsBadSyntaxAndPortsWithoutQuotingTheDsn) {
  for (const char* bad :
       {"host=h password='unterminated s3cr3t", "postgresql://u:s3cr3t@h:notaport/db",
        "postgresql://u:s3cr3t@h:0/db", "host=h port=65536 password=s3cr3t",
        "host=a,b port=1,-2 password=s3cr3t", "s3cr3t"}) {
    Status s = ValidateDsn(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message().rfind(kPrefix, 0), 0u) << bad;
    EXPECT_EQ(s.message().find("s3cr3t"), std::string::npos) << s.message();
  }
  // A port of digits is shown; one of other characters may be a piece of an
  // unencoded password, and is not.
  EXPECT_EQ(ValidateDsn("host=h port=65536").message(),
            "PostgreSQL connection string is malformed: port '65536' is not a number from 1 to "
            "65535 (one per host, comma separated)");
  EXPECT_EQ(ValidateDsn("postgresql://u:s3cr3t@h:notaport/db").message(),
            "PostgreSQL connection string is malformed: port is not a number from 1 to 65535 "
            "(one per host, comma separated)");
  for (const char* good : {"postgresql://u:p@h:5432/db", "host=a,b port=5432,", "dbname=x", "",
                           "postgresql://u:p%25%40x@h/db?sslmode=require&ssl=true",
                           "host=h password='a b\\'c' dbname=d", "postgresql://[::1]:5432/db",
                           "host=h sslmode=verify-full connect_timeout=' 5 '",
                           "postgresql://h/db?gssencmode=disable&keepalives_idle=-1"}) {
    EXPECT_TRUE(ValidateDsn(good).ok()) << good << ": " << ValidateDsn(good).ToString();
  }
}

struct Shape {
  std::string dsn;
  std::string says;  // the part the message must name
};

// Issue 22 item 1: libpq's parse errors quote the token they choke on
// ("invalid percent-encoded token: \"S3cr%zz\""). Every shape libpq rejects
// is described by its role, with nothing of the DSN but libpq keywords.
TEST(ParseDsnTest, Issue22EveryShapeLibpqRejectsIsDescribedWithoutItsText) {
  const std::vector<Shape> shapes = {
      {"postgresql://u:S3cr%zz@127.0.0.1:5432/db", "the URI's password has a '%'"},
      {"postgresql://u:S3cr%@127.0.0.1:5432/db", "the URI's password has a '%'"},
      {"postgresql://u:S3cr%00x@127.0.0.1:5432/db", "the URI's password has a '%'"},
      {"postgresql://S3cr%zz:pw@127.0.0.1/db", "the URI's user name has a '%'"},
      {"postgresql://u:pw@S3cr%zz/db", "host 1 of the URI has a '%'"},
      {"postgresql://u:pw@h1,S3cr%g1/db", "host 2 of the URI has a '%'"},
      {"postgresql://u:pw@h/S3cr%zz", "the URI's database name has a '%'"},
      {"postgresql://u:pw@h/db?options=S3cr%zz", "query parameter 1 of the URI has a '%'"},
      {"postgresql://u:pw@h/db?sslmode=require&S3cret=1", "query parameter 2 of the URI is not"},
      {"postgresql://u:pw@h/db?S3cret", "query parameter 1 of the URI has no '='"},
      {"postgresql://u:pw@h/db?options=a=S3cret", "a second '='"},
      {"postgresql://u:pw@[::1/S3cret", "host 1 of the URI opens an IPv6 address"},
      {"postgresql://u:S3cret@[]/db", "empty IPv6 address"},
      {"postgresql://u:S3cret@[::1]x/db", "after the ']'"},
      {"host=h password='S3cret unterminated", "the value of 'password' opens a single quote"},
      {"host=h options='S3cret", "the value of 'options' opens a single quote"},
      {"host=h passwrd=S3cret", "setting 2 (after 'host') is not a libpq connection keyword"},
      {"host=h S3cret", "setting 2 (after 'host') is a word without '='"},
      {"host=h password=S3cret with spaces", "if the value of 'password' contains spaces"},
      {"S3cret", "setting 1 (the first) is a word without '='"},
      {"postgre://u:S3cret@h/db", "neither a URI starting with postgresql://"},
      {"postgre://u:S3cret@h/db?sslmode=require", "neither a URI"},
      {"psql:host=h password=S3cret", "neither a URI"},
  };
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape.dsn);
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(shape.dsn.c_str(), &err);
    EXPECT_EQ(opts, nullptr) << "libpq accepts it";
    PQconninfoFree(opts);
    PQfreemem(err);
    Status s = ValidateDsn(shape.dsn);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().rfind(kPrefix, 0), 0u) << s.message();
    EXPECT_NE(s.message().find(shape.says), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("S3cr"), std::string::npos) << s.message();
  }
}

// libpq checks these only when connecting, quoting the value in its error.
TEST(ParseDsnTest, Issue22OptionValuesLibpqChecksAtConnectAreCheckedWithoutQuoting) {
  const std::vector<Shape> shapes = {
      {"host=h password=pw sslmode=S3cret",
       "the value of 'sslmode' is not one of disable, allow, prefer, require, verify-ca, "
       "verify-full"},
      {"postgresql://u:pw@h/db?connect_timeout=S3cret",
       "the value of 'connect_timeout' is not a whole number"},
      {"host=h target_session_attrs=S3cret",
       "'target_session_attrs' is not one of any, read-write"},
  };
  for (const Shape& shape : shapes) {
    std::string message = ValidateDsn(shape.dsn).message();
    EXPECT_NE(message.find(shape.says), std::string::npos) << message;
    EXPECT_EQ(message.find("S3cr"), std::string::npos) << message;
  }
}

// libpq takes the user info to the first '@' or '/': an unencoded '@' or '/'
// in the password would make part of it a host or a database name, which
// errors then quote. Such URIs are refused before libpq sees them.
TEST(ParseDsnTest, Issue22UnencodedAtOrSlashInThePasswordIsRefused) {
  EXPECT_NE(ValidateDsn("postgresql://u:pa@S3cret@h/db").message().find("more than one '@'"),
            std::string::npos);
  EXPECT_NE(ValidateDsn("postgresql://u:pa/S3cret@h/db").message().find("an '@' after a '/'"),
            std::string::npos);
}

TEST(ParseDsnTest, SecretsHoldThePasswordAsWrittenAndDecoded) {
  auto p = ParseDsn("postgresql://u:S3cr%41t@h:6543/db?sslpassword=K3y");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (const char* secret : {"S3cr%41t", "S3crAt", "K3y"}) {
    EXPECT_NE(std::find(p->secrets.begin(), p->secrets.end(), secret), p->secrets.end()) << secret;
  }
  EXPECT_EQ(p->host, "h");
  EXPECT_EQ(p->port, "6543");
  EXPECT_EQ(p->dbname, "db");
}

}  // namespace
}  // namespace rs::postgres::internal
