// Partition value parsing (regression for the fuzzer finding of issue 10:
// a decimal with too many digits overflowed 128 bits).
#include <gtest/gtest.h>

#include <string>

#include "delta/log_internal.h"

namespace rs::delta {
namespace {

TEST(PartitionValuesTest, DecimalWithTooManyDigitsIsACleanError) {
  std::string digits(88, '7');
  auto r = ParsePartitionValue(digits + "0", DataType::Decimal(38, 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("is not a valid"), std::string::npos) << r.status().message();
}

TEST(PartitionValuesTest, LargestDecimalStillParses) {
  auto r = ParsePartitionValue(std::string(36, '9') + ".99", DataType::Decimal(38, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, Value::Kind::kBytes);
}

TEST(PartitionValuesTest, TimestampWithAHugeYearIsACleanError) {
  auto r = ParsePartitionValue(std::string("20012001-11-18 02:30:00.123456"),
                               DataType::Primitive(TypeId::kTimestamp));
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace rs::delta
