// A libpq connection owned from birth, with the module's error model:
// every libpq or server message is redacted (password and DSN) before it
// enters a Status, and messages name "PostgreSQL at host:port/db", never the
// DSN. Internal to rs_postgres: this header includes libpq-fe.h.
#ifndef RS_POSTGRES_CONNECTION_INTERNAL_H_
#define RS_POSTGRES_CONNECTION_INTERNAL_H_

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "postgres/migrations.h"

namespace rs::postgres::internal {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// Text-format statement parameter; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// " (check the user and password ...)" when a connect failure says the server
// refused the credentials, else "". libpq gives no SQLSTATE for a failed
// connection, only the server's message.
std::string AuthenticationHint(std::string_view libpq_message);

// Maps a SQLSTATE to the action-oriented StatusCode (status.h).
StatusCode CodeForSqlState(std::string_view sqlstate);

// True for connect failures worth retrying: refused, timeout, too many
// clients (53300), starting up or shutting down (57P03).
bool IsTransientConnectError(std::string_view libpq_message);

class Connection {
 public:
  // Connects with retries per `options`. Thread-compatible: one thread at a time.
  static Result<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  PGconn* get() const { return conn_.get(); }
  // "PostgreSQL at host:port/db".
  const std::string& target() const { return target_; }
  bool IsBroken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }
  // Reopens a broken connection (after the server closed it).
  Status ReconnectIfBroken();

  // Runs one or more statements without parameters; rows are discarded.
  Status Exec(std::string_view sql);
  // Runs one statement with text parameters; returns its result (tuples or command).
  Result<PgResultPtr> Query(const std::string& sql, const std::vector<Param>& params = {});

  // Masks the password and the DSN in `text`.
  std::string Redact(std::string_view text) const;
  // Status for a failed result (or, for nullptr, the connection's error).
  // Also records the result's SQLSTATE for last_sqlstate().
  Status ErrorStatus(const PGresult* result) const;
  // SQLSTATE of the last failed Exec, Query or COPY ("" when it had none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  const ConnectionOptions& options() const { return options_; }

 private:
  Connection() = default;
  Status ConnectOnce();
  void NoteTarget();
  Status ApplySessionSettings();

  ConnectionOptions options_;
  std::vector<std::string> secrets_;
  std::string target_;
  PgConnPtr conn_;
  mutable std::string last_sqlstate_;
};

// COPY ... FROM STDIN in progress. Finish() ends it and reports the server's
// verdict; a CopyIn destroyed without Finish() cancels the COPY (the server
// rolls the statement back) and swallows the outcome, as there is no one to
// report to. REQUIRES: nothing else runs on the connection meanwhile.
class CopyIn {
 public:
  static Result<std::unique_ptr<CopyIn>> Start(Connection* conn, const std::string& copy_sql);
  ~CopyIn();
  CopyIn(const CopyIn&) = delete;
  CopyIn& operator=(const CopyIn&) = delete;

  Status Write(std::string_view data);
  // Returns the number of rows the server stored.
  Result<int64_t> Finish();

 private:
  explicit CopyIn(Connection* conn) : conn_(conn) {}
  Status DrainError();

  Connection* conn_;
  bool done_ = false;
};

// Makes a libpq message one line: no trailing newline, "\n\t" continuations joined.
std::string TrimMessage(std::string_view s);

// Quotes an identifier: "ranking"."ranking_signal" style, doubling quotes.
std::string QuoteIdent(std::string_view ident);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_CONNECTION_INTERNAL_H_
