// Unit tests of the Parquet value/level decoders against byte sequences built
// from the rules of Encodings.md (test-local encoders, written independently).
#include "parquet/decoding_internal.h"
#include "parquet/reader_test_file_builder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace rs::parquet {
namespace {

using testing::Le32;

void PutUleb(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutZigZag(std::string* out, int64_t v) {
  PutUleb(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

// Packs values LSB-first with `width` bits each, padded to whole bytes.
std::string Pack(const std::vector<uint64_t>& values, int width) {
  std::string out((values.size() * width + 7) / 8, '\0');
  size_t bit = 0;
  for (uint64_t v : values) {
    for (int b = 0; b < width; ++b, ++bit) {
      if ((v >> b) & 1) out[bit / 8] = static_cast<char>(out[bit / 8] | (1 << (bit % 8)));
    }
  }
  return out;
}

TEST(RleHybridTest, DecodesRleRunThenBitPackedRun) {
  std::string data;
  PutUleb(&data, 5 << 1);  // RLE run of 5 values
  data.push_back(3);       // value 3 in one byte (width 2)
  PutUleb(&data, (1 << 1) | 1);  // one bit-packed group of 8
  data += Pack({0, 1, 2, 3, 3, 2, 1, 0}, 2);
  std::vector<uint8_t> out(13);
  ASSERT_TRUE(DecodeRleHybrid<uint8_t>(data, 2, 13, 3, out.data()).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{3, 3, 3, 3, 3, 0, 1, 2, 3, 3, 2, 1, 0}));
}

TEST(RleHybridTest, StopsInsidePaddedGroup) {
  std::string data;
  PutUleb(&data, (1 << 1) | 1);
  data += Pack({1, 0, 1, 0, 0, 0, 0, 0}, 1);
  std::vector<uint32_t> out(3);
  ASSERT_TRUE(DecodeRleHybrid<uint32_t>(data, 1, 3, 1, out.data()).ok());
  EXPECT_EQ(out, (std::vector<uint32_t>{1, 0, 1}));
}

TEST(RleHybridTest, WideBitPackedValues) {
  std::vector<uint64_t> values;
  for (uint64_t i = 0; i < 64; ++i) values.push_back((i * 2654435761u) & 0x1ffff);
  std::string data;
  PutUleb(&data, (8 << 1) | 1);
  data += Pack(values, 17);
  std::vector<uint32_t> out(64);
  ASSERT_TRUE(DecodeRleHybrid<uint32_t>(data, 17, 64, 0x1ffff, out.data()).ok());
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(out[i], values[i]) << i;
}

TEST(RleHybridTest, RejectsTruncatedInput) {
  std::string data;
  PutUleb(&data, 10 << 1);  // RLE run whose value byte is missing
  std::vector<uint8_t> out(10);
  Status st = DecodeRleHybrid<uint8_t>(data, 1, 10, 1, out.data());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("input ends inside an RLE run"), std::string::npos) << st.message();
}

TEST(RleHybridTest, RejectsValueAboveMaximum) {
  std::string data;
  PutUleb(&data, (1 << 1) | 1);
  data += Pack({0, 1, 7, 0, 0, 0, 0, 0}, 3);
  std::vector<uint32_t> out(8);
  Status st = DecodeRleHybrid<uint32_t>(data, 3, 8, 4, out.data());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("value 7 exceeds the maximum 4"), std::string::npos) << st.message();
}

TEST(RleHybridTest, RejectsRunsEndingBeforeCount) {
  std::string data;
  PutUleb(&data, (1 << 1) | 1);
  data += Pack({1, 1, 1, 1, 1, 1, 1, 1}, 1);
  std::vector<uint8_t> out(20);
  EXPECT_FALSE(DecodeRleHybrid<uint8_t>(data, 1, 20, 1, out.data()).ok());
}

TEST(PlainTest, DecodesFixedWidthAndRejectsShortInput) {
  std::string data = Le32(7) + Le32(0xffffffff);
  int32_t out[2];
  ASSERT_TRUE(DecodePlainFixed(data, 2, 4, out).ok());
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], -1);
  Status st = DecodePlainFixed(data, 3, 4, out);
  EXPECT_NE(st.message().find("3 values of 4 bytes need more than the 8 bytes present"),
            std::string::npos);
}

TEST(PlainTest, DecodesBooleansLsbFirst) {
  std::string data(1, static_cast<char>(0b00000101));
  uint8_t out[3];
  ASSERT_TRUE(DecodePlainBool(data, 3, out).ok());
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], 1);
}

TEST(PlainTest, DecodesByteArraysAndRejectsLengthBeyondInput) {
  std::string data = Le32(2) + "ab" + Le32(0) + Le32(3) + "xyz";
  std::vector<std::string_view> out;
  size_t consumed = 0;
  ASSERT_TRUE(DecodePlainByteArray(data, 3, &out, &consumed).ok());
  EXPECT_EQ(out, (std::vector<std::string_view>{"ab", "", "xyz"}));
  EXPECT_EQ(consumed, data.size());
  std::string bad = Le32(1000) + "ab";
  out.clear();
  Status st = DecodePlainByteArray(bad, 1, &out);
  EXPECT_NE(st.message().find("byte array length 1000 exceeds the 2 bytes left"),
            std::string::npos) << st.message();
}

TEST(PlainTest, RejectsAbsurdByteArrayCountWithoutAllocating) {
  std::vector<std::string_view> out;
  Status st = DecodePlainByteArray("abcd", size_t{1} << 60, &out);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
}

std::string DeltaHeader(uint64_t block, uint64_t minis, uint64_t total, int64_t first) {
  std::string s;
  PutUleb(&s, block);
  PutUleb(&s, minis);
  PutUleb(&s, total);
  PutZigZag(&s, first);
  return s;
}

// Encodes values as one or more blocks of 128 values, 4 miniblocks of 32.
// With `int32` set, deltas wrap to 32 bits as an INT32 writer computes them.
std::string EncodeDelta(const std::vector<int64_t>& values, bool int32 = false) {
  std::string s = DeltaHeader(128, 4, values.size(), values.empty() ? 0 : values[0]);
  for (size_t start = 1; start < values.size(); start += 128) {
    size_t end = std::min(values.size(), start + 128);
    std::vector<int64_t> deltas;
    for (size_t i = start; i < end; ++i) {
      int64_t d = values[i] - values[i - 1];
      deltas.push_back(int32 ? static_cast<int32_t>(static_cast<uint32_t>(d)) : d);
    }
    int64_t min_delta = *std::min_element(deltas.begin(), deltas.end());
    PutZigZag(&s, min_delta);
    std::string widths, bodies;
    for (size_t mb = 0; mb < 4; ++mb) {
      std::vector<uint64_t> adj;
      for (size_t i = mb * 32; i < mb * 32 + 32 && i < deltas.size(); ++i) {
        adj.push_back(static_cast<uint64_t>(deltas[i] - min_delta));
      }
      if (adj.empty()) {
        widths.push_back(0);
        continue;
      }
      uint64_t mx = *std::max_element(adj.begin(), adj.end());
      int w = BitWidthFor(mx);
      widths.push_back(static_cast<char>(w));
      adj.resize(32, 0);
      bodies += Pack(adj, w);
    }
    s += widths + bodies;
  }
  return s;
}

TEST(DeltaBinaryPackedTest, RoundTripsSeveralBlocks) {
  std::vector<int64_t> values;
  for (int i = 0; i < 300; ++i) values.push_back((i % 7 == 0 ? -1 : 1) * i * i + 100000);
  std::string data = EncodeDelta(values) + "tail";
  std::vector<int64_t> out;
  size_t consumed = 0;
  ASSERT_TRUE(DecodeDeltaBinaryPacked<int64_t>(data, 300, 300, &out, &consumed).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(data.substr(consumed), "tail");
}

TEST(DeltaBinaryPackedTest, WrapsInt32Overflow) {
  std::vector<int64_t> values = {2147483647, -2147483648LL, 0, 2147483647};
  std::string data = EncodeDelta(values, /*int32=*/true);
  std::vector<int32_t> out;
  ASSERT_TRUE(DecodeDeltaBinaryPacked<int32_t>(data, 4, 4, &out).ok());
  EXPECT_EQ(out, (std::vector<int32_t>{2147483647, -2147483647 - 1, 0, 2147483647}));
}

TEST(DeltaBinaryPackedTest, RejectsBadHeaderAndCounts) {
  std::vector<int64_t> out;
  Status st = DecodeDeltaBinaryPacked<int64_t>(DeltaHeader(100, 4, 1, 0), 1, 1, &out);
  EXPECT_NE(st.message().find("invalid block layout"), std::string::npos) << st.message();
  st = DecodeDeltaBinaryPacked<int64_t>(DeltaHeader(128, 4, uint64_t{1} << 50, 0), 1, 10, &out);
  EXPECT_NE(st.message().find("header declares"), std::string::npos) << st.message();
  std::string truncated = EncodeDelta({1, 2, 3, 100, 5});
  truncated.resize(truncated.size() - 2);
  EXPECT_FALSE(DecodeDeltaBinaryPacked<int64_t>(truncated, 5, 5, &out).ok());
}

TEST(DeltaByteArrayTest, DecodesLengthAndPrefixEncodings) {
  // DELTA_LENGTH_BYTE_ARRAY of "Hello", "World", "Foobar", "ABCDEF".
  std::string dlba = EncodeDelta({5, 5, 6, 6}) + "HelloWorldFoobarABCDEF";
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(dlba, 4, &out).ok());
  EXPECT_EQ(out, (std::vector<std::string_view>{"Hello", "World", "Foobar", "ABCDEF"}));
  // DELTA_BYTE_ARRAY of axis, axle, babble, babyhood (the spec's example).
  std::string dba = EncodeDelta({0, 2, 0, 3}) + EncodeDelta({4, 2, 6, 5}) + "axislebabbleyhood";
  std::string arena;
  out.clear();
  ASSERT_TRUE(DecodeDeltaByteArray(dba, 4, &arena, &out).ok());
  EXPECT_EQ(out, (std::vector<std::string_view>{"axis", "axle", "babble", "babyhood"}));
}

TEST(DeltaByteArrayTest, RejectsPrefixLongerThanPreviousValue) {
  std::string dba = EncodeDelta({0, 9}) + EncodeDelta({2, 1}) + "abc";
  std::string arena;
  std::vector<std::string_view> out;
  Status st = DecodeDeltaByteArray(dba, 2, &arena, &out);
  EXPECT_NE(st.message().find("prefix length 9 of value 1 exceeds the previous value's length 2"),
            std::string::npos) << st.message();
}

TEST(ByteStreamSplitTest, InterleavesStreams) {
  float in[3] = {1.5f, -2.25f, 1e10f};
  std::string data(12, '\0');
  const auto* bytes = reinterpret_cast<const uint8_t*>(in);
  for (size_t i = 0; i < 3; ++i) {
    for (size_t b = 0; b < 4; ++b) data[b * 3 + i] = static_cast<char>(bytes[i * 4 + b]);
  }
  float out[3];
  ASSERT_TRUE(DecodeByteStreamSplit(data, 3, 4, reinterpret_cast<uint8_t*>(out)).ok());
  EXPECT_EQ(out[0], 1.5f);
  EXPECT_EQ(out[1], -2.25f);
  EXPECT_EQ(out[2], 1e10f);
  EXPECT_FALSE(DecodeByteStreamSplit(data, 4, 4, reinterpret_cast<uint8_t*>(out)).ok());
}

TEST(UnpackBitsTest, Decodes64BitWidths) {
  std::vector<uint64_t> values = {~uint64_t{0}, 1, uint64_t{1} << 63, 0x0123456789abcdefULL};
  std::string packed = Pack(values, 64);
  std::vector<uint64_t> out(4);
  UnpackBits<uint64_t>(reinterpret_cast<const uint8_t*>(packed.data()), packed.size(), 64, 4,
                       out.data());
  EXPECT_EQ(out, values);
  std::vector<uint64_t> v60 = {(uint64_t{1} << 60) - 1, 12345, 0, (uint64_t{1} << 59) + 3};
  packed = Pack(v60, 60);
  UnpackBits<uint64_t>(reinterpret_cast<const uint8_t*>(packed.data()), packed.size(), 60, 4,
                       out.data());
  EXPECT_EQ(out, v60);
}

}  // namespace
}  // namespace rs::parquet
