#include "common/settings.h"

#include <gtest/gtest.h>

#include <limits>

namespace rs {
namespace {

TEST(ParseBoolTest, AcceptsEveryOperatorSpellingTrimmedAnyCase) {
  for (const char* t : {"true", "TRUE", " 1", "yes", "Y", "on ", "On", "\ttrue\r\n"}) {
    auto r = ParseBool("X", t);
    ASSERT_TRUE(r.ok()) << t;
    EXPECT_TRUE(*r) << t;
  }
  for (const char* f : {"false", "False", "0", "no", "n", " OFF "}) {
    auto r = ParseBool("X", f);
    ASSERT_TRUE(r.ok()) << f;
    EXPECT_FALSE(*r) << f;
  }
}

TEST(ParseBoolTest, RejectsOtherValuesNamingTheVariable) {
  auto r = ParseBool("POSTGRES_SIGNALS_WRITE_REQUIRED", "maybe");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "POSTGRES_SIGNALS_WRITE_REQUIRED='maybe' is not a boolean: use true/false, 1/0, "
            "yes/no, y/n or on/off");
}

// Issue 24: the storage grammar read an empty value as false and removed
// blanks inside a word; the one grammar refuses both.
TEST(ParseBoolTest, Issue24EmptyAndInnerBlanksAreErrors) {
  for (const char* bad : {"", "   ", "t rue", "of f", "2", "truee"}) {
    auto r = ParseBool("AZURE_SKIP_SIGNATURE", bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("AZURE_SKIP_SIGNATURE='" + std::string(bad) + "'", 0), 0u);
  }
}

TEST(ParseIntTest, AcceptsTrimmedValuesWithinInclusiveBounds) {
  EXPECT_EQ(*ParseInt("X", "1", 1, 16), 1);
  EXPECT_EQ(*ParseInt("X", " 16\n", 1, 16), 16);
  EXPECT_EQ(*ParseInt("X", "-5", -10, 10), -5);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(*ParseInt("X", "9223372036854775807", 0, kMax), kMax);
}

TEST(ParseIntTest, OutOfRangeStatesTheRangeAndNamesTheSetting) {
  auto r = ParseInt("RANKING_THREADS", "300", 0, 256);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "RANKING_THREADS='300' is not a whole number from 0 to 256");
  EXPECT_EQ(ParseInt("RANKING_SIGNALS_TOP_N", "0", 1, 1000000000).status().message(),
            "RANKING_SIGNALS_TOP_N='0' is not a whole number from 1 to 1000000000");
}

TEST(ParseIntTest, MalformedValuesStateTheRangeToo) {
  for (const char* bad :
       {"", " ", "many", "1.5", "1e3", "+4", "4x", "0x10", "1 000", "99999999999999999999"}) {
    auto r = ParseInt("RS_STORAGE_MAX_RETRIES", bad, 0, 50);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.status().message(), "RS_STORAGE_MAX_RETRIES='" + std::string(bad) +
                                        "' is not a whole number from 0 to 50");
  }
}

}  // namespace
}  // namespace rs
