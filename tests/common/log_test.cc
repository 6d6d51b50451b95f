#include "common/log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace rs {
namespace {

// Issue 10 (hostile input): an error quoting a value from a damaged file (a
// symbol that is not UTF-8) made the text logger throw from nlohmann::json and
// the process abort. Bytes that are not UTF-8 are replaced, in both formats.
TEST(LoggerTest, Issue10FieldsThatAreNotUtf8AreReplacedNotThrownOn) {
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    std::ostringstream out;
    Logger log(out, format, "run-1", false);
    EXPECT_NO_THROW(
        log.Error("failed", {{"error", "duplicate row for symbol \xAC\x41 on 2024-01-02"},
                             {"nested", {{"k", "\xFF"}}}}));
    EXPECT_NE(out.str().find("duplicate row for symbol \xEF\xBF\xBD\x41 on 2024-01-02"),
              std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("run-1"), std::string::npos);
  }
}

TEST(LoggerTest, TextFieldsAreBareOrQuoted) {
  std::ostringstream out;
  Logger log(out, LogFormat::kText, "run-1", false);
  log.Info("read", {{"rows", 3}, {"table", "/lake/gold"}, {"error", "a b"}});
  EXPECT_NE(out.str().find(" read error=\"a b\" rows=3 table=/lake/gold"), std::string::npos)
      << out.str();
}

// Issue 19: JSON lines start with fixed keys, in order; a field cannot
// overwrite one of them.
TEST(LoggerTest, Issue19JsonLinesHaveFixedKeysFirstAndFieldsCannotReplaceThem) {
  std::ostringstream out;
  Logger log(out, LogFormat::kJson, "run-1", false);
  log.Warn("verified month", {{"month", "2024-03"}, {"level", "x"}});
  auto j = nlohmann::ordered_json::parse(out.str());
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  ASSERT_GE(keys.size(), 6u) << out.str();
  EXPECT_EQ((std::vector<std::string>(keys.begin(), keys.begin() + 4)),
            (std::vector<std::string>{"ts", "level", "run_id", "event"}));
  EXPECT_EQ(j["level"], "WARN");
  EXPECT_EQ(j["event"], "verified month");
  EXPECT_EQ(j["field.level"], "x");
  EXPECT_EQ(j["month"], "2024-03");
}

TEST(LoggerTest, LinesBelowTheMinimumLevelAreDropped) {
  std::ostringstream out;
  Logger log(out, LogFormat::kText, "run-1", false, LogLevel::kWarn);
  log.Info("read");
  log.Warn("drift");
  EXPECT_EQ(out.str().find("read"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("drift"), std::string::npos) << out.str();
  EXPECT_EQ(ParseLogLevel("WARNING"), LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud").has_value());
}

// Issue 19: a progress bar (with rate and time left) is drawn only on a
// terminal in text format: on a pipe, in JSON or under --quiet nothing is.
TEST(ProgressTest, Issue19DrawsOnlyOnATerminalInTextFormat) {
  struct Case {
    LogFormat format;
    bool terminal;
    LogLevel min_level;
    bool drawn;
  };
  for (const Case& c : {Case{LogFormat::kText, true, LogLevel::kInfo, true},
                        Case{LogFormat::kText, false, LogLevel::kInfo, false},
                        Case{LogFormat::kJson, true, LogLevel::kInfo, false},
                        Case{LogFormat::kJson, false, LogLevel::kInfo, false},
                        Case{LogFormat::kText, true, LogLevel::kWarn, false}}) {
    std::ostringstream out;
    Logger log(out, c.format, "run-1", c.terminal, c.min_level);
    {
      Progress bar(log, "reading market_daily", 4 << 20, "bytes");
      std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the redraw interval
      bar.Advance(1 << 20);
    }
    SCOPED_TRACE(::testing::Message()
                 << "json " << (c.format == LogFormat::kJson) << " terminal " << c.terminal
                 << " quiet " << (c.min_level > LogLevel::kInfo));
    if (!c.drawn) {
      EXPECT_EQ(out.str(), "");
      continue;
    }
    EXPECT_NE(out.str().find("\r\033[Kreading market_daily ["), std::string::npos) << out.str();
    EXPECT_NE(out.str().find(" 25% 1.0/4.0 MiB "), std::string::npos) << out.str();
    EXPECT_NE(out.str().find(" MiB/s, 00:0"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find(" left"), std::string::npos) << out.str();
    EXPECT_EQ(out.str().substr(out.str().size() - 4), "\r\033[K");  // cleared when done
  }
}

}  // namespace
}  // namespace rs
