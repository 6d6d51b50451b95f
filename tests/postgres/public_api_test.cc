// The public headers of the postgres module must not leak libpq or OpenSSL
// (STYLE.md: narrow public headers).
#include "postgres/checksum.h"
#include "postgres/migrations.h"
#include "postgres/replicator.h"

#include <gtest/gtest.h>

#ifdef LIBPQ_FE_H
#error "libpq-fe.h leaked through a public postgres header"
#endif
#ifdef OPENSSL_EVP_H
#error "openssl/evp.h leaked through a public postgres header"
#endif

namespace rs::postgres {
namespace {

TEST(PublicApiTest, HeadersCompileWithoutLibpq) {
  ConnectionOptions options;
  EXPECT_EQ(options.application_name, "ranking-signals");
  EXPECT_EQ(SignalsSchema().size(), 8u);
  EXPECT_EQ(CompositeSchema().size(), 7u);
  EXPECT_TRUE(SignalsSchema()[7].nullable);
}

}  // namespace
}  // namespace rs::postgres
