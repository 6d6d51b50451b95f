// The common module's headers stand alone: no C library of another module
// leaks through them (STYLE.md: narrow public headers).
#include "common/allocator.h"
#include "common/calendar.h"
#include "common/columnar.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/status.h"
#include "common/utf8.h"

#include <gtest/gtest.h>

#if defined(LIBPQ_FE_H) || defined(CURLINC_CURL_H) || defined(ZSTD_H_235446) || \
    defined(_THRIFT_THRIFT_H_) || defined(OPENSSL_EVP_H) || defined(CLI11_VERSION)
#error "a C library or CLI11 leaked through a common header"
#endif

namespace rs {
namespace {

TEST(CommonPublicApiTest, HeadersCompileTogether) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(YearMonthOf(0), "1970-01");
}

}  // namespace
}  // namespace rs
