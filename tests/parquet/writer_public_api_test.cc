// writer.h is the module's public face: it must compile alone and must not
// drag in Thrift, the generated metadata structs or any codec header
// (STYLE.md; Arrow's parquet/public_api_test.cc does the same).
#include "parquet/writer.h"

#include <gtest/gtest.h>

#if defined(_THRIFT_THRIFT_H_) || defined(_THRIFT_TBASE_H_) || defined(parquet_TYPES_H)
#error "writer.h exposes Thrift or the generated Parquet metadata"
#endif
#if defined(ZLIB_H) || defined(ZSTD_H_235446) || defined(LZ4_H_2983827168210) || \
    defined(THIRD_PARTY_SNAPPY_SNAPPY_H__)
#error "writer.h exposes a compression library"
#endif

namespace rs::parquet {
namespace {

TEST(WriterPublicApiTest, OptionDefaultsAreTheDocumentedOnes) {
  WriterOptions o;
  EXPECT_EQ(o.compression, Compression::kSnappy);
  EXPECT_EQ(o.row_group_bytes, 128 << 20);
  EXPECT_EQ(o.page_bytes, 1 << 20);
  EXPECT_EQ(o.dictionary_bytes_limit, 1 << 20);
  EXPECT_TRUE(o.dictionary_enabled);
  EXPECT_EQ(o.zstd_level, 3);
}

}  // namespace
}  // namespace rs::parquet
