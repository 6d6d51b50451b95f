#include "postgres/copy_binary_internal.h"

#include <gtest/gtest.h>

#include <string>

#include "postgres/signal_batches.h"

namespace rs::postgres::internal {
namespace {

using rs::postgres::testing::EmptyBatch;

std::string EncodeAll(const RecordBatch& b, size_t chunk, std::vector<size_t>* sizes = nullptr) {
  std::string out;
  Status st = EncodeBinaryCopy(b, chunk, [&](std::string_view c) {
    out.append(c);
    if (sizes) sizes->push_back(c.size());
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int x : v) s.push_back(static_cast<char>(x));
  return s;
}

const std::string kHeader = std::string("PGCOPY\n\377\r\n\0", 11) + std::string(8, '\0');
const std::string kTrailer = Bytes({0xFF, 0xFF});

TEST(CopyBinaryTest, EmptyBatchIsHeaderAndTrailer) {
  RecordBatch b = EmptyBatch({{"x", DataType::Primitive(TypeId::kInteger), false}});
  EXPECT_EQ(EncodeAll(b, 1 << 20), kHeader + kTrailer);
}

TEST(CopyBinaryTest, EncodesEachTypeBigEndianWithPostgresEpochDates) {
  RecordBatch b = EmptyBatch({{"d", DataType::Primitive(TypeId::kDate), false},
                              {"t", DataType::Primitive(TypeId::kString), false},
                              {"i", DataType::Primitive(TypeId::kInteger), false},
                              {"l", DataType::Primitive(TypeId::kLong), false},
                              {"f", DataType::Primitive(TypeId::kDouble), true}});
  b.columns[0].As<int32_t>() = {10958};  // 2000-01-02 = PostgreSQL day 1
  b.columns[1].As<std::string>() = {"\xC3\x84x"};
  b.columns[2].As<int32_t>() = {-2};
  b.columns[3].As<int64_t>() = {0x0102030405060708LL};
  b.columns[4].As<double>() = {1.0};
  b.num_rows = 1;
  std::string want = kHeader + Bytes({0, 5}) +                 // field count
                     Bytes({0, 0, 0, 4, 0, 0, 0, 1}) +          // date
                     Bytes({0, 0, 0, 3, 0xC3, 0x84, 'x'}) +     // text
                     Bytes({0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFE}) +  // int4
                     Bytes({0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}) +  // int8
                     Bytes({0, 0, 0, 8, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}) + kTrailer;
  EXPECT_EQ(EncodeAll(b, 1 << 20), want);
}

TEST(CopyBinaryTest, NullIsLengthMinusOne) {
  RecordBatch b = EmptyBatch({{"f", DataType::Primitive(TypeId::kDouble), true}});
  b.columns[0].As<double>() = {0.0};
  b.columns[0].validity = {0};
  b.num_rows = 1;
  EXPECT_EQ(EncodeAll(b, 1 << 20), kHeader + Bytes({0, 1, 0xFF, 0xFF, 0xFF, 0xFF}) + kTrailer);
}

TEST(CopyBinaryTest, ChunksConcatenateToTheSameStream) {
  RecordBatch b = testing::MakeSignals("2024-03", 3, 50, 2, 1);
  std::string whole = EncodeAll(b, 1 << 20);
  std::vector<size_t> sizes;
  std::string chunked = EncodeAll(b, 1000, &sizes);
  EXPECT_EQ(chunked, whole);
  EXPECT_GT(sizes.size(), 5u);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_GE(sizes[i], 1000u - 200u);
}

TEST(CopyBinaryTest, RejectsUnsupportedTypeNamingColumn) {
  RecordBatch b = EmptyBatch({{"flag", DataType::Primitive(TypeId::kBoolean), false}});
  Status st = EncodeBinaryCopy(b, 1024, [](std::string_view) { return Status::OK(); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "column flag: type not supported by binary COPY encoder");
}

TEST(CopyBinaryTest, RejectsColumnShorterThanBatch) {
  RecordBatch b = EmptyBatch({{"x", DataType::Primitive(TypeId::kInteger), false}});
  b.num_rows = 2;
  b.columns[0].As<int32_t>() = {1};
  Status st = EncodeBinaryCopy(b, 1024, [](std::string_view) { return Status::OK(); });
  EXPECT_EQ(st.message(), "column x has 1 values for 2 rows");
}

TEST(CopyBinaryTest, RowOrderSendsRowsInThatOrder) {
  RecordBatch b = testing::MakeSignals("2024-03", 3, 40, 2, 1);
  std::vector<uint32_t> order;
  std::vector<size_t> taken;
  for (size_t i = b.num_rows; i-- > 0;) {  // reversed, then rotated by 7
    order.push_back(static_cast<uint32_t>((i + 7) % b.num_rows));
    taken.push_back(order.back());
  }
  std::string out;
  Status st = EncodeBinaryCopy(
      b, 300,
      [&](std::string_view c) {
        out.append(c);
        return Status::OK();
      },
      &order);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out, EncodeAll(TakeRows(b, taken), 1 << 20));
  EXPECT_NE(out, EncodeAll(b, 1 << 20));

  order.pop_back();
  st = EncodeBinaryCopy(b, 300, [](std::string_view) { return Status::OK(); }, &order);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "row order has 239 entries for 240 rows");
}

TEST(CopyBinaryTest, SinkErrorStopsEncoding) {
  RecordBatch b = testing::MakeSignals("2024-03", 2, 100, 2, 1);
  int calls = 0;
  Status st = EncodeBinaryCopy(b, 512, [&](std::string_view) {
    ++calls;
    return Status::Unavailable("connection lost");
  });
  EXPECT_EQ(st.message(), "connection lost");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace rs::postgres::internal
