#include "parquet/writer_schema_internal.h"

#include <set>
#include <utility>

namespace rs::parquet {
namespace {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;

format::LogicalType IntLogical(int bits) {
  format::IntType t;
  t.__set_bitWidth(static_cast<int8_t>(bits));
  t.__set_isSigned(true);
  format::LogicalType l;
  l.__set_INTEGER(t);
  return l;
}

format::LogicalType TimestampLogical(bool utc) {
  format::TimeUnit unit;
  unit.__set_MICROS(format::MicroSeconds());
  format::TimestampType t;
  t.__set_isAdjustedToUTC(utc);
  t.__set_unit(unit);
  format::LogicalType l;
  l.__set_TIMESTAMP(t);
  return l;
}

format::LogicalType DecimalLogical(int precision, int scale) {
  format::DecimalType t;
  t.__set_precision(precision);
  t.__set_scale(scale);
  format::LogicalType l;
  l.__set_DECIMAL(t);
  return l;
}

void SetDecimal(const DataType& type, SchemaElement* e, LeafColumn* leaf) {
  e->__set_logicalType(DecimalLogical(type.precision, type.scale));
  e->__set_converted_type(ConvertedType::DECIMAL);
  e->__set_precision(type.precision);
  e->__set_scale(type.scale);
  if (type.precision <= 9) {
    leaf->physical_type = format::Type::INT32;
    leaf->storage = LeafStorage::kInt32;
  } else if (type.precision <= 18) {
    leaf->physical_type = format::Type::INT64;
    leaf->storage = LeafStorage::kInt64;
  } else {
    leaf->physical_type = format::Type::FIXED_LEN_BYTE_ARRAY;
    leaf->storage = LeafStorage::kFixedBytes;
    leaf->type_length = DecimalByteWidth(type.precision);
    e->__set_type_length(leaf->type_length);
  }
}

// Physical type, annotations and in-memory storage of a primitive field.
void SetPrimitive(const DataType& type, SchemaElement* e, LeafColumn* leaf) {
  using format::Type;
  auto set = [&](Type::type physical, LeafStorage storage) {
    leaf->physical_type = physical;
    leaf->storage = storage;
  };
  switch (type.id) {
    case TypeId::kBoolean: set(Type::BOOLEAN, LeafStorage::kBool); break;
    case TypeId::kByte:
      set(Type::INT32, LeafStorage::kInt32);
      e->__set_logicalType(IntLogical(8));
      e->__set_converted_type(ConvertedType::INT_8);
      break;
    case TypeId::kShort:
      set(Type::INT32, LeafStorage::kInt32);
      e->__set_logicalType(IntLogical(16));
      e->__set_converted_type(ConvertedType::INT_16);
      break;
    case TypeId::kInteger: set(Type::INT32, LeafStorage::kInt32); break;
    case TypeId::kLong: set(Type::INT64, LeafStorage::kInt64); break;
    case TypeId::kFloat: set(Type::FLOAT, LeafStorage::kFloat); break;
    case TypeId::kDouble: set(Type::DOUBLE, LeafStorage::kDouble); break;
    case TypeId::kString: {
      set(Type::BYTE_ARRAY, LeafStorage::kBytes);
      format::LogicalType l;
      l.__set_STRING(format::StringType());
      e->__set_logicalType(l);
      e->__set_converted_type(ConvertedType::UTF8);
      leaf->signed_order = false;
      break;
    }
    case TypeId::kBinary:
      set(Type::BYTE_ARRAY, LeafStorage::kBytes);
      leaf->signed_order = false;
      break;
    case TypeId::kDate: {
      set(Type::INT32, LeafStorage::kInt32);
      format::LogicalType l;
      l.__set_DATE(format::DateType());
      e->__set_logicalType(l);
      e->__set_converted_type(ConvertedType::DATE);
      break;
    }
    case TypeId::kTimestamp:
      set(Type::INT64, LeafStorage::kInt64);
      e->__set_logicalType(TimestampLogical(true));
      e->__set_converted_type(ConvertedType::TIMESTAMP_MICROS);
      break;
    case TypeId::kTimestampNtz:
      // No ConvertedType: TIMESTAMP_MICROS implies UTC-adjusted values.
      set(Type::INT64, LeafStorage::kInt64);
      e->__set_logicalType(TimestampLogical(false));
      break;
    case TypeId::kDecimal: SetDecimal(type, e, leaf); break;
    default: break;  // nested types never reach here
  }
  e->__set_type(leaf->physical_type);
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(WriterSchema* out) : out_(out) {}

  Result<ShredNode> AddField(const Field& field, int top, std::vector<std::string> path,
                             int16_t parent_def, int16_t parent_rep, bool optional);

 private:
  Status CheckField(const Field& field, const std::string& where);
  ShredNode AddLeaf(const Field& field, int top, std::vector<std::string> path, int16_t def,
                    int16_t rep, bool optional);
  Result<ShredNode> AddRepeated(const Field& field, int top, std::vector<std::string> path,
                                int16_t def, int16_t rep, bool optional);

  WriterSchema* out_;
};

SchemaElement Element(const Field& field, bool optional) {
  SchemaElement e;
  e.__set_name(field.name);
  e.__set_repetition_type(optional ? FieldRepetitionType::OPTIONAL
                                   : FieldRepetitionType::REQUIRED);
  if (field.field_id) e.__set_field_id(*field.field_id);
  return e;
}

std::string Dotted(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

Status SchemaBuilder::CheckField(const Field& field, const std::string& where) {
  const DataType& t = field.type;
  if (field.name.empty()) return Status::InvalidArgument("field in " + where + " has no name");
  if (t.id == TypeId::kDecimal && (t.precision < 1 || t.precision > 38 || t.scale < 0 ||
                                   t.scale > t.precision)) {
    return Status::InvalidArgument("field " + where + ": decimal(" + std::to_string(t.precision) +
                                   "," + std::to_string(t.scale) + ") is out of range");
  }
  size_t want = t.id == TypeId::kArray ? 1 : t.id == TypeId::kMap ? 2 : t.children.size();
  if (t.children.size() != want || (t.id == TypeId::kStruct && want == 0)) {
    return Status::InvalidArgument("field " + where + ": nested type has " +
                                   std::to_string(t.children.size()) + " children");
  }
  if (t.id == TypeId::kStruct) {
    std::set<std::string> names;
    for (const Field& c : t.children) {
      if (!names.insert(c.name).second) {
        return Status::InvalidArgument("field " + where + ": duplicate child " + c.name);
      }
    }
  }
  return Status::OK();
}

ShredNode SchemaBuilder::AddLeaf(const Field& field, int top, std::vector<std::string> path,
                                 int16_t def, int16_t rep, bool optional) {
  SchemaElement e = Element(field, optional);
  LeafColumn leaf;
  leaf.type = field.type;
  leaf.max_def = def;
  leaf.max_rep = rep;
  leaf.top_column = top;
  leaf.top_level = path.size() == 1;
  SetPrimitive(field.type, &e, &leaf);
  ShredNode node;
  node.kind = ShredNode::Kind::kLeaf;
  node.name = Dotted(path);
  leaf.path = std::move(path);
  node.optional = optional;
  node.def = def;
  node.leaf = static_cast<int>(out_->leaves.size());
  node.first_leaf = node.leaf;
  node.end_leaf = node.leaf + 1;
  out_->leaves.push_back(std::move(leaf));
  out_->elements.push_back(std::move(e));
  return node;
}

// LIST and MAP: the annotated group, its repeated child, then the children.
Result<ShredNode> SchemaBuilder::AddRepeated(const Field& field, int top,
                                             std::vector<std::string> path, int16_t def,
                                             int16_t rep, bool optional) {
  const bool is_map = field.type.id == TypeId::kMap;
  SchemaElement group = Element(field, optional);
  format::LogicalType logical;
  if (is_map) {
    logical.__set_MAP(format::MapType());
  } else {
    logical.__set_LIST(format::ListType());
  }
  group.__set_logicalType(logical);
  group.__set_converted_type(is_map ? ConvertedType::MAP : ConvertedType::LIST);
  group.__set_num_children(1);
  out_->elements.push_back(std::move(group));
  const std::string inner = is_map ? "key_value" : "list";
  SchemaElement repeated;
  repeated.__set_name(inner);
  repeated.__set_repetition_type(FieldRepetitionType::REPEATED);
  repeated.__set_num_children(is_map ? 2 : 1);
  out_->elements.push_back(std::move(repeated));

  ShredNode node;
  node.kind = is_map ? ShredNode::Kind::kMap : ShredNode::Kind::kList;
  node.name = Dotted(path);
  node.optional = optional;
  node.def = def;
  node.repeated_def = static_cast<int16_t>(def + 1);
  node.repeated_rep = static_cast<int16_t>(rep + 1);
  node.first_leaf = static_cast<int>(out_->leaves.size());
  path.push_back(inner);
  std::vector<Field> items;
  if (is_map) {
    items.push_back(
        Field{"key", field.type.children[0].type, false, field.type.children[0].field_id});
    items.push_back(Field{"value", field.type.children[1].type, field.type.contains_null,
                          field.type.children[1].field_id});
  } else {
    items.push_back(Field{"element", field.type.children[0].type, field.type.contains_null,
                          field.type.children[0].field_id});
  }
  for (const Field& item : items) {
    RS_ASSIGN_OR_RETURN(ShredNode child, AddField(item, top, path, node.repeated_def,
                                                  node.repeated_rep, item.nullable));
    node.children.push_back(std::move(child));
  }
  node.end_leaf = static_cast<int>(out_->leaves.size());
  return node;
}

Result<ShredNode> SchemaBuilder::AddField(const Field& field, int top,
                                          std::vector<std::string> path, int16_t parent_def,
                                          int16_t parent_rep, bool optional) {
  path.push_back(field.name);
  RS_RETURN_IF_ERROR(CheckField(field, Dotted(path)));
  const int16_t def = static_cast<int16_t>(parent_def + (optional ? 1 : 0));
  if (!field.type.is_nested()) return AddLeaf(field, top, std::move(path), def, parent_rep, optional);
  if (field.type.id != TypeId::kStruct) {
    return AddRepeated(field, top, std::move(path), def, parent_rep, optional);
  }
  SchemaElement group = Element(field, optional);
  group.__set_num_children(static_cast<int32_t>(field.type.children.size()));
  out_->elements.push_back(std::move(group));
  ShredNode node;
  node.kind = ShredNode::Kind::kStruct;
  node.name = Dotted(path);
  node.optional = optional;
  node.def = def;
  node.first_leaf = static_cast<int>(out_->leaves.size());
  for (const Field& child : field.type.children) {
    RS_ASSIGN_OR_RETURN(ShredNode c, AddField(child, top, path, def, parent_rep, child.nullable));
    node.children.push_back(std::move(c));
  }
  node.end_leaf = static_cast<int>(out_->leaves.size());
  return node;
}

}  // namespace

int32_t DecimalByteWidth(int precision) {
  // Smallest n with 2^(8n-1) > 10^precision - 1, i.e. n bytes hold every value.
  int32_t bytes = 1;
  long double limit = 1;
  for (int i = 0; i < precision; ++i) limit *= 10;
  long double max_value = 128;  // 2^(8*1-1)
  while (max_value < limit) {
    ++bytes;
    max_value *= 256;
  }
  return bytes;
}

Result<WriterSchema> BuildWriterSchema(const Schema& schema) {
  if (schema.empty()) return Status::InvalidArgument("schema has no columns");
  WriterSchema out;
  SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(static_cast<int32_t>(schema.size()));
  out.elements.push_back(std::move(root));
  std::set<std::string> names;
  SchemaBuilder builder(&out);
  for (size_t i = 0; i < schema.size(); ++i) {
    if (!names.insert(schema[i].name).second) {
      return Status::InvalidArgument("schema has duplicate column " + schema[i].name);
    }
    RS_ASSIGN_OR_RETURN(ShredNode node, builder.AddField(schema[i], static_cast<int>(i), {}, 0, 0,
                                                         schema[i].nullable));
    out.roots.push_back(std::move(node));
  }
  return out;
}

}  // namespace rs::parquet
