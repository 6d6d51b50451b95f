// The engine's public headers are pure: no I/O library, no Thrift, no libpq
// (STYLE.md: signals is pure computation on common).
#include "signals/months.h"
#include "signals/ranking.h"
#include "signals/sample_data.h"

#include <gtest/gtest.h>

#if defined(LIBPQ_FE_H) || defined(CURLINC_CURL_H) || defined(ZSTD_H_235446) || \
    defined(_THRIFT_THRIFT_H_) || defined(CLI11_VERSION)
#error "an I/O library leaked through a public signals header"
#endif

namespace rs::signals {
namespace {

TEST(SignalsPublicApiTest, SampleOptionsDefaults) {
  SampleOptions options;
  EXPECT_EQ(options.symbols, 50);
  EXPECT_EQ(FormatDate(options.start_date), "2023-01-01");
}

}  // namespace
}  // namespace rs::signals
