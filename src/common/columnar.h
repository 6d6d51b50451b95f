// In-memory columnar data shared by the Parquet, Delta, replication and CLI
// modules: a logical type system (Delta's), column vectors and record batches.
//
// Flat primitive columns are stored as typed vectors (the fast path: engine
// inputs, derived tables). Nested columns (struct, array, map: Delta
// checkpoints, other engines' tables) are stored as a vector of Value trees.
//
// Thread-safety: plain values.
#ifndef RS_COMMON_COLUMNAR_H_
#define RS_COMMON_COLUMNAR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace rs {

// Delta Lake's logical types (PROTOCOL.md "Schema Serialization Format").
enum class TypeId {
  kBoolean,
  kByte,          // int8
  kShort,         // int16
  kInteger,       // int32
  kLong,          // int64
  kFloat,
  kDouble,
  kString,        // UTF-8
  kBinary,
  kDate,          // days since 1970-01-01
  kTimestamp,     // microseconds since epoch, UTC-adjusted
  kTimestampNtz,  // microseconds since epoch, no zone
  kDecimal,       // precision/scale in DataType
  kStruct,
  kArray,
  kMap,
};

struct Field;

struct DataType {
  TypeId id = TypeId::kString;
  int precision = 0;             // kDecimal only
  int scale = 0;                 // kDecimal only
  std::vector<Field> children;   // kStruct: fields; kArray: [element]; kMap: [key, value]
  bool contains_null = true;     // kArray: element nullable; kMap: value nullable

  bool is_nested() const {
    return id == TypeId::kStruct || id == TypeId::kArray || id == TypeId::kMap;
  }
  static DataType Primitive(TypeId id);
  static DataType Decimal(int precision, int scale);
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  // Parquet SchemaElement.field_id: set by the Parquet reader when the file
  // has one, written by the Parquet writer when set. Delta column mapping in
  // mode `id` resolves columns by it.
  std::optional<int32_t> field_id;
};

using Schema = std::vector<Field>;

// Defined after Field is complete (clang rejects aggregate use of the
// incomplete Field inside DataType's own body).
inline DataType DataType::Primitive(TypeId id) { return DataType{id, 0, 0, {}, true}; }
inline DataType DataType::Decimal(int precision, int scale) {
  return DataType{TypeId::kDecimal, precision, scale, {}, true};
}

// A dynamically typed value, used for nested data and for partition values.
// Scalars use the same physical representation as ColumnVector (below).
struct Value {
  enum class Kind { kNull, kBool, kInt, kFloat, kDouble, kBytes, kList, kStruct, kMap };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;         // integers, date (days), timestamps (micros), decimal unscaled (<= 18 digits)
  float f = 0;
  double d = 0;
  std::string bytes;     // string, binary, decimal unscaled big-endian two's complement (> 18 digits)
  std::vector<Value> children;  // list elements; struct fields (schema order); map: [k0, v0, k1, v1, ...]

  static Value Null() { return {}; }
  static Value Bool(bool v) { Value x; x.kind = Kind::kBool; x.b = v; return x; }
  static Value Int(int64_t v) { Value x; x.kind = Kind::kInt; x.i = v; return x; }
  static Value Float(float v) { Value x; x.kind = Kind::kFloat; x.f = v; return x; }
  static Value Double(double v) { Value x; x.kind = Kind::kDouble; x.d = v; return x; }
  static Value Bytes(std::string v) { Value x; x.kind = Kind::kBytes; x.bytes = std::move(v); return x; }
  bool is_null() const { return kind == Kind::kNull; }
};

// One column of a batch. `values` holds one alternative chosen by the type:
//   uint8_t  : kBoolean (0/1)
//   int32_t  : kByte, kShort, kInteger, kDate, kDecimal with precision <= 9
//   int64_t  : kLong, kTimestamp, kTimestampNtz, kDecimal with precision 10..18
//   float    : kFloat
//   double   : kDouble
//   string   : kString, kBinary, kDecimal with precision > 18 (unscaled, big-endian two's complement)
//   Value    : kStruct, kArray, kMap
// A null slot holds a default value in `values` and 0 in `validity`.
struct ColumnVector {
  Field field;
  std::vector<uint8_t> validity;  // empty = all valid; else one byte per row, 1 = valid
  std::variant<std::vector<uint8_t>, std::vector<int32_t>, std::vector<int64_t>,
               std::vector<float>, std::vector<double>, std::vector<std::string>,
               std::vector<Value>>
      values;

  size_t size() const {
    return std::visit([](const auto& v) { return v.size(); }, values);
  }
  bool IsValid(size_t row) const { return validity.empty() || validity[row] != 0; }
  template <typename T>
  const std::vector<T>& As() const { return std::get<std::vector<T>>(values); }
  template <typename T>
  std::vector<T>& As() { return std::get<std::vector<T>>(values); }

  // An empty column of the right physical alternative for `f.type`.
  static ColumnVector Make(Field f);
};

struct RecordBatch {
  Schema schema;
  std::vector<ColumnVector> columns;  // same order as schema
  size_t num_rows = 0;

  // Index of the column named `name`, or -1.
  int FindColumn(const std::string& name) const;
};

// Delta's name of a type ("double", "string", ...).
std::string_view TypeName(TypeId id);

// "null", "bool", "int", ... for messages about a Value.
std::string_view KindName(Value::Kind kind);

// Appends the rows of `src` to `dst`. An empty `dst` (no schema) takes src's
// schema. Columns are matched by position and must have equal types;
// InvalidArgument names the first mismatch.
[[nodiscard]] Status AppendRows(RecordBatch* dst, const RecordBatch& src);

// The rows of `batch` at `rows` (in that order), all columns.
RecordBatch TakeRows(const RecordBatch& batch, const std::vector<size_t>& rows);

// The batch's columns named `names`, in that order; NotFound names a missing one.
[[nodiscard]] Result<RecordBatch> SelectColumns(const RecordBatch& batch,
                                                const std::vector<std::string>& names);

}  // namespace rs

#endif  // RS_COMMON_COLUMNAR_H_
