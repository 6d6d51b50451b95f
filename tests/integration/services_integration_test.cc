// The test services themselves: the PostgreSQL fixture accepts a password
// login and round-trips data, and refuses a wrong password.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "common/test_services.h"

namespace {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

PgResult Exec(PGconn* conn, const std::string& sql) { return PgResult(PQexec(conn, sql.c_str())); }

TEST(PostgresFixtureTest, CreateInsertSelectRoundTrips) {
  std::string dsn = rs::testing::PostgresDsn();
  ASSERT_FALSE(dsn.empty());
  PgConn conn(PQconnectdb(dsn.c_str()));
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());

  auto r = Exec(conn.get(), "CREATE TEMP TABLE fixture_probe (id int PRIMARY KEY, name text)");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  r = Exec(conn.get(), "INSERT INTO fixture_probe VALUES (1, 'gold'), (2, 'silver')");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  r = Exec(conn.get(), "SELECT name FROM fixture_probe ORDER BY id");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK);
  ASSERT_EQ(PQntuples(r.get()), 2);
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "gold");
  EXPECT_STREQ(PQgetvalue(r.get(), 1, 0), "silver");
}

TEST(PostgresFixtureTest, WrongPasswordIsRefused) {
  auto env = rs::testing::ServiceEnv("pg");
  std::string dsn = "host=127.0.0.1 port=" + env["RS_TEST_PG_PORT"] +
                    " user=postgres dbname=postgres password=not-the-password connect_timeout=5";
  PgConn conn(PQconnectdb(dsn.c_str()));
  EXPECT_NE(PQstatus(conn.get()), CONNECTION_OK);
}

}  // namespace
