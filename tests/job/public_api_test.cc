// The application layer's headers: no CLI11 (the CLI alone parses flags) and
// no C library of the modules below (STYLE.md; issue 24).
#include "job/lake.h"
#include "job/options.h"
#include "job/replicate.h"
#include "job/run.h"
#include "job/sample_data.h"
#include "job/sync.h"
#include "job/verify.h"

#include <gtest/gtest.h>

#if defined(CLI11_VERSION) || defined(CLI11_CLI_HPP_)
#error "CLI11 leaked into the job layer"
#endif
#if defined(LIBPQ_FE_H) || defined(CURLINC_CURL_H) || defined(ZSTD_H_235446) || \
    defined(_THRIFT_THRIFT_H_) || defined(OPENSSL_EVP_H)
#error "a C library leaked through a public job header"
#endif

namespace rs::job {
namespace {

TEST(JobPublicApiTest, OptionDefaultsAreTheDocumentedOnes) {
  JobOptions o;
  EXPECT_FALSE(o.replication.dsn.has_value());
  EXPECT_TRUE(o.replication.write_required);
  EXPECT_FALSE(o.replication.verify_counts);
  EXPECT_EQ(o.replication.connections, 2);
  EXPECT_EQ(o.replication.lock_timeout_ms, 2000);
  EXPECT_EQ(o.replication.swap_attempts, 5);
  EXPECT_EQ(o.compute.top_n, 50);
  EXPECT_EQ(o.output.compression, parquet::Compression::kSnappy);
  EXPECT_EQ(o.output.row_group_bytes, int64_t{128} << 20);
}

}  // namespace
}  // namespace rs::job
