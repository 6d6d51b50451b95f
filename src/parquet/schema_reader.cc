#include "parquet/schema_reader_internal.h"

#include <string>
#include <utility>

namespace rs::parquet {
namespace {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;

// Deeper schemas are refused before recursion can exhaust the stack.
constexpr int kMaxSchemaDepth = 64;

struct RawNode {
  const SchemaElement* element = nullptr;
  std::vector<RawNode> children;
};

Status ParseRaw(const std::vector<SchemaElement>& elements, size_t* pos, int depth, RawNode* out) {
  if (depth > kMaxSchemaDepth) {
    return Status::Corruption("schema nests deeper than " + std::to_string(kMaxSchemaDepth));
  }
  // A group's child count is checked against the elements left, but a child
  // group uses up more than one, so each element is bounds-checked here too.
  if (*pos >= elements.size()) {
    return Status::Corruption("schema ends inside a group: element " + std::to_string(*pos) +
                              " of " + std::to_string(elements.size()) + " expected");
  }
  const SchemaElement& el = elements[(*pos)++];
  out->element = &el;
  if (!el.__isset.num_children || (el.num_children == 0 && el.__isset.type)) {
    if (!el.__isset.type) {
      return Status::Corruption("schema element '" + el.name + "' has neither type nor children");
    }
    return Status::OK();
  }
  if (el.num_children <= 0 || static_cast<size_t>(el.num_children) > elements.size() - *pos) {
    return Status::Corruption("schema element '" + el.name + "' declares " +
                              std::to_string(el.num_children) + " children, " +
                              std::to_string(elements.size() - *pos) + " elements follow");
  }
  out->children.resize(static_cast<size_t>(el.num_children));
  for (RawNode& child : out->children) {
    RS_RETURN_IF_ERROR(ParseRaw(elements, pos, depth + 1, &child));
  }
  return Status::OK();
}

bool HasConverted(const SchemaElement& el, ConvertedType::type t) {
  return el.__isset.converted_type && el.converted_type == t;
}

bool IsListGroup(const SchemaElement& el) {
  return (el.__isset.logicalType && el.logicalType.__isset.LIST) ||
         HasConverted(el, ConvertedType::LIST);
}

bool IsMapGroup(const SchemaElement& el) {
  return (el.__isset.logicalType && el.logicalType.__isset.MAP) ||
         HasConverted(el, ConvertedType::MAP) || HasConverted(el, ConvertedType::MAP_KEY_VALUE);
}

Status MapDecimal(const SchemaElement& el, int precision, int scale, LeafInfo* leaf) {
  if (precision <= 0 || precision > 76 || scale < 0 || scale > precision) {
    return Status::Corruption("column '" + el.name + "': invalid decimal precision " +
                              std::to_string(precision) + " scale " + std::to_string(scale));
  }
  leaf->type = DataType::Decimal(precision, scale);
  switch (el.type) {
    case format::Type::INT32:
      leaf->conversion = precision <= 9 ? Conversion::kNone : Conversion::kInt32ToInt64;
      break;
    case format::Type::INT64:
      if (precision > 18) {
        return Status::Corruption("column '" + el.name + "': decimal precision " +
                                  std::to_string(precision) + " does not fit INT64");
      }
      leaf->conversion = precision <= 9 ? Conversion::kInt64ToInt32 : Conversion::kNone;
      break;
    case format::Type::BYTE_ARRAY:
    case format::Type::FIXED_LEN_BYTE_ARRAY:
      leaf->conversion = Conversion::kBytesToDecimal;
      break;
    default:
      return Status::Corruption("column '" + el.name + "': DECIMAL on an unsupported physical type");
  }
  return Status::OK();
}

void MapInt32(const SchemaElement& el, LeafInfo* leaf) {
  const auto& lt = el.logicalType;
  const bool has_int = el.__isset.logicalType && lt.__isset.INTEGER;
  TypeId id = TypeId::kInteger;
  if (has_int) {
    const int bits = lt.INTEGER.bitWidth;
    if (lt.INTEGER.isSigned) {
      id = bits == 8 ? TypeId::kByte : bits == 16 ? TypeId::kShort : TypeId::kInteger;
    } else {
      id = bits == 8 ? TypeId::kShort : bits == 16 ? TypeId::kInteger : TypeId::kLong;
    }
  } else if (HasConverted(el, ConvertedType::INT_8)) {
    id = TypeId::kByte;
  } else if (HasConverted(el, ConvertedType::INT_16) || HasConverted(el, ConvertedType::UINT_8)) {
    id = TypeId::kShort;
  } else if (HasConverted(el, ConvertedType::UINT_32)) {
    id = TypeId::kLong;
  } else if ((el.__isset.logicalType && lt.__isset.DATE) || HasConverted(el, ConvertedType::DATE)) {
    id = TypeId::kDate;
  }
  leaf->type = DataType::Primitive(id);
  if (id == TypeId::kLong) {
    leaf->conversion = Conversion::kUInt32ToInt64;
    leaf->unsigned_order = true;
  }
  if (HasConverted(el, ConvertedType::UINT_8) || HasConverted(el, ConvertedType::UINT_16) ||
      (has_int && !lt.INTEGER.isSigned)) {
    leaf->unsigned_order = true;
  }
}

void MapInt64(const SchemaElement& el, LeafInfo* leaf) {
  const auto& lt = el.logicalType;
  leaf->type = DataType::Primitive(TypeId::kLong);
  if (el.__isset.logicalType && lt.__isset.TIMESTAMP) {
    leaf->type.id = lt.TIMESTAMP.isAdjustedToUTC ? TypeId::kTimestamp : TypeId::kTimestampNtz;
    if (lt.TIMESTAMP.unit.__isset.MILLIS) leaf->conversion = Conversion::kMillisToMicros;
    if (lt.TIMESTAMP.unit.__isset.NANOS) leaf->conversion = Conversion::kNanosToMicros;
  } else if (HasConverted(el, ConvertedType::TIMESTAMP_MILLIS)) {
    leaf->type.id = TypeId::kTimestamp;
    leaf->conversion = Conversion::kMillisToMicros;
  } else if (HasConverted(el, ConvertedType::TIMESTAMP_MICROS)) {
    leaf->type.id = TypeId::kTimestamp;
  } else if (HasConverted(el, ConvertedType::UINT_64) ||
             (el.__isset.logicalType && lt.__isset.INTEGER && !lt.INTEGER.isSigned)) {
    leaf->type = DataType::Decimal(20, 0);
    leaf->conversion = Conversion::kUInt64ToDecimal;
    leaf->unsigned_order = true;
  }
}

void MapBinary(const SchemaElement& el, LeafInfo* leaf) {
  const auto& lt = el.logicalType;
  const bool text = (el.__isset.logicalType &&
                     (lt.__isset.STRING || lt.__isset.ENUM || lt.__isset.JSON)) ||
                    HasConverted(el, ConvertedType::UTF8) || HasConverted(el, ConvertedType::ENUM) ||
                    HasConverted(el, ConvertedType::JSON);
  leaf->type = DataType::Primitive(text ? TypeId::kString : TypeId::kBinary);
  leaf->unsigned_order = true;
}

Status MapLeafType(const SchemaElement& el, LeafInfo* leaf) {
  leaf->physical = el.type;
  const auto& lt = el.logicalType;
  if (el.__isset.logicalType && lt.__isset.DECIMAL) {
    return MapDecimal(el, lt.DECIMAL.precision, lt.DECIMAL.scale, leaf);
  }
  if (HasConverted(el, ConvertedType::DECIMAL)) return MapDecimal(el, el.precision, el.scale, leaf);
  switch (el.type) {
    case format::Type::BOOLEAN:
      leaf->type = DataType::Primitive(TypeId::kBoolean);
      return Status::OK();
    case format::Type::INT32:
      MapInt32(el, leaf);
      return Status::OK();
    case format::Type::INT64:
      MapInt64(el, leaf);
      return Status::OK();
    case format::Type::INT96:
      leaf->type = DataType::Primitive(TypeId::kTimestamp);
      leaf->conversion = Conversion::kInt96ToMicros;
      return Status::OK();
    case format::Type::FLOAT:
      leaf->type = DataType::Primitive(TypeId::kFloat);
      return Status::OK();
    case format::Type::DOUBLE:
      leaf->type = DataType::Primitive(TypeId::kDouble);
      return Status::OK();
    case format::Type::BYTE_ARRAY:
      MapBinary(el, leaf);
      return Status::OK();
    case format::Type::FIXED_LEN_BYTE_ARRAY:
      if (el.type_length <= 0) {
        return Status::Corruption("column '" + el.name + "': FIXED_LEN_BYTE_ARRAY length " +
                                  std::to_string(el.type_length));
      }
      if (el.__isset.logicalType && lt.__isset.FLOAT16 && el.type_length == 2) {
        leaf->type = DataType::Primitive(TypeId::kFloat);
        leaf->conversion = Conversion::kHalfToFloat;
        return Status::OK();
      }
      MapBinary(el, leaf);
      leaf->type.id = TypeId::kBinary;
      return Status::OK();
    default:
      break;
  }
  return Status::Corruption("column '" + el.name + "': unknown physical type " +
                            std::to_string(static_cast<int>(el.type)));
}

// Converts one raw node; levels are those of its parent. `repetition` is the
// node's own repetition, or REQUIRED when the node is a list's repeated element.
class Converter {
 public:
  explicit Converter(FileSchema* out) : out_(out) {}

  Status Node(const RawNode& raw, const std::string& path, int parent_def, int parent_rep,
              FieldRepetitionType::type repetition, SchemaNode* node, Field* field);

  int top_level = 0;

 private:
  Status Leaf(const RawNode& raw, const std::string& path, int def, int rep, SchemaNode* node,
              Field* field);
  Status List(const RawNode& raw, const std::string& path, int def, int rep, SchemaNode* node,
              Field* field);
  Status Map(const RawNode& raw, const std::string& path, int def, int rep, SchemaNode* node,
             Field* field);
  Status BareRepeated(const RawNode& raw, const std::string& path, int parent_def, int parent_rep,
                      SchemaNode* node, Field* field);

  FileSchema* out_;
};

Status Converter::Node(const RawNode& raw, const std::string& path, int parent_def,
                       int parent_rep, FieldRepetitionType::type repetition, SchemaNode* node,
                       Field* field) {
  const SchemaElement& el = *raw.element;
  node->name = el.name;
  field->name = el.name;
  if (el.__isset.field_id) field->field_id = el.field_id;
  node->first_leaf = static_cast<int>(out_->leaves.size());
  if (repetition == FieldRepetitionType::REPEATED) {
    RS_RETURN_IF_ERROR(BareRepeated(raw, path, parent_def, parent_rep, node, field));
  } else {
    const bool optional = repetition == FieldRepetitionType::OPTIONAL;
    const int def = parent_def + (optional ? 1 : 0);
    node->def_level = def;
    field->nullable = optional;
    if (raw.children.empty()) {
      RS_RETURN_IF_ERROR(Leaf(raw, path, def, parent_rep, node, field));
    } else if (IsListGroup(el)) {
      RS_RETURN_IF_ERROR(List(raw, path, def, parent_rep, node, field));
    } else if (IsMapGroup(el)) {
      RS_RETURN_IF_ERROR(Map(raw, path, def, parent_rep, node, field));
    } else {
      node->kind = SchemaNode::Kind::kStruct;
      field->type = DataType::Primitive(TypeId::kStruct);
      node->children.resize(raw.children.size());
      field->type.children.resize(raw.children.size());
      for (size_t i = 0; i < raw.children.size(); ++i) {
        const RawNode& child = raw.children[i];
        RS_RETURN_IF_ERROR(Node(child, path + "." + child.element->name, def, parent_rep,
                                child.element->repetition_type, &node->children[i],
                                &field->type.children[i]));
      }
    }
  }
  node->num_leaves = static_cast<int>(out_->leaves.size()) - node->first_leaf;
  return Status::OK();
}

Status Converter::Leaf(const RawNode& raw, const std::string& path, int def, int rep,
                       SchemaNode* node, Field* field) {
  LeafInfo leaf;
  leaf.path = path;
  leaf.type_length = raw.element->type_length;
  leaf.max_def = def;
  leaf.max_rep = rep;
  leaf.top_level = top_level;
  RS_RETURN_IF_ERROR(MapLeafType(*raw.element, &leaf));
  node->kind = SchemaNode::Kind::kLeaf;
  node->leaf = static_cast<int>(out_->leaves.size());
  field->type = leaf.type;
  out_->leaves.push_back(std::move(leaf));
  return Status::OK();
}

// A repeated field outside a LIST/MAP annotation: a required list of required elements.
Status Converter::BareRepeated(const RawNode& raw, const std::string& path, int parent_def,
                               int parent_rep, SchemaNode* node, Field* field) {
  node->kind = SchemaNode::Kind::kList;
  node->def_level = parent_def;
  node->repeated_def = parent_def + 1;
  node->repeated_rep = parent_rep + 1;
  field->nullable = false;
  node->children.resize(1);
  field->type = DataType::Primitive(TypeId::kArray);
  field->type.children.resize(1);
  field->type.contains_null = false;
  RS_RETURN_IF_ERROR(Node(raw, path, parent_def + 1, parent_rep + 1, FieldRepetitionType::REQUIRED,
                          &node->children[0], &field->type.children[0]));
  field->type.children[0].name = "element";
  field->name = raw.element->name;
  node->name = raw.element->name;
  return Status::OK();
}

Status Converter::List(const RawNode& raw, const std::string& path, int def, int rep,
                       SchemaNode* node, Field* field) {
  const RawNode& repeated = raw.children[0];
  if (raw.children.size() != 1 ||
      repeated.element->repetition_type != FieldRepetitionType::REPEATED) {
    return Status::Corruption("LIST column '" + path + "' must have exactly one repeated child");
  }
  node->kind = SchemaNode::Kind::kList;
  node->repeated_def = def + 1;
  node->repeated_rep = rep + 1;
  node->children.resize(1);
  field->type = DataType::Primitive(TypeId::kArray);
  field->type.children.resize(1);
  const std::string& rname = repeated.element->name;
  const std::string rpath = path + "." + rname;
  // LogicalTypes.md backward-compatibility rules: is the repeated node the element?
  const bool repeated_is_element = repeated.children.size() != 1 || rname == "array" ||
                                   rname == raw.element->name + "_tuple";
  Field& element = field->type.children[0];
  if (repeated_is_element) {
    RS_RETURN_IF_ERROR(Node(repeated, rpath, def + 1, rep + 1, FieldRepetitionType::REQUIRED,
                            &node->children[0], &element));
  } else {
    const RawNode& child = repeated.children[0];
    RS_RETURN_IF_ERROR(Node(child, rpath + "." + child.element->name, def + 1, rep + 1,
                            child.element->repetition_type, &node->children[0], &element));
  }
  field->type.contains_null = element.nullable;
  return Status::OK();
}

Status Converter::Map(const RawNode& raw, const std::string& path, int def, int rep,
                      SchemaNode* node, Field* field) {
  const RawNode& kv = raw.children[0];
  if (raw.children.size() != 1 || kv.element->repetition_type != FieldRepetitionType::REPEATED ||
      kv.children.size() != 2) {
    return Status::Corruption("MAP column '" + path +
                              "' must have one repeated key_value group with two children");
  }
  node->kind = SchemaNode::Kind::kMap;
  node->repeated_def = def + 1;
  node->repeated_rep = rep + 1;
  node->children.resize(2);
  field->type = DataType::Primitive(TypeId::kMap);
  field->type.children.resize(2);
  const std::string kv_path = path + "." + kv.element->name;
  for (size_t i = 0; i < 2; ++i) {
    const RawNode& child = kv.children[i];
    RS_RETURN_IF_ERROR(Node(child, kv_path + "." + child.element->name, def + 1, rep + 1,
                            child.element->repetition_type, &node->children[i],
                            &field->type.children[i]));
  }
  field->type.contains_null = field->type.children[1].nullable;
  return Status::OK();
}

}  // namespace

Result<FileSchema> BuildFileSchema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corruption("schema is empty");
  RawNode root;
  size_t pos = 0;
  const SchemaElement& first = elements[0];
  if (!first.__isset.num_children || first.num_children < 0) {
    return Status::Corruption("schema root '" + first.name + "' has no children count");
  }
  if (first.num_children == 0) {
    root.element = &first;
    pos = 1;
  } else {
    RS_RETURN_IF_ERROR(ParseRaw(elements, &pos, 0, &root));
  }
  if (pos != elements.size()) {
    return Status::Corruption("schema has " + std::to_string(elements.size() - pos) +
                              " elements outside the root");
  }
  FileSchema out;
  Converter converter(&out);
  out.fields.resize(root.children.size());
  out.top.resize(root.children.size());
  for (size_t i = 0; i < root.children.size(); ++i) {
    const RawNode& child = root.children[i];
    converter.top_level = static_cast<int>(i);
    const auto repetition = child.element->__isset.repetition_type
                                ? child.element->repetition_type
                                : FieldRepetitionType::OPTIONAL;
    RS_RETURN_IF_ERROR(converter.Node(child, child.element->name, 0, 0, repetition, &out.top[i],
                                      &out.fields[i]));
  }
  return out;
}

}  // namespace rs::parquet
