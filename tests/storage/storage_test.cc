// JoinKey and OpenStorage's URI dispatch.
#include "storage/storage.h"

#include <gtest/gtest.h>

namespace rs::storage {
namespace {

TEST(JoinKeyTest, JoinsWithOneSeparator) {
  EXPECT_EQ(JoinKey("a", "b"), "a/b");
  EXPECT_EQ(JoinKey("a/", "b"), "a/b");
  EXPECT_EQ(JoinKey("a/", "/b"), "a/b");
  EXPECT_EQ(JoinKey("a//x//", "//b//c"), "a/x/b/c");
}

TEST(JoinKeyTest, DropsEmptyParts) {
  EXPECT_EQ(JoinKey("", "b"), "b");
  EXPECT_EQ(JoinKey("a", ""), "a");
  EXPECT_EQ(JoinKey("", ""), "");
  EXPECT_EQ(JoinKey("/", "/"), "");
  EXPECT_EQ(JoinKey("/lead", "trail/"), "lead/trail");
}

TEST(OpenStorageTest, EmptyUriIsInvalid) {
  EXPECT_EQ(OpenStorage("", {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStorageTest, UnknownSchemeIsInvalidAndNamesTheScheme) {
  auto r = OpenStorage("s3://bucket/path", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("s3://"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("unsupported URI scheme"), std::string::npos);
}

}  // namespace
}  // namespace rs::storage
