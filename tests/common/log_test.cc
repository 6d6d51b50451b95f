#include "common/log.h"

#include <gtest/gtest.h>

#include <sstream>

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

}  // namespace
}  // namespace rs
