// Delta column mapping (PROTOCOL.md "Column Mapping"): the physical name and
// id behind each logical field of a table schema, and how a scan finds a
// field's data in a Parquet file (by physical name in mode `name`, by Parquet
// field_id in mode `id`, by the logical name in mode `none`).
//
// Logical names are what users see (schema, scan output, filters); physical
// names key add.partitionValues, stats JSON and Parquet columns.
#ifndef RS_DELTA_COLUMN_MAPPING_INTERNAL_H_
#define RS_DELTA_COLUMN_MAPPING_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"

namespace rs::delta {

enum class ColumnMappingMode { kNone, kName, kId };

// The physical side of one logical field, shaped like the field's type:
// struct: one child per field; array: [element]; map: [key, value].
struct PhysicalColumn {
  std::string name;           // delta.columnMapping.physicalName, else the logical name
  std::optional<int32_t> id;  // delta.columnMapping.id
  std::vector<PhysicalColumn> children;
};

struct ColumnMapping {
  ColumnMappingMode mode = ColumnMappingMode::kNone;
  std::vector<PhysicalColumn> columns;  // one per top-level field of the schema, same order
};

// The mode in force. `delta.columnMapping.mode` is honoured only when the
// protocol supports column mapping (reader version 2, or 3 with the
// `columnMapping` reader feature); otherwise the mode is kNone. Unimplemented
// for a mode other than none, name or id.
Result<ColumnMappingMode> ColumnMappingModeOf(const Protocol& protocol, const Metadata& metadata);

// The mode and the physical tree of `metadata.schema`, read from the field
// metadata in `metadata.schema_string`. Corruption when mode `id` is in
// force and a field has no delta.columnMapping.id.
Result<ColumnMapping> MakeColumnMapping(const Protocol& protocol, const Metadata& metadata);

// The field of `file_schema` (a Parquet file's top-level fields, or a
// struct's children) that holds `physical`: by field_id in mode id (none when
// the file has no ids), else by name, exactly or ignoring ASCII case (Spark).
const Field* FindFileField(const std::vector<Field>& file_schema, const PhysicalColumn& physical,
                           ColumnMappingMode mode);

// Rebuilds a nested column read from a file so that every struct, at any
// depth, has the table's children in the table's order, each found in the
// file's struct like a top-level column (absent ones null, extra ones
// dropped). Flat columns are returned unchanged. Corruption when the file's
// nesting differs from the table's.
Result<ColumnVector> MapNestedColumn(ColumnVector col, const Field& table_field,
                                     const PhysicalColumn& physical, ColumnMappingMode mode);

}  // namespace rs::delta

#endif  // RS_DELTA_COLUMN_MAPPING_INTERNAL_H_
