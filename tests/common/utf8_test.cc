#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace rs {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (std::string_view ok : {"", "AAPL", "Z\xC3\xBCrich", "\xE2\x82\xAC 20", "\xE2\x98\x83",
                              "\xF0\x9F\x93\x88", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));  // NUL is a character
}

TEST(Utf8Test, FindsTheFirstInvalidSequence) {
  EXPECT_EQ(FindInvalidUtf8("\xAC\x41"), 0u);          // a lone continuation byte
  EXPECT_EQ(FindInvalidUtf8("AB\xC3"), 2u);            // truncated at the end
  EXPECT_EQ(FindInvalidUtf8("A\xC3(B"), 1u);           // bad continuation
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xE0\x80\xAF"), 0u);      // overlong, 3 bytes
  EXPECT_EQ(FindInvalidUtf8("\xF0\x80\x80\xAF"), 0u);  // overlong, 4 bytes
  EXPECT_EQ(FindInvalidUtf8("ok\xED\xA0\x80"), 2u);    // a UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(FindInvalidUtf8("\xFF"), 0u);
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);  // truncated euro sign
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82\xAC\xE2\x82"), 3u);
}

TEST(Utf8Test, DescribeInvalidUtf8NamesTheFirstBadByteAndItsOffset) {
  EXPECT_EQ(DescribeInvalidUtf8("caf\xC3\xA9"), std::nullopt);
  EXPECT_EQ(DescribeInvalidUtf8("ok\xED\xA0\x80"), "byte 0xED at offset 2");
  EXPECT_EQ(DescribeInvalidUtf8("\xAC"), "byte 0xAC at offset 0");
}

TEST(Utf8Test, BadBytesAreFoundAtEveryOffsetAroundTheEightByteAsciiSteps) {
  // The scan takes eight ASCII bytes at a time: a bad byte (or a multi-byte
  // sequence) at any position, in any length of text, is still where it is.
  for (size_t len = 1; len <= 24; ++len) {
    for (size_t at = 0; at < len; ++at) {
      std::string text(len, 'a');
      text[at] = static_cast<char>(0xFF);
      EXPECT_EQ(FindInvalidUtf8(text), at) << "length " << len;
      std::string good(len, 'b');
      good.replace(at, 1, "\xC3\xA9");  // e acute: two bytes, well formed
      EXPECT_EQ(FindInvalidUtf8(good), std::string_view::npos) << "length " << len;
      good.pop_back();  // the sequence cut short at the end
      if (at + 1 == len) {
        EXPECT_EQ(FindInvalidUtf8(good), at) << "length " << len;
      }
    }
  }
}

}  // namespace
}  // namespace rs
