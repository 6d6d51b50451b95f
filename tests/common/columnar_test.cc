#include "common/columnar.h"

#include <gtest/gtest.h>

namespace rs {
namespace {

RecordBatch OneColumn(std::vector<double> values, std::vector<uint8_t> validity) {
  Field f{"score", DataType::Primitive(TypeId::kDouble), true};
  RecordBatch b;
  b.schema = {f};
  ColumnVector c = ColumnVector::Make(f);
  c.As<double>() = std::move(values);
  c.validity = std::move(validity);
  b.num_rows = c.size();
  b.columns.push_back(std::move(c));
  return b;
}

TEST(AppendRowsTest, EmptyDestinationTakesSourceAndValidityIsMerged) {
  RecordBatch dst;
  ASSERT_TRUE(AppendRows(&dst, OneColumn({1.0, 2.0}, {})).ok());
  ASSERT_TRUE(AppendRows(&dst, OneColumn({3.0}, {0})).ok());
  EXPECT_EQ(dst.num_rows, 3u);
  EXPECT_EQ(dst.columns[0].As<double>(), (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_EQ(dst.columns[0].validity, (std::vector<uint8_t>{1, 1, 0}));
}

TEST(AppendRowsTest, TypeMismatchNamesTheColumnAndBothTypes) {
  RecordBatch dst = OneColumn({1.0}, {});
  Field f{"score", DataType::Primitive(TypeId::kString), true};
  RecordBatch other;
  other.schema = {f};
  other.columns.push_back(ColumnVector::Make(f));
  Status s = AppendRows(&dst, other);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "append rows: column 'score' is string, expected double as before");
}

TEST(TakeRowsTest, PicksRowsInOrderWithValidity) {
  RecordBatch b = OneColumn({1.0, 2.0, 3.0}, {1, 0, 1});
  RecordBatch t = TakeRows(b, {2, 1});
  EXPECT_EQ(t.num_rows, 2u);
  EXPECT_EQ(t.columns[0].As<double>(), (std::vector<double>{3.0, 2.0}));
  EXPECT_EQ(t.columns[0].validity, (std::vector<uint8_t>{1, 0}));
}

TEST(SelectColumnsTest, MissingColumnIsNotFound) {
  auto r = SelectColumns(OneColumn({1.0}, {}), {"rank"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "column 'rank' not found");
}

}  // namespace
}  // namespace rs
