#include "common/log.h"

#include <fmt/format.h>
#include <time.h>

#include <cctype>
#include <ostream>
#include <random>

namespace rs {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "INFO";
}

// Quoted JSON text. A field may hold bytes that are not UTF-8 (a value read
// from a damaged file, quoted in an error): they are replaced, never thrown on.
std::string Dump(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FieldText(const nlohmann::json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return s.find_first_of(" \"=") == std::string::npos && !s.empty() ? s : Dump(s);
  }
  return Dump(v);
}

std::string FormatDuration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

// A count in the bar's unit; bytes in MiB, so that a read's bar stays short.
std::string Amount(double n, std::string_view unit) {
  if (unit == "bytes") return fmt::format("{:.1f} MiB", n / (1 << 20));
  return fmt::format("{:.0f} {}", n, unit);
}

}  // namespace

std::string NowUtcIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm_utc.tm_year + 1900,
                     tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min,
                     tm_utc.tm_sec, ms % 1000);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string NewRunId() {
  time_t secs = time(nullptr);
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  std::random_device rd;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:06x}", tm_utc.tm_year + 1900,
                     tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min,
                     tm_utc.tm_sec, rd() & 0xffffff);
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return std::nullopt;
}

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view run_id,
                          std::string_view event, const nlohmann::json& fields) {
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json j = {{"ts", NowUtcIso8601()},
                                {"level", LevelName(level)},
                                {"run_id", run_id.empty() ? nlohmann::ordered_json(nullptr)
                                                          : nlohmann::ordered_json(run_id)},
                                {"event", event}};
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        bool fixed = j.contains(it.key());
        j[fixed ? "field." + it.key() : it.key()] = it.value();
      }
    }
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::string line = fmt::format("{} {:<5} [{}] {}", NowUtcIso8601(), LevelName(level),
                                 run_id.empty() ? "-" : run_id, event);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      line += fmt::format(" {}={}", it.key(), FieldText(it.value()));
    }
  }
  return line;
}

Logger::Logger(std::ostream& out, LogFormat format, std::string run_id, bool is_terminal,
               LogLevel min_level)
    : out_(out),
      format_(format),
      run_id_(std::move(run_id)),
      is_terminal_(is_terminal),
      min_level_(min_level) {}

void Logger::Log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (level < min_level_) return;
  std::string line = FormatLogLine(format_, level, run_id_, message, fields);
  std::lock_guard<std::mutex> lock(mu_);
  if (progress_shown_) {
    out_ << "\r\033[K";
    progress_shown_ = false;
  }
  out_ << line << '\n';
  out_.flush();
}

void Logger::DrawProgress(std::string_view line) {
  if (!progress_enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  out_ << "\r\033[K" << line;
  out_.flush();
  progress_shown_ = true;
}

void Logger::ClearProgress() {
  if (!progress_enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (progress_shown_) out_ << "\r\033[K";
  out_.flush();
  progress_shown_ = false;
}

Progress::Progress(Logger& logger, std::string label, int64_t total, std::string unit)
    : logger_(logger), label_(std::move(label)), unit_(std::move(unit)), total_(total),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Advance(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ += n;
  Draw(false);
}

void Progress::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  logger_.ClearProgress();
}

void Progress::Draw(bool force) {
  if (!logger_.progress_enabled() || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / total_) : 0;
  constexpr int kWidth = 28;
  int filled = static_cast<int>(frac * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  double left = rate > 0 ? (total_ - done_) / rate : -1;
  std::string amounts = unit_ == "bytes"
                            ? fmt::format("{:.1f}/{}", static_cast<double>(done_) / (1 << 20),
                                          Amount(static_cast<double>(total_), unit_))
                            : fmt::format("{}/{} {}", done_, total_, unit_);
  logger_.DrawProgress(fmt::format("{} [{}] {:3.0f}% {} {}/s, {} left", label_, bar, frac * 100,
                                   amounts, Amount(rate, unit_), FormatDuration(left)));
}

}  // namespace rs
