// The writer's encoders against byte sequences worked out by hand from the
// Parquet spec (Encodings.md), plus a randomized check of the RLE/bit-packed
// hybrid against a small independent decoder.
#include "parquet/encoding_writer_internal.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rs::parquet::encode {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(WriterEncodingTest, BitWidthIsBitsOfTheMaximum) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(4), 3);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
}

TEST(WriterEncodingTest, Uleb128MatchesTheSpecExample) {
  std::string out;
  AppendUleb128(300, &out);
  EXPECT_EQ(out, Bytes({0xAC, 0x02}));
}

// Encodings.md: 0..7 bit-packed with width 3 is 10001000 11000110 11111010.
TEST(WriterEncodingTest, BitPackedGroupMatchesTheSpecExample) {
  const int16_t values[] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  AppendRleHybrid(values, 8, 3, &out);
  EXPECT_EQ(out, Bytes({0x03, 0x88, 0xC6, 0xFA}));  // header: 1 group << 1 | 1
}

TEST(WriterEncodingTest, LongRunBecomesOneRleRun) {
  std::vector<int16_t> values(100, 5);
  std::string out;
  AppendRleHybrid(values.data(), values.size(), 3, &out);
  EXPECT_EQ(out, Bytes({0xC8, 0x01, 0x05}));  // 100 << 1 as ULEB-128, value in one byte
}

TEST(WriterEncodingTest, RleValueTakesWholeBytesOfTheWidth) {
  std::vector<uint32_t> values(8, 0x1234);
  std::string out;
  AppendRleHybrid(values.data(), values.size(), 13, &out);
  EXPECT_EQ(out, Bytes({0x10, 0x34, 0x12}));
}

// A literal run may only be padded at the end of the stream, so the literal
// part before a run borrows values from the run to fill its group of 8.
TEST(WriterEncodingTest, LiteralBeforeRunBorrowsToAWholeGroup) {
  std::vector<int16_t> values = {1, 2, 3};
  values.insert(values.end(), 10, 7);
  std::string out;
  AppendRleHybrid(values.data(), values.size(), 3, &out);
  // 1,2,3,7,7,7,7,7 packed LSB first: 11010001 11111110 11111111; then 5 x 7.
  EXPECT_EQ(out, Bytes({0x03, 0xD1, 0xFE, 0xFF, 0x0A, 0x07}));
}

TEST(WriterEncodingTest, TrailingLiteralIsZeroPadded) {
  const int16_t values[] = {1, 0, 1};
  std::string out;
  AppendRleHybrid(values, 3, 1, &out);
  EXPECT_EQ(out, Bytes({0x03, 0x05}));
}

TEST(WriterEncodingTest, WidthZeroRunHasNoValueBytes) {
  std::vector<uint32_t> values(20, 0);
  std::string out;
  AppendRleHybrid(values.data(), values.size(), 0, &out);
  EXPECT_EQ(out, Bytes({0x28}));
}

TEST(WriterEncodingTest, LevelsArePrefixedWithTheirByteLength) {
  std::vector<int16_t> levels(100, 1);
  std::string out = "x";
  AppendLevels(levels.data(), levels.size(), 1, &out);
  EXPECT_EQ(out, "x" + Bytes({0x03, 0x00, 0x00, 0x00, 0xC8, 0x01, 0x01}));
}

TEST(WriterEncodingTest, PlainBooleansArePackedLsbFirst) {
  const uint8_t values[] = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  std::string out;
  AppendPlainBooleans(values, 9, &out);
  EXPECT_EQ(out, Bytes({0x0D, 0x01}));
}

TEST(WriterEncodingTest, PlainByteArrayHasLittleEndianLengthPrefix) {
  std::string out;
  AppendPlainByteArray("abc", &out);
  AppendPlainByteArray("", &out);
  EXPECT_EQ(out, Bytes({3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0}));
}

TEST(WriterEncodingTest, PlainFixedIsLittleEndian) {
  const int32_t values[] = {1, -2};
  std::string out;
  AppendPlainFixed(values, 2, 4, &out);
  EXPECT_EQ(out, Bytes({1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF}));
}

// An independent reading of the hybrid grammar, for the randomized check.
std::vector<uint32_t> DecodeHybrid(const std::string& in, int bit_width, size_t count) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  auto byte = [&]() { return static_cast<uint8_t>(in.at(pos++)); };
  while (out.size() < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = byte();
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    if ((header & 1) == 0) {
      uint32_t v = 0;
      for (int i = 0; i < (bit_width + 7) / 8; ++i) v |= static_cast<uint32_t>(byte()) << (8 * i);
      out.insert(out.end(), header >> 1, v);
      continue;
    }
    size_t n = (header >> 1) * 8;
    size_t bit = pos * 8;
    for (size_t i = 0; i < n; ++i) {
      uint32_t v = 0;
      for (int b = 0; b < bit_width; ++b, ++bit) {
        v |= static_cast<uint32_t>((static_cast<uint8_t>(in.at(bit / 8)) >> (bit % 8)) & 1) << b;
      }
      out.push_back(v);
    }
    pos += n * static_cast<size_t>(bit_width) / 8;
  }
  EXPECT_EQ(pos, in.size()) << "trailing bytes";
  out.resize(count);
  return out;
}

// Every width 0..32 (the packer flushes 32 bits at a time).
TEST(WriterEncodingTest, RandomRunsRoundTripThroughAnIndependentDecoder) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 600; ++trial) {
    int width = trial % 33;
    uint32_t max = width == 0 ? 0 : static_cast<uint32_t>((uint64_t{1} << width) - 1);
    std::vector<uint32_t> values;
    size_t target = rng() % 300;
    while (values.size() < target) {
      uint32_t v = static_cast<uint32_t>(rng() % (uint64_t{max} + 1));
      size_t repeat = rng() % 3 == 0 ? rng() % 40 : 1;
      values.insert(values.end(), repeat, v);
    }
    std::string out;
    AppendRleHybrid(values.data(), values.size(), width, &out);
    ASSERT_EQ(DecodeHybrid(out, width, values.size()), values) << "trial " << trial;
  }
}

}  // namespace
}  // namespace rs::parquet::encode
