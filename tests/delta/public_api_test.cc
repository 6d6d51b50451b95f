// The delta module's public headers must not leak Thrift, the codecs or the
// storage backends' C libraries (STYLE.md: narrow public headers).
#include "delta/row_json.h"
#include "delta/table.h"

#include <gtest/gtest.h>

#if defined(_THRIFT_THRIFT_H_) || defined(_THRIFT_TBASE_H_) || defined(parquet_TYPES_H)
#error "Thrift leaked through a public delta header"
#endif
#if defined(ZLIB_H) || defined(ZSTD_H_235446) || defined(CURLINC_CURL_H) || \
    defined(OPENSSL_EVP_H)
#error "a C library header leaked through a public delta header"
#endif

namespace rs::delta {
namespace {

TEST(DeltaPublicApiTest, CommitOptionsCarryTheDataFilesWriterOptions) {
  CommitOptions options;
  EXPECT_EQ(options.max_attempts, 20);
  EXPECT_EQ(options.data_files.compression, parquet::Compression::kSnappy);
}

}  // namespace
}  // namespace rs::delta
