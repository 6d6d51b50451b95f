// Column mapping (see column_mapping_internal.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "delta/column_mapping_internal.h"
#include "delta/log_internal.h"

namespace rs::delta {
namespace {

using nlohmann::json;

constexpr const char* kModeKey = "delta.columnMapping.mode";
constexpr const char* kPhysicalNameKey = "delta.columnMapping.physicalName";
constexpr const char* kIdKey = "delta.columnMapping.id";

bool ProtocolSupportsColumnMapping(const Protocol& protocol) {
  if (protocol.min_reader_version == 2) return true;
  if (protocol.min_reader_version != 3 || !protocol.reader_features) return false;
  const auto& features = *protocol.reader_features;
  return std::find(features.begin(), features.end(), "columnMapping") != features.end();
}

class TreeBuilder {
 public:
  explicit TreeBuilder(ColumnMappingMode mode) : mode_(mode) {}

  // `field_json` is the StructField object of `field`.
  Result<PhysicalColumn> Column(const json& field_json, const Field& field,
                                const std::string& path) {
    PhysicalColumn out;
    out.name = field.name;
    auto metadata = field_json.find("metadata");
    if (metadata != field_json.end() && metadata->is_object()) {
      auto name = metadata->find(kPhysicalNameKey);
      if (name != metadata->end() && name->is_string() && !name->get<std::string>().empty()) {
        out.name = name->get<std::string>();
      }
      auto id = metadata->find(kIdKey);
      if (id != metadata->end() && id->is_number_integer()) out.id = id->get<int32_t>();
    }
    if (mode_ == ColumnMappingMode::kId && !out.id) {
      return Status::Corruption(fmt::format(
          "column mapping mode id: column {} has no {} in its field metadata", path, kIdKey));
    }
    auto type = field_json.find("type");
    if (type == field_json.end()) return Status::Corruption("schema field without type: " + path);
    RS_ASSIGN_OR_RETURN(out.children, Children(*type, field.type, path));
    return out;
  }

 private:
  // The physical children of a type: struct fields, array element, map key and value.
  Result<std::vector<PhysicalColumn>> Children(const json& type_json, const DataType& type,
                                               const std::string& path) {
    std::vector<PhysicalColumn> out;
    if (!type.is_nested()) return out;
    if (!type_json.is_object()) return Status::Corruption("nested type is not an object: " + path);
    if (type.id == TypeId::kStruct) {
      auto fields = type_json.find("fields");
      if (fields == type_json.end() || !fields->is_array() ||
          fields->size() != type.children.size()) {
        return Status::Corruption("struct fields do not match the schema: " + path);
      }
      for (size_t i = 0; i < type.children.size(); ++i) {
        const Field& child = type.children[i];
        RS_ASSIGN_OR_RETURN(PhysicalColumn c, Column((*fields)[i], child, path + "." + child.name));
        out.push_back(std::move(c));
      }
      return out;
    }
    const bool is_map = type.id == TypeId::kMap;
    const char* keys[] = {is_map ? "keyType" : "elementType", "valueType"};
    for (size_t i = 0; i < type.children.size(); ++i) {
      auto child_json = type_json.find(keys[i]);
      if (child_json == type_json.end()) return Status::Corruption("nested type: " + path);
      PhysicalColumn c;
      c.name = type.children[i].name;
      RS_ASSIGN_OR_RETURN(c.children,
                          Children(*child_json, type.children[i].type, path + "." + c.name));
      out.push_back(std::move(c));
    }
    return out;
  }

  ColumnMappingMode mode_;
};

// Mode none: every physical name is the logical one.
PhysicalColumn LogicalColumn(const Field& field) {
  PhysicalColumn out{field.name, std::nullopt, {}};
  for (const Field& child : field.type.children) out.children.push_back(LogicalColumn(child));
  return out;
}

bool SameNameIgnoringCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasStruct(const DataType& type) {
  if (type.id == TypeId::kStruct) return true;
  return std::any_of(type.children.begin(), type.children.end(),
                     [](const Field& c) { return HasStruct(c.type); });
}

class ValueMapper {
 public:
  explicit ValueMapper(ColumnMappingMode mode) : mode_(mode) {}

  // `v` of the file's type `file` as a value of the table's type `table`.
  Result<Value> Map(Value v, const DataType& file, const DataType& table,
                    const PhysicalColumn& physical, const std::string& path) const {
    if (v.is_null() || !HasStruct(table)) return v;
    if (file.id != table.id || physical.children.size() != table.children.size()) {
      return Status::Corruption(fmt::format("column {} has type {} in the file, table type is {}",
                                            path, TypeName(file.id), TypeName(table.id)));
    }
    if (table.id == TypeId::kStruct) return MapStruct(std::move(v), file, table, physical, path);
    const size_t width = table.children.size();  // array: 1, map: 2 (key, value pairs)
    if (file.children.size() != width || v.children.size() % width != 0) {
      return Status::Corruption("column " + path + ": nested value does not match its type");
    }
    for (size_t i = 0; i < v.children.size(); ++i) {
      const size_t c = i % width;
      RS_ASSIGN_OR_RETURN(v.children[i], Map(std::move(v.children[i]), file.children[c].type,
                                             table.children[c].type, physical.children[c], path));
    }
    return v;
  }

 private:
  Result<Value> MapStruct(Value v, const DataType& file, const DataType& table,
                          const PhysicalColumn& physical, const std::string& path) const {
    if (v.children.size() != file.children.size()) {
      return Status::Corruption("column " + path + ": struct value does not match its type");
    }
    Value out;
    out.kind = Value::Kind::kStruct;
    for (size_t i = 0; i < table.children.size(); ++i) {
      const Field& want = table.children[i];
      const Field* have = FindFileField(file.children, physical.children[i], mode_);
      if (!have) {
        out.children.push_back(Value::Null());
        continue;
      }
      const size_t at = static_cast<size_t>(have - file.children.data());
      RS_ASSIGN_OR_RETURN(Value child, Map(std::move(v.children[at]), have->type, want.type,
                                           physical.children[i], path + "." + want.name));
      out.children.push_back(std::move(child));
    }
    return out;
  }

  ColumnMappingMode mode_;
};

}  // namespace

Result<ColumnMappingMode> ColumnMappingModeOf(const Protocol& protocol, const Metadata& metadata) {
  if (!ProtocolSupportsColumnMapping(protocol)) return ColumnMappingMode::kNone;
  auto it = metadata.configuration.find(kModeKey);
  if (it == metadata.configuration.end() || it->second == "none") return ColumnMappingMode::kNone;
  if (it->second == "name") return ColumnMappingMode::kName;
  if (it->second == "id") return ColumnMappingMode::kId;
  return Status::Unimplemented(fmt::format(
      "table requires unsupported reader feature: columnMapping with mode '{}' (supported: none, "
      "name, id)",
      it->second));
}

Result<ColumnMapping> MakeColumnMapping(const Protocol& protocol, const Metadata& metadata) {
  ColumnMapping mapping;
  RS_ASSIGN_OR_RETURN(mapping.mode, ColumnMappingModeOf(protocol, metadata));
  if (mapping.mode == ColumnMappingMode::kNone) {
    for (const Field& f : metadata.schema) mapping.columns.push_back(LogicalColumn(f));
    return mapping;
  }
  json root = json::parse(metadata.schema_string, nullptr, /*allow_exceptions=*/false);
  auto fields = root.is_object() ? root.find("fields") : root.end();
  if (fields == root.end() || !fields->is_array() || fields->size() != metadata.schema.size()) {
    return Status::Corruption("column mapping: schemaString does not match the parsed schema");
  }
  TreeBuilder builder(mapping.mode);
  for (size_t i = 0; i < metadata.schema.size(); ++i) {
    const Field& f = metadata.schema[i];
    RS_ASSIGN_OR_RETURN(PhysicalColumn c, builder.Column((*fields)[i], f, f.name));
    mapping.columns.push_back(std::move(c));
  }
  return mapping;
}

std::string PhysicalColumnName(const Snapshot& snapshot, const std::string& column) {
  auto mapping = MakeColumnMapping(snapshot.protocol, snapshot.metadata);
  if (!mapping.ok()) return column;  // LoadSnapshot refuses such a table
  for (size_t i = 0; i < snapshot.metadata.schema.size(); ++i) {
    if (snapshot.metadata.schema[i].name == column) return mapping->columns[i].name;
  }
  return column;
}

const Field* FindFileField(const std::vector<Field>& file_schema, const PhysicalColumn& physical,
                           ColumnMappingMode mode) {
  if (mode == ColumnMappingMode::kId) {
    for (const Field& f : file_schema) {
      if (f.field_id && physical.id && *f.field_id == *physical.id) return &f;
    }
    return nullptr;
  }
  for (const Field& f : file_schema) {
    if (f.name == physical.name) return &f;
  }
  for (const Field& f : file_schema) {
    if (SameNameIgnoringCase(f.name, physical.name)) return &f;
  }
  return nullptr;
}

Result<ColumnVector> MapNestedColumn(ColumnVector col, const Field& table_field,
                                     const PhysicalColumn& physical, ColumnMappingMode mode) {
  if (!table_field.type.is_nested() || !HasStruct(table_field.type)) return col;
  if (!std::holds_alternative<std::vector<Value>>(col.values)) {
    return Status::Corruption(
        fmt::format("column {} is nested in the table, flat in the file", table_field.name));
  }
  ValueMapper mapper(mode);
  for (Value& v : col.As<Value>()) {
    RS_ASSIGN_OR_RETURN(
        v, mapper.Map(std::move(v), col.field.type, table_field.type, physical, table_field.name));
  }
  col.field = table_field;
  return col;
}

}  // namespace rs::delta
