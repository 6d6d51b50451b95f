// Delta's JSON schema serialization (PROTOCOL.md "Schema Serialization Format")
// to and from rs::Schema.
#include <fmt/format.h>

#include <cstdio>

#include "delta/log_internal.h"

namespace rs::delta {
namespace {

using nlohmann::json;

struct NamedType {
  const char* name;
  TypeId id;
};
constexpr NamedType kPrimitives[] = {
    {"boolean", TypeId::kBoolean}, {"byte", TypeId::kByte},
    {"short", TypeId::kShort},     {"integer", TypeId::kInteger},
    {"long", TypeId::kLong},       {"float", TypeId::kFloat},
    {"double", TypeId::kDouble},   {"string", TypeId::kString},
    {"binary", TypeId::kBinary},   {"date", TypeId::kDate},
    {"timestamp", TypeId::kTimestamp}, {"timestamp_ntz", TypeId::kTimestampNtz},
};

Result<DataType> ParsePrimitive(const std::string& name) {
  for (const auto& p : kPrimitives) {
    if (name == p.name) return DataType::Primitive(p.id);
  }
  if (name == "decimal") return DataType::Decimal(10, 0);
  int precision = 0;
  int scale = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "decimal(%d,%d%c", &precision, &scale, &tail) == 3 &&
      tail == ')' && precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision) {
    return DataType::Decimal(precision, scale);
  }
  return Status::Unimplemented(fmt::format("unsupported data type '{}'", name));
}

Result<Field> ParseField(const json& f) {
  if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("type")) {
    return Status::Corruption("schema field without name or type");
  }
  Field field;
  field.name = f["name"].get<std::string>();
  RS_ASSIGN_OR_RETURN_CTX(field.type, ParseDataTypeJson(f["type"]), "field " + field.name);
  auto n = f.find("nullable");
  field.nullable = n == f.end() || !n->is_boolean() || n->get<bool>();
  return field;
}

Result<DataType> ParseStruct(const json& t) {
  auto fields = t.find("fields");
  if (fields == t.end() || !fields->is_array()) {
    return Status::Corruption("struct type without fields");
  }
  DataType st{TypeId::kStruct, 0, 0, {}, true};
  for (const auto& f : *fields) {
    RS_ASSIGN_OR_RETURN(Field field, ParseField(f));
    st.children.push_back(std::move(field));
  }
  return st;
}

bool BoolOr(const json& t, const char* key, bool fallback) {
  auto it = t.find(key);
  return it != t.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Result<DataType> ParseComplex(const json& t) {
  std::string kind = t.contains("type") && t["type"].is_string() ? t["type"].get<std::string>() : "";
  if (kind == "struct") return ParseStruct(t);
  if (kind == "array") {
    if (!t.contains("elementType")) return Status::Corruption("array type without elementType");
    RS_ASSIGN_OR_RETURN(DataType element, ParseDataTypeJson(t["elementType"]));
    bool contains_null = BoolOr(t, "containsNull", true);
    DataType arr{TypeId::kArray, 0, 0, {Field{"element", std::move(element), contains_null}},
                 contains_null};
    return arr;
  }
  if (kind == "map") {
    if (!t.contains("keyType") || !t.contains("valueType")) {
      return Status::Corruption("map type without keyType/valueType");
    }
    RS_ASSIGN_OR_RETURN(DataType key, ParseDataTypeJson(t["keyType"]));
    RS_ASSIGN_OR_RETURN(DataType value, ParseDataTypeJson(t["valueType"]));
    bool contains_null = BoolOr(t, "valueContainsNull", true);
    DataType map{TypeId::kMap, 0, 0,
                 {Field{"key", std::move(key), false}, Field{"value", std::move(value), contains_null}},
                 contains_null};
    return map;
  }
  return Status::Unimplemented(fmt::format("unsupported complex type '{}'", kind));
}

}  // namespace

Result<DataType> ParseDataTypeJson(const json& type) {
  if (type.is_string()) return ParsePrimitive(type.get<std::string>());
  if (type.is_object()) return ParseComplex(type);
  return Status::Corruption("data type is neither a string nor an object");
}

Result<Schema> ParseSchemaString(std::string_view schema_string) {
  json parsed = json::parse(schema_string, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::Corruption("schemaString is not valid JSON");
  RS_ASSIGN_OR_RETURN(DataType root, ParseDataTypeJson(parsed));
  if (root.id != TypeId::kStruct) return Status::Corruption("schemaString is not a struct");
  return std::move(root.children);
}

std::string PrimitiveTypeName(const DataType& type) {
  if (type.id == TypeId::kDecimal) return fmt::format("decimal({},{})", type.precision, type.scale);
  for (const auto& p : kPrimitives) {
    if (type.id == p.id) return p.name;
  }
  return "";
}

nlohmann::ordered_json SchemaFieldsToJson(const Schema& schema, bool with_metadata) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const Field& f : schema) {
    nlohmann::ordered_json jf = {{"name", f.name}, {"type", DataTypeToJson(f.type, with_metadata)},
               {"nullable", f.nullable}};
    if (with_metadata) jf["metadata"] = nlohmann::ordered_json::object();
    fields.push_back(std::move(jf));
  }
  return fields;
}

nlohmann::ordered_json DataTypeToJson(const DataType& type, bool with_metadata) {
  switch (type.id) {
    case TypeId::kStruct:
      return {{"type", "struct"}, {"fields", SchemaFieldsToJson(type.children, with_metadata)}};
    case TypeId::kArray:
      return {{"type", "array"},
              {"elementType", DataTypeToJson(type.children.at(0).type, with_metadata)},
              {"containsNull", type.contains_null}};
    case TypeId::kMap:
      return {{"type", "map"},
              {"keyType", DataTypeToJson(type.children.at(0).type, with_metadata)},
              {"valueType", DataTypeToJson(type.children.at(1).type, with_metadata)},
              {"valueContainsNull", type.contains_null}};
    default:
      return PrimitiveTypeName(type);
  }
}

std::string SchemaFieldsJson(const Schema& schema) {
  return SchemaFieldsToJson(schema, false).dump();
}

std::string SchemaToString(const Schema& schema) {
  nlohmann::ordered_json root = {{"type", "struct"}, {"fields", SchemaFieldsToJson(schema, true)}};
  return root.dump();
}

}  // namespace rs::delta
