// Conversion of a Parquet file's flattened schema (FileMetaData.schema) into
// the reader's tree: output fields (rs::Schema), one LeafInfo per column chunk
// and, per top-level field, a node tree carrying the definition/repetition
// levels that record assembly needs (the Dremel encoding of the format spec).
//
// LIST and MAP follow LogicalTypes.md, including its backward-compatibility
// rules: 3-level lists, 2-level lists (repeated primitive, repeated group with
// several fields, or one named "array" / "<name>_tuple"), bare repeated fields
// (a required list) and MAP_KEY_VALUE-annotated maps.
#ifndef RS_PARQUET_SCHEMA_READER_INTERNAL_H_
#define RS_PARQUET_SCHEMA_READER_INTERNAL_H_

#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "gen-cpp/parquet_types.h"

namespace rs::parquet {

// How a leaf's physical values become the output representation (columnar.h).
enum class Conversion {
  kNone,             // same representation (int32->int32, byte array->string, ...)
  kUInt32ToInt64,    // UINT_32 widened to kLong
  kUInt64ToDecimal,  // UINT_64 as DECIMAL(20, 0)
  kInt64ToInt32,     // DECIMAL precision <= 9 stored as INT64
  kInt32ToInt64,     // DECIMAL precision 10..18 stored as INT32 (non-standard)
  kMillisToMicros,
  kNanosToMicros,
  kInt96ToMicros,    // Julian day + nanoseconds of day
  kBytesToDecimal,   // big-endian two's complement to the decimal representation
  kHalfToFloat,      // FLOAT16 (2-byte FIXED_LEN_BYTE_ARRAY)
};

struct LeafInfo {
  std::string path;  // dotted path_in_schema, for messages
  format::Type::type physical = format::Type::INT32;
  int type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  int max_def = 0;
  int max_rep = 0;
  DataType type;  // logical type of the values
  Conversion conversion = Conversion::kNone;
  bool unsigned_order = false;  // statistics use unsigned comparison
  int top_level = 0;            // index of the top-level field holding this leaf
};

struct SchemaNode {
  enum class Kind { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  std::string name;
  // An entry whose definition level is below def_level makes this node null.
  int def_level = 0;
  // kList / kMap: definition level from which the list has an element, and the
  // repetition level that continues it.
  int repeated_def = 0;
  int repeated_rep = 0;
  int leaf = -1;  // kLeaf: index into FileSchema::leaves
  int first_leaf = 0;
  int num_leaves = 0;
  std::vector<SchemaNode> children;  // struct fields; list: [element]; map: [key, value]
};

struct FileSchema {
  Schema fields;                 // output schema, one Field per top-level node
  std::vector<SchemaNode> top;   // same order as fields
  std::vector<LeafInfo> leaves;  // column chunk order
};

// Builds the tree; fails with Corruption on a malformed schema (bad child
// counts, a group without children, a primitive without a type) and with
// Unimplemented on constructs we do not read.
Result<FileSchema> BuildFileSchema(const std::vector<format::SchemaElement>& elements);

}  // namespace rs::parquet

#endif  // RS_PARQUET_SCHEMA_READER_INTERNAL_H_
