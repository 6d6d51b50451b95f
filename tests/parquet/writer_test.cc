// FileWriter through its public API: argument and data errors (messages
// pinned), file layout, statistics order, row groups, pages and dictionary
// fallback. Pages are inspected by walking the page headers with the Thrift
// runtime directly, independently of the writer's own metadata code.
#include "parquet/writer.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace rs::parquet {
namespace {

using apache::thrift::protocol::TType;

Field F(std::string name, TypeId id, bool nullable = true) {
  return Field{std::move(name), DataType::Primitive(id), nullable};
}

template <typename T>
ColumnVector Column(Field f, std::vector<T> values, std::vector<uint8_t> validity = {}) {
  ColumnVector c = ColumnVector::Make(std::move(f));
  c.values = std::move(values);
  c.validity = std::move(validity);
  return c;
}

RecordBatch Batch(std::vector<ColumnVector> columns) {
  RecordBatch b;
  b.num_rows = columns.empty() ? 0 : columns[0].size();
  for (const auto& c : columns) b.schema.push_back(c.field);
  b.columns = std::move(columns);
  return b;
}

Result<std::string> WriteAll(const RecordBatch& batch, WriterOptions options = {}) {
  RS_ASSIGN_OR_RETURN(auto writer, FileWriter::Create(batch.schema, options));
  Status st = writer->WriteBatch(batch);
  if (!st.ok()) {
    writer->Abandon();
    return st;
  }
  return writer->Finish();
}

struct PageInfo {
  int32_t type = -1;
  int32_t uncompressed = 0;
  int32_t compressed = 0;
  int32_t num_values = -1;
  int32_t encoding = -1;
};

// Page headers from the first byte after "PAR1" up to the footer.
std::vector<PageInfo> Pages(const std::string& file) {
  using apache::thrift::protocol::TCompactProtocolT;
  using apache::thrift::transport::TMemoryBuffer;
  uint32_t footer_len;
  std::memcpy(&footer_len, file.data() + file.size() - 8, 4);
  const size_t end = file.size() - 8 - footer_len;
  std::vector<PageInfo> pages;
  for (size_t pos = 4; pos < end;) {
    auto buf = std::make_shared<TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(file.data() + pos)),
        static_cast<uint32_t>(end - pos));
    TCompactProtocolT<TMemoryBuffer> p(buf);
    PageInfo info;
    std::string name;
    TType t;
    int16_t id;
    p.readStructBegin(name);
    for (p.readFieldBegin(name, t, id); t != apache::thrift::protocol::T_STOP;
         p.readFieldBegin(name, t, id)) {
      if (id == 1) {
        p.readI32(info.type);
      } else if (id == 2) {
        p.readI32(info.uncompressed);
      } else if (id == 3) {
        p.readI32(info.compressed);
      } else if (id == 5 || id == 7) {  // data / dictionary page header
        p.readStructBegin(name);
        for (p.readFieldBegin(name, t, id); t != apache::thrift::protocol::T_STOP;
             p.readFieldBegin(name, t, id)) {
          if (id == 1) {
            p.readI32(info.num_values);
          } else if (id == 2) {
            p.readI32(info.encoding);
          } else {
            p.skip(t);
          }
          p.readFieldEnd();
        }
        p.readStructEnd();
      } else {
        p.skip(t);
      }
      p.readFieldEnd();
    }
    p.readStructEnd();
    pos += (end - pos - buf->available_read()) + static_cast<size_t>(info.compressed);
    pages.push_back(info);
  }
  return pages;
}

constexpr int32_t kDataPage = 0, kDictionaryPage = 2;
constexpr int32_t kPlain = 0, kRleDictionary = 8;

// ---------------------------------------------------------------------------
// Errors

TEST(WriterTest, EmptySchemaIsRejected) {
  auto w = FileWriter::Create({}, {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "parquet writer schema: schema has no columns");
}

TEST(WriterTest, DuplicateColumnIsRejected) {
  auto w = FileWriter::Create({F("a", TypeId::kLong), F("a", TypeId::kString)}, {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.status().message(), "parquet writer schema: schema has duplicate column a");
}

TEST(WriterTest, DecimalPrecisionAbove38IsRejected) {
  auto w = FileWriter::Create({Field{"price", DataType::Decimal(39, 2), true}}, {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(),
            "parquet writer schema: field price: decimal(39,2) is out of range");
}

TEST(WriterTest, NullInNonNullableColumnNamesColumnAndRow) {
  auto batch = Batch({Column(F("rank", TypeId::kInteger, false), std::vector<int32_t>{1, 0, 3},
                             {1, 0, 1})});
  auto file = WriteAll(batch);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "parquet write batch: column rank: null at row 1 in a non-nullable column");
}

TEST(WriterTest, WrongPhysicalVectorIsRejected) {
  ColumnVector c = ColumnVector::Make(F("d", TypeId::kDate));
  c.values = std::vector<int64_t>{1};
  auto file = WriteAll(Batch({c}));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "parquet write batch: column d: values vector has the wrong physical type");
}

TEST(WriterTest, BatchWithDifferentSchemaIsRejected) {
  auto writer = FileWriter::Create({F("a", TypeId::kLong)}, {});
  ASSERT_TRUE(writer.ok());
  Status st = (*writer)->WriteBatch(Batch({Column(F("b", TypeId::kLong), std::vector<int64_t>{1})}));
  EXPECT_EQ(st.message(),
            "parquet write batch: column a: batch column b does not match the file schema");
  (*writer)->Abandon();
}

TEST(WriterTest, NestedValueOfWrongKindNamesTheField) {
  DataType s{TypeId::kStruct};
  s.children = {F("x", TypeId::kLong)};
  ColumnVector c = ColumnVector::Make(Field{"st", s, true});
  Value v;
  v.kind = Value::Kind::kStruct;
  v.children = {Value::Bytes("not a long")};
  c.As<Value>().push_back(v);
  auto file = WriteAll(Batch({c}));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "parquet write batch: row 0: field st.x: got a bytes value, expected int");
}

TEST(WriterTest, NullInRequiredNestedFieldIsRejected) {
  DataType s{TypeId::kStruct};
  s.children = {F("x", TypeId::kLong, false)};
  ColumnVector c = ColumnVector::Make(Field{"st", s, true});
  Value v;
  v.kind = Value::Kind::kStruct;
  v.children = {Value::Null()};
  c.As<Value>().push_back(v);
  auto file = WriteAll(Batch({c}));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "parquet write batch: row 0: field st.x: null in a non-nullable field");
}

TEST(WriterTest, DecimalTooWideForPrecisionIsRejected) {
  Field f{"big", DataType::Decimal(20, 0), true};
  auto file = WriteAll(Batch({Column(f, std::vector<std::string>{std::string(12, '\x7f')})}));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "parquet write batch: column big: decimal of 12 bytes exceeds precision 20");
}

TEST(WriterTest, CallsAfterFinishFail) {
  auto writer = FileWriter::Create({F("a", TypeId::kLong)}, {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ((*writer)->Finish().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*writer)->WriteBatch(Batch({Column(F("a", TypeId::kLong), std::vector<int64_t>{1})}))
                .code(),
            StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------------------
// Layout and summary

TEST(WriterTest, FileIsFramedByMagicAndFooterLength) {
  auto file = WriteAll(Batch({Column(F("a", TypeId::kLong), std::vector<int64_t>{1, 2, 3})}));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->substr(0, 4), "PAR1");
  EXPECT_EQ(file->substr(file->size() - 4), "PAR1");
  uint32_t footer_len;
  std::memcpy(&footer_len, file->data() + file->size() - 8, 4);
  EXPECT_GT(footer_len, 0u);
  EXPECT_LT(footer_len, file->size() - 12);
}

TEST(WriterTest, SameInputGivesSameBytes) {
  auto batch = Batch({Column(F("s", TypeId::kString), std::vector<std::string>{"b", "a", "b"})});
  EXPECT_EQ(*WriteAll(batch), *WriteAll(batch));
}

TEST(WriterTest, StringStatisticsUseUnsignedByteOrder) {
  auto writer = FileWriter::Create({F("s", TypeId::kString)}, {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->WriteBatch(Batch({Column(F("s", TypeId::kString),
      std::vector<std::string>{"b", "\xc3\xa9", "", "a", "zz"}, {1, 1, 0, 1, 1})})).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  const ColumnStatistics& st = (*writer)->summary().columns.at(0);
  EXPECT_EQ(st.column, "s");
  EXPECT_EQ(st.null_count, 1);
  EXPECT_EQ(st.min->bytes, "a");
  EXPECT_EQ(st.max->bytes, "\xc3\xa9");  // 0xC3 sorts after 'z' unsigned
}

TEST(WriterTest, FloatStatisticsIgnoreNanAndSignZeros) {
  auto writer = FileWriter::Create({F("x", TypeId::kDouble), F("zero", TypeId::kDouble),
                                    F("nan", TypeId::kFloat)}, {});
  ASSERT_TRUE(writer.ok());
  double nan = std::nan("");
  ASSERT_TRUE((*writer)->WriteBatch(Batch({
      Column(F("x", TypeId::kDouble), std::vector<double>{nan, 2.5, -1.0, nan}),
      Column(F("zero", TypeId::kDouble), std::vector<double>{0.0, -0.0, 0.0, 0.0}),
      Column(F("nan", TypeId::kFloat), std::vector<float>{std::nanf(""), 0, 0, 0}, {1, 0, 0, 0}),
  })).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  const auto& cols = (*writer)->summary().columns;
  EXPECT_EQ(cols[0].min->d, -1.0);
  EXPECT_EQ(cols[0].max->d, 2.5);
  EXPECT_TRUE(std::signbit(cols[1].min->d));
  EXPECT_FALSE(std::signbit(cols[1].max->d));
  EXPECT_FALSE(cols[2].min.has_value());
  EXPECT_EQ(cols[2].null_count, 3);
}

TEST(WriterTest, WideDecimalStatisticsCompareSigned) {
  Field f{"d", DataType::Decimal(30, 2), false};
  auto writer = FileWriter::Create({f}, {});
  ASSERT_TRUE(writer.ok());
  // -1 as a short big-endian value is sign-extended; 0x7f.. is the maximum.
  ASSERT_TRUE((*writer)->WriteBatch(Batch({Column(f, std::vector<std::string>{
      std::string("\x05", 1), std::string("\xff", 1), std::string("\x01\x00", 2)})})).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  const auto& st = (*writer)->summary().columns.at(0);
  EXPECT_EQ(st.min->bytes, std::string(13, '\xff'));
  EXPECT_EQ(st.max->bytes, std::string(11, '\0') + std::string("\x01\x00", 2));
}

TEST(WriterTest, StatisticsMergeAcrossBatchesAndRowGroups) {
  WriterOptions options;
  options.row_group_bytes = 1000;
  options.dictionary_enabled = false;  // 4 bytes per date: a row group per batch
  Field f = F("d", TypeId::kDate, true);
  auto writer = FileWriter::Create({f}, options);
  ASSERT_TRUE(writer.ok());
  for (int b = 0; b < 5; ++b) {
    std::vector<int32_t> days(1000);
    for (int i = 0; i < 1000; ++i) days[static_cast<size_t>(i)] = 19000 + b * 10 - i % 7;
    std::vector<uint8_t> valid(1000, 1);
    valid[0] = 0;
    ASSERT_TRUE((*writer)->WriteBatch(Batch({Column(f, days, valid)})).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  const FileSummary& s = (*writer)->summary();
  EXPECT_EQ(s.num_rows, 5000);
  EXPECT_GE(s.num_row_groups, 5);
  EXPECT_EQ(s.columns[0].null_count, 5);
  EXPECT_EQ(s.columns[0].min->i, 19000 - 6);
  EXPECT_EQ(s.columns[0].max->i, 19040);
}

TEST(WriterTest, DefaultOptionsKeepOneRowGroup) {
  std::vector<int64_t> v(100000, 7);
  auto writer = FileWriter::Create({F("a", TypeId::kLong)}, {});
  ASSERT_TRUE((*writer)->WriteBatch(Batch({Column(F("a", TypeId::kLong), v)})).ok());
  auto file = (*writer)->Finish();
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*writer)->summary().num_row_groups, 1);
  EXPECT_EQ((*writer)->summary().size_bytes, file->size());
}

// ---------------------------------------------------------------------------
// Pages and dictionary

TEST(WriterTest, DataPagesHoldAboutPageBytes) {
  WriterOptions options;
  options.compression = Compression::kNone;
  options.page_bytes = 8000;
  options.dictionary_enabled = false;
  std::vector<int64_t> v(10000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i);
  auto file = WriteAll(Batch({Column(F("a", TypeId::kLong, false), v)}), options);
  ASSERT_TRUE(file.ok());
  auto pages = Pages(*file);
  ASSERT_EQ(pages.size(), 10u);  // 80,000 bytes of values in 8,000-byte pages
  for (const PageInfo& p : pages) {
    EXPECT_EQ(p.type, kDataPage);
    EXPECT_EQ(p.num_values, 1000);
    EXPECT_EQ(p.uncompressed, 8000);
    EXPECT_EQ(p.encoding, kPlain);
  }
}

TEST(WriterTest, StringsAreDictionaryEncodedBehindADictionaryPage) {
  std::vector<std::string> v;
  for (int i = 0; i < 1000; ++i) v.push_back("strategy-" + std::to_string(i % 6));
  auto file = WriteAll(Batch({Column(F("s", TypeId::kString, false), v)}));
  ASSERT_TRUE(file.ok());
  auto pages = Pages(*file);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].type, kDictionaryPage);
  EXPECT_EQ(pages[0].num_values, 6);
  EXPECT_EQ(pages[0].encoding, kPlain);
  EXPECT_EQ(pages[1].type, kDataPage);
  EXPECT_EQ(pages[1].encoding, kRleDictionary);
  EXPECT_EQ(pages[1].num_values, 1000);
}

// Every page of the file is a PLAIN data page: no dictionary was written.
void ExpectOnlyPlainDataPages(const std::string& file) {
  for (const PageInfo& p : Pages(file)) {
    EXPECT_EQ(p.type, kDataPage);
    EXPECT_EQ(p.encoding, kPlain);
  }
}

TEST(WriterTest, OversizedDictionaryFallsBackToPlain) {
  WriterOptions options;
  options.dictionary_bytes_limit = 1000;
  std::vector<std::string> v;
  for (int i = 0; i < 1000; ++i) v.push_back("unique-" + std::to_string(i));
  auto file = WriteAll(Batch({Column(F("s", TypeId::kString, false), v)}), options);
  ASSERT_TRUE(file.ok());
  ExpectOnlyPlainDataPages(*file);
}

TEST(WriterTest, ColumnsOfNearlyAllDistinctValuesAreWrittenPlainFromTheStart) {
  // 20,000 distinct doubles fit the default dictionary limit (1 MiB), but a
  // dictionary of them would only add the indices to the same bytes.
  std::vector<double> scores;
  std::vector<int32_t> ranks;
  for (int i = 0; i < 20000; ++i) {
    scores.push_back(0.5 + i * 1e-6);
    ranks.push_back(1 + i % 3000);  // 3,000 distinct: worth a dictionary
  }
  auto file = WriteAll(Batch({Column(F("score", TypeId::kDouble, false), scores)}));
  ASSERT_TRUE(file.ok());
  ExpectOnlyPlainDataPages(*file);
  file = WriteAll(Batch({Column(F("rank", TypeId::kInteger, false), ranks)}));
  ASSERT_TRUE(file.ok());
  auto pages = Pages(*file);
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages[0].type, kDictionaryPage);
  EXPECT_EQ(pages[0].num_values, 3000);
  EXPECT_EQ(pages[1].encoding, kRleDictionary);
}

TEST(WriterTest, DictionaryCanBeDisabled) {
  WriterOptions options;
  options.dictionary_enabled = false;
  auto file = WriteAll(Batch({Column(F("s", TypeId::kString), std::vector<std::string>{"a", "a"})}),
                       options);
  ASSERT_TRUE(file.ok());
  auto pages = Pages(*file);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].encoding, kPlain);
}

TEST(WriterTest, WriteFileStoresTheCompleteFile) {
  auto store = storage::NewMemoryStorage();
  auto batch = Batch({Column(F("a", TypeId::kLong), std::vector<int64_t>{4, 5})});
  auto summary = WriteFile(*store, "t/part-0.parquet", batch, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto stored = store->Get("t/part-0.parquet");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), summary->size_bytes);
  EXPECT_EQ(*stored, *WriteAll(batch));
  EXPECT_EQ(summary->num_rows, 2);
}

}  // namespace
}  // namespace rs::parquet
