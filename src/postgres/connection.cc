#include <algorithm>
#include <chrono>

#include "common/redact.h"
#include "common/retry.h"
#include "postgres/connection_internal.h"
#include "postgres/dsn_internal.h"

namespace rs::postgres::internal {
namespace {

std::string TargetName(const std::string& host, const std::string& port, const std::string& db) {
  return "PostgreSQL at " + (host.empty() ? std::string("localhost") : host) + ":" +
         (port.empty() ? std::string("5432") : port) + "/" + db;
}

}  // namespace

std::string TrimMessage(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  std::string out;  // one line: libpq continues long messages with "\n\t"
  for (char c : s) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string QuoteIdent(std::string_view ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

StatusCode CodeForSqlState(std::string_view sqlstate) {
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || cls == "53" || cls == "57") return StatusCode::kUnavailable;
  if (sqlstate == "40001" || sqlstate == "40P01") return StatusCode::kAborted;
  if (cls == "22" || cls == "23") return StatusCode::kInvalidArgument;
  if (cls == "28") return StatusCode::kInvalidArgument;
  if (cls == "42" || cls == "3F" || cls == "3D") return StatusCode::kFailedPrecondition;
  return StatusCode::kInternal;
}

bool IsTransientConnectError(std::string_view m) {
  for (std::string_view needle :
       {"Connection refused", "timeout expired", "too many clients", "starting up",
        "shutting down", "in recovery mode", "Connection reset", "No route to host",
        "Temporary failure in name resolution", "server closed the connection"}) {
    if (m.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

std::string AuthenticationHint(std::string_view libpq_message) {
  for (std::string_view needle : {"authentication failed", "role \"", "no password supplied"}) {
    if (libpq_message.find(needle) != std::string_view::npos) {
      return " (check the user and password of the connection string)";
    }
  }
  return "";
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  RS_ASSIGN_OR_RETURN(ParsedDsn parsed, ParseDsn(options.dsn));
  std::unique_ptr<Connection> c(new Connection());
  c->options_ = options;
  c->secrets_ = parsed.secrets;
  // Until libpq has applied its defaults; NoteTarget then says what it used.
  c->target_ = TargetName(parsed.host, parsed.port, parsed.dbname);
  RS_RETURN_IF_ERROR(c->ConnectOnce());
  return c;
}

Status Connection::ConnectOnce() {
  std::string timeout = std::to_string(options_.connect_timeout_s);
  // Keywords before "dbname" are defaults the expanded DSN may override;
  // client_encoding comes after it because binary COPY sends UTF-8 text.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                        "client_encoding", nullptr};
  const char* values[] = {timeout.c_str(), options_.application_name.c_str(),
                          options_.dsn.c_str(), "UTF8", nullptr};
  // Full jitter: clients waiting for a restarting server do not return
  // together. Only failures the server may get over are retried.
  RetryPolicy policy;
  policy.max_attempts = std::max(0, options_.connect_retries) + 1;
  policy.base_delay = std::chrono::milliseconds(std::max(0, options_.retry_base_ms));
  policy.max_delay = policy.base_delay * 64;
  Backoff backoff(policy);
  Status last;
  do {
    conn_.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
    // Library code does not log: server notices are dropped, not printed.
    if (conn_ != nullptr) PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
    NoteTarget();
    if (conn_ != nullptr && PQstatus(conn_.get()) == CONNECTION_OK) {
      return ApplySessionSettings();
    }
    std::string msg = conn_ ? TrimMessage(PQerrorMessage(conn_.get())) : "out of memory";
    bool transient = IsTransientConnectError(msg);
    last = Status(transient ? StatusCode::kUnavailable : StatusCode::kInvalidArgument,
                  "connect to " + target_ + ": " + Redact(msg) + AuthenticationHint(msg));
    if (!transient) return last;
  } while (backoff.Next());
  return last.Annotate("after " + std::to_string(backoff.attempt()) + " attempts");
}

// The host, port and database libpq used after its defaults (PGHOST,
// PGPORT, PGDATABASE, the socket directory, the user name), and the password
// it found (PGPASSWORD, ~/.pgpass), which joins the secrets. Before libpq
// picks a host (an option it refused) the DSN's own values stay.
void Connection::NoteTarget() {
  PGconn* c = conn_.get();
  if (c == nullptr) return;
  const char* password = PQpass(c);
  if (password != nullptr && *password != '\0' &&
      std::find(secrets_.begin(), secrets_.end(), password) == secrets_.end()) {
    secrets_.emplace_back(password);
  }
  const char* host = PQhost(c);
  if (host == nullptr || *host == '\0') return;
  const char* port = PQport(c);
  const char* db = PQdb(c);
  target_ = Redact(TargetName(host, port != nullptr ? port : "", db != nullptr ? db : ""));
}

Status Connection::ApplySessionSettings() {
  if (options_.statement_timeout_ms <= 0) return Status::OK();
  auto r = Query("SELECT set_config('statement_timeout', $1, false)",
                 {std::to_string(options_.statement_timeout_ms)});
  return r.ok() ? Status::OK() : r.status().Annotate("set statement_timeout");
}

Status Connection::ReconnectIfBroken() {
  if (conn_ != nullptr && !IsBroken()) return Status::OK();
  return ConnectOnce();
}

std::string Connection::Redact(std::string_view text) const {
  return RedactSecrets(RedactDsn(text), secrets_);
}

Status Connection::ErrorStatus(const PGresult* result) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  std::string msg = TrimMessage(primary != nullptr ? primary : PQerrorMessage(conn_.get()));
  if (msg.empty()) msg = "connection lost";
  if (detail != nullptr) msg += " (" + std::string(detail) + ")";
  StatusCode code = StatusCode::kUnavailable;  // no SQLSTATE: the connection failed
  last_sqlstate_ = state != nullptr ? state : "";
  if (state != nullptr) {
    msg += " (SQLSTATE " + std::string(state) + ")";
    code = CodeForSqlState(state);
  }
  if (IsBroken()) code = StatusCode::kUnavailable;
  return Status(code, Redact(msg));
}

Status Connection::Exec(std::string_view sql) {
  PgResultPtr r(PQexec(conn_.get(), std::string(sql).c_str()));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
  return ErrorStatus(r.get());
}

Result<PgResultPtr> Connection::Query(const std::string& sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResultPtr r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, /*resultFormat=*/0));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  return ErrorStatus(r.get());
}

Result<std::unique_ptr<CopyIn>> CopyIn::Start(Connection* conn, const std::string& copy_sql) {
  PgResultPtr r(PQexec(conn->get(), copy_sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) {
    return std::unique_ptr<CopyIn>(new CopyIn(conn));
  }
  if (r && PQresultStatus(r.get()) == PGRES_FATAL_ERROR) return conn->ErrorStatus(r.get());
  return Status::Internal("statement did not start COPY FROM STDIN");
}

CopyIn::~CopyIn() {
  if (done_) return;
  // Cancels the COPY: the server fails the statement, the transaction aborts.
  PQputCopyEnd(conn_->get(), "COPY abandoned by the client");
  while (PgResultPtr r{PQgetResult(conn_->get())}) {
    if (PQresultStatus(r.get()) == PGRES_COPY_IN) break;
  }
}

// After a failed send, the server's own reason (e.g. "terminating connection
// due to administrator command") may be waiting as a result.
Status CopyIn::DrainError() {
  done_ = true;
  Status st;
  while (PgResultPtr r{PQgetResult(conn_->get())}) {
    if (PQresultStatus(r.get()) == PGRES_FATAL_ERROR && st.ok()) st = conn_->ErrorStatus(r.get());
    if (PQresultStatus(r.get()) == PGRES_COPY_IN) break;  // end not accepted: give up
  }
  return st.ok() ? conn_->ErrorStatus(nullptr) : st;
}

Status CopyIn::Write(std::string_view data) {
  if (done_) return Status::Internal("COPY already finished");
  if (PQputCopyData(conn_->get(), data.data(), static_cast<int>(data.size())) == 1) {
    return Status::OK();
  }
  return DrainError();
}

Result<int64_t> CopyIn::Finish() {
  if (done_) return Status::Internal("COPY already finished");
  if (PQputCopyEnd(conn_->get(), nullptr) != 1) return DrainError();
  done_ = true;
  Status st;
  int64_t rows = 0;
  while (PgResultPtr r{PQgetResult(conn_->get())}) {
    if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) {
      rows = std::strtoll(PQcmdTuples(r.get()), nullptr, 10);
    } else if (st.ok()) {
      st = conn_->ErrorStatus(r.get());
    }
    if (PQresultStatus(r.get()) == PGRES_COPY_IN) break;  // end not accepted: give up
  }
  if (!st.ok()) return st;
  return rows;
}

}  // namespace rs::postgres::internal
