// Maps an rs::Schema onto a Parquet schema for the writer: the flattened
// SchemaElement list of the footer, one LeafColumn per primitive leaf, and a
// ShredNode tree that tells the shredder the levels of every node.
//
// Nested layouts follow LogicalTypes.md: 3-level LIST
// (<rep> group name (LIST) { repeated group list { <rep> element } }) and
// MAP (<rep> group name (MAP) { repeated group key_value { required key; <rep> value } }).
#ifndef RS_PARQUET_WRITER_SCHEMA_INTERNAL_H_
#define RS_PARQUET_WRITER_SCHEMA_INTERNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "gen-cpp/parquet_types.h"

namespace rs::parquet {

// How a leaf's values are held in memory and PLAIN-encoded.
enum class LeafStorage { kBool, kInt32, kInt64, kFloat, kDouble, kBytes, kFixedBytes };

struct LeafColumn {
  std::vector<std::string> path;        // path_in_schema
  format::Type::type physical_type = format::Type::INT32;
  int32_t type_length = 0;              // FIXED_LEN_BYTE_ARRAY only
  LeafStorage storage = LeafStorage::kInt32;
  DataType type;                        // the logical type (decimal precision/scale)
  int16_t max_def = 0;
  int16_t max_rep = 0;
  int top_column = 0;                   // index of the top-level field
  bool top_level = false;               // a top-level primitive column
  bool signed_order = true;             // false: unsigned byte order (strings, binary)
};

// One node of the logical tree, with the levels the shredder needs.
struct ShredNode {
  enum class Kind { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  std::string name;         // dotted path for messages
  bool optional = false;    // the node's own field is OPTIONAL
  int16_t def = 0;          // definition level when this node is present
  int16_t repeated_def = 0; // list/map: level when an item is present
  int16_t repeated_rep = 0; // list/map: repetition level of items after the first
  int leaf = -1;            // kLeaf: index into the leaf columns
  int first_leaf = 0;       // leaves under this node are [first_leaf, end_leaf)
  int end_leaf = 0;
  std::vector<ShredNode> children;  // struct fields; list [element]; map [key, value]
};

struct WriterSchema {
  std::vector<format::SchemaElement> elements;
  std::vector<LeafColumn> leaves;
  std::vector<ShredNode> roots;  // one per top-level field
};

// Fails with InvalidArgument naming the field on an unsupported schema.
Result<WriterSchema> BuildWriterSchema(const Schema& schema);

// Bytes of a FIXED_LEN_BYTE_ARRAY holding a decimal of `precision` digits.
int32_t DecimalByteWidth(int precision);

}  // namespace rs::parquet

#endif  // RS_PARQUET_WRITER_SCHEMA_INTERNAL_H_
