// A throwaway database per test on the ctest PostgreSQL fixture, plus small
// libpq helpers for assertions that must not go through the code under test.
#ifndef RS_TESTS_POSTGRES_PG_TEST_DB_H_
#define RS_TESTS_POSTGRES_PG_TEST_DB_H_

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/test_services.h"
#include "postgres/migrations.h"

namespace rs::postgres::testing {

struct PgDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgPtr = std::unique_ptr<PGconn, PgDeleter>;

inline std::string PgUri(const std::string& user, const std::string& password,
                         const std::string& db) {
  auto env = rs::testing::ServiceEnv("pg");
  return "postgresql://" + user + ":" + password + "@" + env["RS_TEST_PG_HOST"] + ":" +
         env["RS_TEST_PG_PORT"] + "/" + db;
}

inline std::string SuperuserDsn(const std::string& db) {
  auto env = rs::testing::ServiceEnv("pg");
  return PgUri(env["RS_TEST_PG_USER"], env["RS_TEST_PG_PASSWORD"], db);
}

inline PgPtr PgConnect(const std::string& dsn) {
  PgPtr c(PQconnectdb(dsn.c_str()));
  PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  return c;
}

// Runs `sql`; returns the first value of the first row ("" if none). Fails the test on error.
inline std::string PgValue(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) << sql << ": " << PQerrorMessage(c);
  std::string v = (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0)
                      ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return v;
}

inline std::string MigrationsDir() {
  return rs::testing::SourcePath("deploy/sql/postgres/migrations");
}

// Every index on year_month in schema ranking, "index:access method:parent
// index" sorted by name ("-" for an index attached to no partitioned index);
// the ledger's unique key on year_month is not one of them.
inline constexpr char kYearMonthIndexesSql[] =
    "SELECT string_agg(i.relname || ':' || am.amname || ':' || "
    "coalesce(h.inhparent::regclass::text,"
    " '-'), ',' ORDER BY i.relname) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
    " JOIN pg_am am ON am.oid = i.relam JOIN pg_attribute a ON a.attrelid = x.indrelid AND"
    " a.attnum = x.indkey[0] LEFT JOIN pg_inherits h ON h.inhrelid = i.oid WHERE a.attname ="
    " 'year_month' AND x.indnatts = 1 AND NOT x.indisunique AND i.relnamespace ="
    " 'ranking'::regnamespace";

class TestDatabase {
 public:
  explicit TestDatabase(const std::string& tag) {
    static std::atomic<int> counter{0};
    name_ = "test_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    admin_ = PgConnect(SuperuserDsn("postgres"));
    PgValue(admin_.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    PgValue(admin_.get(), "CREATE DATABASE " + name_);
    conn_ = PgConnect(dsn());
  }
  ~TestDatabase() {
    conn_.reset();
    PgValue(admin_.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  const std::string& name() const { return name_; }
  std::string dsn() const { return SuperuserDsn(name_); }
  ConnectionOptions options() const {
    ConnectionOptions o;
    o.dsn = dsn();
    o.connect_retries = 0;
    return o;
  }
  // Direct libpq connection to this database, for setup and assertions.
  PGconn* conn() const { return conn_.get(); }
  std::string Value(const std::string& sql) const { return PgValue(conn_.get(), sql); }

 private:
  std::string name_;
  PgPtr admin_;
  PgPtr conn_;
};

}  // namespace rs::postgres::testing

#endif  // RS_TESTS_POSTGRES_PG_TEST_DB_H_
