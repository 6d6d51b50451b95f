// Shared by the reader interop tests: renders a RecordBatch in the canonical
// JSON cells of tests/parquet/gen_reader_fixtures.mjs and compares a file with
// its "<file>.json" expectation.
#ifndef RS_TESTS_PARQUET_READER_FIXTURE_COMPARE_H_
#define RS_TESTS_PARQUET_READER_FIXTURE_COMPARE_H_

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "parquet/reader.h"

namespace rs::parquet::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Big-endian two's complement (<= 16 bytes) as a decimal string.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
inline std::string BigEndianToDecimal(const std::string& bytes) {
  __int128 v = (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80)) ? -1 : 0;
  for (unsigned char c : bytes) v = static_cast<__int128>((static_cast<unsigned __int128>(v) << 8) | c);
  const bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  return negative ? "-" + digits : digits;
}
#pragma GCC diagnostic pop

inline nlohmann::json Floating(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

inline nlohmann::json RenderValue(const Value& v, const DataType& type) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kBool:
      return v.b;
    case Value::Kind::kInt:
      return v.i;
    case Value::Kind::kFloat:
      return Floating(v.f);
    case Value::Kind::kDouble:
      return Floating(v.d);
    case Value::Kind::kBytes:
      if (type.id == TypeId::kBinary) return Hex(v.bytes);
      if (type.id == TypeId::kDecimal) return BigEndianToDecimal(v.bytes);
      return v.bytes;
    default:
      break;
  }
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < v.children.size(); ++i) {
    const DataType* child = &type;
    if (type.id == TypeId::kStruct && i < type.children.size()) child = &type.children[i].type;
    if (type.id == TypeId::kArray && !type.children.empty()) child = &type.children[0].type;
    if (type.id == TypeId::kMap && type.children.size() == 2) child = &type.children[i % 2].type;
    out.push_back(RenderValue(v.children[i], *child));
  }
  return out;
}

inline nlohmann::json RenderCell(const ColumnVector& column, size_t row) {
  if (!column.IsValid(row)) return nullptr;
  const DataType& type = column.field.type;
  return std::visit(
      [&](const auto& values) -> nlohmann::json {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, uint8_t>) {
          return values[row] != 0;
        } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
          return static_cast<int64_t>(values[row]);
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          return Floating(values[row]);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (type.id == TypeId::kBinary) return Hex(values[row]);
          if (type.id == TypeId::kDecimal) return BigEndianToDecimal(values[row]);
          return values[row];
        } else {
          return RenderValue(values[row], type);
        }
      },
      column.values);
}

// Reads `path` and compares every column with `path`.json. Returns the
// batch for further checks.
inline RecordBatch ExpectFileMatchesJson(const std::string& path, int num_threads = 1) {
  SCOPED_TRACE(path);
  const nlohmann::json expected = nlohmann::json::parse(ReadWholeFile(path + ".json"));
  auto reader = FileReader::OpenBuffer(ReadWholeFile(path), path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return {};
  ReadOptions options;
  options.num_threads = num_threads;
  auto batch = (*reader)->Read(options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  if (!batch.ok()) return {};
  EXPECT_EQ(batch->num_rows, expected["num_rows"].get<size_t>());
  const auto& columns = expected["columns"];
  EXPECT_EQ(batch->columns.size(), columns.size());
  for (const auto& col : columns) {
    const std::string name = col["name"];
    const int index = batch->FindColumn(name);
    EXPECT_GE(index, 0) << "column " << name;
    if (index < 0) continue;
    const ColumnVector& got = batch->columns[static_cast<size_t>(index)];
    EXPECT_EQ(got.size(), batch->num_rows) << name;
    const auto& values = col["values"];
    int mismatches = 0;
    for (size_t row = 0; row < values.size() && row < got.size(); ++row) {
      const nlohmann::json cell = RenderCell(got, row);
      if (cell != values[row] && ++mismatches <= 3) {
        ADD_FAILURE() << path << " column " << name << " row " << row << ": got " << cell.dump()
                      << ", expected " << values[row].dump();
      }
    }
  }
  return std::move(batch).value();
}

}  // namespace rs::parquet::testing

#endif  // RS_TESTS_PARQUET_READER_FIXTURE_COMPARE_H_
