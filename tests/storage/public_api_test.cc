// The public headers of the storage module stand alone and leak no C
// library (libcurl, OpenSSL, expat) into their users.
#include "storage/azure_blob.h"
#include "storage/local.h"
#include "storage/storage.h"

#if defined(CURLINC_CURL_H) || defined(__CURL_CURL_H)
#error "libcurl leaked through a public storage header"
#endif
#if defined(OPENSSL_EVP_H) || defined(HEADER_ENVELOPE_H)
#error "OpenSSL leaked through a public storage header"
#endif

#if defined(Expat_INCLUDED)
#error "expat leaked through a public storage header"
#endif

#include <gtest/gtest.h>

namespace rs::storage {
namespace {

TEST(StoragePublicApiTest, HeadersCompileAloneAndOpenAStore) {
  auto store = OpenStorage("mem://public-api", {});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Put("k", "v").ok());
}

}  // namespace
}  // namespace rs::storage
