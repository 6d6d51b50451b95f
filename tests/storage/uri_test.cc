// Percent-encoding of blob paths and query values, and the strict decoding
// of file:// and abfss:// paths.
#include <gtest/gtest.h>

#include "storage/uri_internal.h"

namespace rs::storage::internal {
namespace {

TEST(PercentEncodingTest, OnlyUnreservedCharactersStayAsTheyAre) {
  EXPECT_EQ(PercentEncode("AZaz09-._~", false), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d=e&f%", false), "a%20b%2Fc%3Fd%3De%26f%25");
  EXPECT_EQ(PercentEncode("\xC3\xA9", false), "%C3%A9");
  EXPECT_EQ(PercentEncode("", false), "");
}

TEST(PercentEncodingTest, PathsKeepEverySlashIncludingEmptySegments) {
  EXPECT_EQ(PercentEncode("year_month=2024-01/part 1.parquet", true),
            "year_month%3D2024-01/part%201.parquet");
  EXPECT_EQ(PercentEncode("/a//b/", true), "/a//b/");
  EXPECT_EQ(PercentEncode("/", true), "/");
}

TEST(PercentDecodingTest, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  auto decoded = PercentDecode(PercentEncode(all, false));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, all);
  EXPECT_EQ(*PercentDecode("/lake%20one/%E9t%c3%a9"), "/lake one/\xE9t\xC3\xA9");
  EXPECT_EQ(*PercentDecode("plain"), "plain");
}

TEST(PercentDecodingTest, MalformedEscapesAreRefusedWithTheirOffset) {
  for (const char* bad : {"%", "%2", "a%zz", "%g0", "ok%2"}) {
    auto decoded = PercentDecode(bad);
    ASSERT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(decoded.status().message().find("malformed percent-escape at offset"),
              std::string::npos);
  }
  EXPECT_NE(PercentDecode("a%zz").status().message().find("offset 1"), std::string::npos);
}

}  // namespace
}  // namespace rs::storage::internal
