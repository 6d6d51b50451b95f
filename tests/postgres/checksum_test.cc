#include "postgres/checksum.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "postgres/signal_batches.h"

namespace rs::postgres {
namespace {

// Rows of `b` in reverse order.
RecordBatch Reversed(const RecordBatch& b) {
  RecordBatch r = b;
  for (auto& col : r.columns) {
    std::visit([](auto& v) { std::reverse(v.begin(), v.end()); }, col.values);
    std::reverse(col.validity.begin(), col.validity.end());
  }
  return r;
}

TEST(ContentChecksumTest, EmptyBatchIsZero) {
  EXPECT_EQ(ContentChecksum(testing::EmptyBatch(SignalsSchema())), "0");
}

TEST(ContentChecksumTest, IndependentOfRowOrder) {
  RecordBatch b = testing::MakeSignals("2024-03", 2, 30, 3, 1);
  EXPECT_EQ(ContentChecksum(b), ContentChecksum(Reversed(b)));
}

TEST(ContentChecksumTest, ChangesWithOneValue) {
  RecordBatch b = testing::MakeSignals("2024-03", 2, 30, 3, 1);
  std::string before = ContentChecksum(b);
  b.columns[5].As<double>()[17] += 1e-15;
  EXPECT_NE(ContentChecksum(b), before);
}

TEST(ContentChecksumTest, NullDiffersFromZero) {
  RecordBatch b = testing::MakeSignals("2024-03", 1, 10, 1, 1);
  ASSERT_EQ(b.columns[7].validity[3], 0);
  std::string with_null = ContentChecksum(b);
  b.columns[7].validity[3] = 1;  // same 0.0 value, now valid
  EXPECT_NE(ContentChecksum(b), with_null);
}

TEST(ContentChecksumTest, TextBoundariesMatter) {
  RecordBatch a = testing::MakeComposite("2024-03", 1, 1, 0);
  RecordBatch b = a;
  a.columns[1].As<std::string>()[0] = "2024-0";
  a.columns[2].As<std::string>()[0] = "3X";
  b.columns[1].As<std::string>()[0] = "2024-03";
  b.columns[2].As<std::string>()[0] = "X";
  EXPECT_NE(ContentChecksum(a), ContentChecksum(b));
}

TEST(ContentChecksumTest, IsASumOfRowHashes) {
  RecordBatch all = testing::MakeComposite("2024-03", 1, 2, 0);
  RecordBatch first = all, second = all;
  for (auto* part : {&first, &second}) {
    size_t keep = part == &first ? 0 : 1;
    for (auto& col : part->columns) {
      std::visit([keep](auto& v) { v = {v[keep]}; }, col.values);
    }
    part->num_rows = 1;
  }
  unsigned long long a = std::stoull(ContentChecksum(first));
  unsigned long long b = std::stoull(ContentChecksum(second));
  EXPECT_LT(a, 1ULL << 60);
  EXPECT_EQ(ContentChecksum(all), std::to_string(a + b));
}

}  // namespace
}  // namespace rs::postgres
