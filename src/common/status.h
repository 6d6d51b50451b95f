// Status and Result<T>: the one error model of ranking-signals.
//
// Every fallible function returns Status or Result<T>. Each layer adds what
// it was doing as the error travels up (Annotate / RS_RETURN_IF_ERROR_CTX),
// so the final message reads as a chain, e.g.
//   "replicate 2024-03: COPY ranking_signal: connection lost (SQLSTATE 08006)".
// Secrets never enter a Status: redact at the source (see redact.h).
//
// Thread-safety: values; safe to copy and move across threads.
#ifndef RS_COMMON_STATUS_H_
#define RS_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rs {

// Codes are chosen by the action they imply for the caller.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the user's input or configuration is wrong
  kNotFound,            // a table, file, month or object does not exist
  kAlreadyExists,       // put-if-absent lost; an object is already there
  kCorruption,          // data on disk or in the log is malformed
  kIOError,             // local I/O failed
  kUnavailable,         // transient (network, 5xx, 429): retried with backoff
  kAborted,             // a concurrent writer won a conflicting race
  kFailedPrecondition,  // state does not allow the operation (schema mismatch)
  kUnimplemented,       // a feature (e.g. a Delta reader feature) we do not support
  kInternal,            // a bug: an invariant did not hold
  kCancelled,           // the operator asked the process to stop (SIGTERM, SIGINT)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }

  // Returns a copy whose message is prefixed by `context: `. OK stays OK.
  Status Annotate(std::string_view context) const;

  // This error with a failed cleanup after it noted, so neither is lost:
  // "<message> (cleanup also failed: <cleanup message>)", code kept. An OK
  // cleanup leaves it unchanged; on an OK status the cleanup error is returned.
  Status WithCleanupError(const Status& cleanup) const;

  // "InvalidArgument: message" (or "OK").
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T ValueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rs

#define RS_CONCAT_INNER_(a, b) a##b
#define RS_CONCAT_(a, b) RS_CONCAT_INNER_(a, b)

#define RS_RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                      \
    ::rs::Status tmp = (expr);              \
    if (!tmp.ok()) return tmp;              \
  } while (0)

// Returns the status from the enclosing function when `expr` is not OK. The
// temporary is named after the line, so a use inside `expr` (a lambda's
// body on another line) does not shadow it.
#define RS_RETURN_IF_ERROR(expr) RS_RETURN_IF_ERROR_IMPL_(RS_CONCAT_(rs_status_, __LINE__), expr)

#define RS_RETURN_IF_ERROR_CTX_IMPL_(tmp, expr, ctx) \
  do {                                               \
    ::rs::Status tmp = (expr);                       \
    if (!tmp.ok()) return tmp.Annotate(ctx);         \
  } while (0)

// Same, prefixing the message with `ctx` (anything convertible to string_view).
#define RS_RETURN_IF_ERROR_CTX(expr, ctx) \
  RS_RETURN_IF_ERROR_CTX_IMPL_(RS_CONCAT_(rs_status_, __LINE__), expr, ctx)

#define RS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `RS_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its error.
#define RS_ASSIGN_OR_RETURN(lhs, expr) \
  RS_ASSIGN_OR_RETURN_IMPL_(RS_CONCAT_(rs_result_, __LINE__), lhs, expr)

#define RS_ASSIGN_OR_RETURN_CTX_IMPL_(tmp, lhs, expr, ctx) \
  auto tmp = (expr);                                       \
  if (!tmp.ok()) return tmp.status().Annotate(ctx);        \
  lhs = std::move(tmp).value()

// As RS_ASSIGN_OR_RETURN, prefixing an error with `ctx`.
#define RS_ASSIGN_OR_RETURN_CTX(lhs, expr, ctx) \
  RS_ASSIGN_OR_RETURN_CTX_IMPL_(RS_CONCAT_(rs_result_, __LINE__), lhs, expr, ctx)

#endif  // RS_COMMON_STATUS_H_
