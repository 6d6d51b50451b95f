// Operator-facing logging for the CLI: human-readable lines by default, JSON
// lines with LogFormat::kJson; every line carries the run id. Libraries below
// the CLI do not log: they return results that the CLI logs.
//
// A JSON line holds the fixed keys "ts", "level", "run_id" and "event" (the
// message, a fixed name per kind of line), then the fields
// given (in key order). A field named like a fixed key is written as
// "field.<name>".
//
// Thread-safety: Logger and Progress may be used from several threads.
#ifndef RS_COMMON_LOG_H_
#define RS_COMMON_LOG_H_

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rs {

enum class LogFormat { kText, kJson };
enum class LogLevel { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn"/"warning" or "error", in any case; nullopt otherwise.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// One log line's text in `format` (no newline), as Logger writes it.
std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view run_id,
                          std::string_view event, const nlohmann::json& fields);

class Logger {
 public:
  // `out` must outlive the logger. `is_terminal` enables progress bars.
  // Lines below `min_level` are dropped.
  Logger(std::ostream& out, LogFormat format, std::string run_id, bool is_terminal,
         LogLevel min_level = LogLevel::kInfo);

  void Log(LogLevel level, std::string_view message, const nlohmann::json& fields = {});
  void Info(std::string_view message, const nlohmann::json& fields = {}) {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warn(std::string_view message, const nlohmann::json& fields = {}) {
    Log(LogLevel::kWarn, message, fields);
  }
  void Error(std::string_view message, const nlohmann::json& fields = {}) {
    Log(LogLevel::kError, message, fields);
  }

  const std::string& run_id() const { return run_id_; }
  LogFormat format() const { return format_; }
  bool progress_enabled() const {
    return is_terminal_ && format_ == LogFormat::kText && min_level_ <= LogLevel::kInfo;
  }

  // Draws a progress line in place (terminal only); Log() clears it first.
  void DrawProgress(std::string_view line);
  void ClearProgress();

 private:
  std::ostream& out_;
  LogFormat format_;
  std::string run_id_;
  bool is_terminal_;
  LogLevel min_level_;
  bool progress_shown_ = false;
  std::mutex mu_;
};

// A progress bar with rate and time left for a long step, drawn only when the
// logger's output is a terminal (and never in JSON mode).
class Progress {
 public:
  Progress(Logger& logger, std::string label, int64_t total, std::string unit);
  ~Progress();
  void Advance(int64_t n);
  void Finish();

 private:
  void Draw(bool force);

  Logger& logger_;
  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool finished_ = false;
  std::mutex mu_;
};

// Seconds elapsed on the steady clock since `start`, for the timings that
// reports and log lines carry.
double SecondsSince(std::chrono::steady_clock::time_point start);

// A new run id: UTC timestamp plus random suffix, e.g. "20241125T094500Z-3f9a1c".
std::string NewRunId();

// ISO-8601 UTC time with milliseconds.
std::string NowUtcIso8601();

}  // namespace rs

#endif  // RS_COMMON_LOG_H_
