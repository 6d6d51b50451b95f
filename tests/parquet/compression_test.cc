#include "parquet/compression_internal.h"

#include <string>

#include <gtest/gtest.h>

namespace rs::parquet {
namespace {

const Codec kCodecs[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd,
                         Codec::kLz4Raw};

std::string SampleText() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "symbol-" + std::to_string(i % 97) + ";";
  return s;
}

TEST(CompressionTest, EveryCodecRoundTripsAndShrinksRepetitiveData) {
  std::string input = SampleText();
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    auto compressed = Compress(codec, input);
    ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
    if (codec != Codec::kUncompressed) {
      EXPECT_LT(compressed->size(), input.size() / 4);
    }
    auto restored = Decompress(codec, *compressed, input.size());
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    EXPECT_EQ(*restored, input);
  }
}

TEST(CompressionTest, EmptyInputRoundTrips) {
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    auto compressed = Compress(codec, "");
    ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
    auto restored = Decompress(codec, *compressed, 0);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    EXPECT_EQ(*restored, "");
  }
}

TEST(CompressionTest, ReusedCompressorGivesSameBytesAsOneShot) {
  Compressor compressor(Codec::kGzip, 6);
  Decompressor decompressor(Codec::kGzip);
  std::string out, back;
  for (int round = 0; round < 3; ++round) {
    std::string input = SampleText() + std::to_string(round);
    ASSERT_TRUE(compressor.Compress(input, &out).ok());
    EXPECT_EQ(out, *Compress(Codec::kGzip, input, 6));
    ASSERT_TRUE(decompressor.Decompress(out, input.size(), &back).ok());
    EXPECT_EQ(back, input);
  }
}

TEST(CompressionTest, WrongExpectedSizeIsCorruptionForEveryCodec) {
  std::string input = SampleText();
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    auto compressed = Compress(codec, input);
    ASSERT_TRUE(compressed.ok());
    for (size_t expected : {input.size() - 1, input.size() + 1}) {
      auto restored = Decompress(codec, *compressed, expected);
      ASSERT_FALSE(restored.ok());
      EXPECT_EQ(restored.status().code(), StatusCode::kCorruption);
      EXPECT_NE(restored.status().message().find(CodecName(codec)), std::string::npos)
          << restored.status().message();
    }
  }
}

TEST(CompressionTest, SnappyMismatchMessageNamesBothSizes) {
  auto compressed = Compress(Codec::kSnappy, "abcdefghij");
  auto restored = Decompress(Codec::kSnappy, *compressed, 12);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().message(),
            "SNAPPY: stream declares 10 bytes, expected 12 bytes");
}

TEST(CompressionTest, GarbageInputIsCorruptionNotACrash) {
  std::string garbage = "\xff\xfe\xfd not a compressed stream at all \x01\x02";
  for (Codec codec : {Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw}) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    auto restored = Decompress(codec, garbage, 100);
    ASSERT_FALSE(restored.ok());
    EXPECT_EQ(restored.status().code(), StatusCode::kCorruption);
  }
}

TEST(CompressionTest, TruncatedStreamIsCorruption) {
  std::string input = SampleText();
  for (Codec codec : {Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw}) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    auto compressed = Compress(codec, input);
    std::string truncated = compressed->substr(0, compressed->size() / 2);
    auto restored = Decompress(codec, truncated, input.size());
    ASSERT_FALSE(restored.ok());
    EXPECT_EQ(restored.status().code(), StatusCode::kCorruption);
  }
}

TEST(CompressionTest, HugeDeclaredSizeIsRefusedBeforeAllocating) {
  auto restored = Decompress(Codec::kZstd, "x", size_t{8} << 30);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().message(),
            "ZSTD: declared size of 8589934592 bytes exceeds the page limit");
}

TEST(CompressionTest, UnsupportedCodecIsUnimplemented) {
  auto compressed = Compress(Codec::kBrotli, "abc");
  ASSERT_FALSE(compressed.ok());
  EXPECT_EQ(compressed.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(compressed.status().message(), "compress: codec BROTLI is not supported");
}

}  // namespace
}  // namespace rs::parquet
