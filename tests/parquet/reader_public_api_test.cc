// The Parquet reader's public header must not leak Thrift or the codecs
// (STYLE.md: narrow public headers, as Arrow's parquet/public_api_test.cc).
#include "parquet/reader.h"

#include <gtest/gtest.h>

#if defined(_THRIFT_THRIFT_H_) || defined(_THRIFT_TBASE_H_) || defined(parquet_TYPES_H)
#error "Thrift leaked through parquet/reader.h"
#endif
#if defined(ZLIB_H) || defined(ZSTD_H_235446) || defined(LZ4_H_2983827168210) || \
    defined(THIRD_PARTY_SNAPPY_SNAPPY_H__)
#error "a codec header leaked through parquet/reader.h"
#endif

namespace rs::parquet {
namespace {

TEST(ReaderPublicApiTest, OptionsReadEveryColumnByDefault) {
  ReadOptions options;
  EXPECT_TRUE(options.columns.empty());
}

}  // namespace
}  // namespace rs::parquet
