#include "common/status.h"

#include <gtest/gtest.h>

namespace rs {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("value must be positive, got " + std::to_string(v));
  return v;
}

Status Chain(int v) {
  RS_ASSIGN_OR_RETURN_CTX(int x, ParsePositive(v), "read month 2024-03");
  (void)x;
  return Status::OK();
}

TEST(StatusTest, AnnotatePrefixesContextAndKeepsCode) {
  Status s = Chain(-1);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "read month 2024-03: value must be positive, got -1");
  EXPECT_EQ(s.ToString(), "InvalidArgument: read month 2024-03: value must be positive, got -1");
}

TEST(StatusTest, OkStaysOkWhenAnnotated) {
  EXPECT_TRUE(Chain(3).ok());
  EXPECT_TRUE(Status::OK().Annotate("ctx").ok());
}

TEST(StatusTest, WithCleanupErrorKeepsBothMessagesAndTheFirstCode) {
  Status first = Status::Aborted("commit t: lost the race");
  Status cleanup = Status::IOError("delete t/a.parquet: permission denied");
  Status both = first.WithCleanupError(cleanup);
  EXPECT_EQ(both.code(), StatusCode::kAborted);
  EXPECT_EQ(both.message(),
            "commit t: lost the race (cleanup also failed: delete t/a.parquet: permission denied)");
  EXPECT_EQ(first.WithCleanupError(Status::OK()).message(), first.message());
  EXPECT_EQ(Status::OK().WithCleanupError(cleanup).code(), StatusCode::kIOError);
  EXPECT_TRUE(Status::OK().WithCleanupError(Status::OK()).ok());
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  Result<int> good = ParsePositive(5);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad = ParsePositive(0);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.ValueOr(7), 7);
}

}  // namespace
}  // namespace rs
