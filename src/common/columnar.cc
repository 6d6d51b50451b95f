#include "common/columnar.h"

namespace rs {

ColumnVector ColumnVector::Make(Field f) {
  ColumnVector c;
  switch (f.type.id) {
    case TypeId::kBoolean:
      c.values = std::vector<uint8_t>{};
      break;
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kDate:
      c.values = std::vector<int32_t>{};
      break;
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      c.values = std::vector<int64_t>{};
      break;
    case TypeId::kFloat:
      c.values = std::vector<float>{};
      break;
    case TypeId::kDouble:
      c.values = std::vector<double>{};
      break;
    case TypeId::kString:
    case TypeId::kBinary:
      c.values = std::vector<std::string>{};
      break;
    case TypeId::kDecimal:
      if (f.type.precision <= 9) {
        c.values = std::vector<int32_t>{};
      } else if (f.type.precision <= 18) {
        c.values = std::vector<int64_t>{};
      } else {
        c.values = std::vector<std::string>{};
      }
      break;
    case TypeId::kStruct:
    case TypeId::kArray:
    case TypeId::kMap:
      c.values = std::vector<Value>{};
      break;
  }
  c.field = std::move(f);
  return c;
}

std::string_view KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kDouble: return "double";
    case Value::Kind::kBytes: return "bytes";
    case Value::Kind::kList: return "list";
    case Value::Kind::kStruct: return "struct";
    case Value::Kind::kMap: return "map";
  }
  return "?";
}

std::string_view TypeName(TypeId id) {
  switch (id) {
    case TypeId::kBoolean: return "boolean";
    case TypeId::kByte: return "byte";
    case TypeId::kShort: return "short";
    case TypeId::kInteger: return "integer";
    case TypeId::kLong: return "long";
    case TypeId::kFloat: return "float";
    case TypeId::kDouble: return "double";
    case TypeId::kString: return "string";
    case TypeId::kBinary: return "binary";
    case TypeId::kDate: return "date";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kTimestampNtz: return "timestamp_ntz";
    case TypeId::kDecimal: return "decimal";
    case TypeId::kStruct: return "struct";
    case TypeId::kArray: return "array";
    case TypeId::kMap: return "map";
  }
  return "unknown";
}

Status AppendRows(RecordBatch* dst, const RecordBatch& src) {
  if (dst->schema.empty() && dst->columns.empty()) {
    *dst = src;
    return Status::OK();
  }
  if (dst->columns.size() != src.columns.size()) {
    return Status::InvalidArgument("append rows: " + std::to_string(src.columns.size()) +
                                   " columns, expected " + std::to_string(dst->columns.size()));
  }
  for (size_t c = 0; c < src.columns.size(); ++c) {
    ColumnVector& d = dst->columns[c];
    const ColumnVector& s = src.columns[c];
    if (d.values.index() != s.values.index() || d.field.type.id != s.field.type.id) {
      return Status::InvalidArgument("append rows: column '" + s.field.name + "' is " +
                                     std::string(TypeName(s.field.type.id)) + ", expected " +
                                     std::string(TypeName(d.field.type.id)) + " as before");
    }
    size_t before = d.size();
    if (!d.validity.empty() || !s.validity.empty()) {
      if (d.validity.empty()) d.validity.assign(before, 1);
      if (s.validity.empty()) {
        d.validity.insert(d.validity.end(), s.size(), 1);
      } else {
        d.validity.insert(d.validity.end(), s.validity.begin(), s.validity.end());
      }
    }
    std::visit(
        [&](auto& dv) {
          using V = std::decay_t<decltype(dv)>;
          const V& sv = std::get<V>(s.values);
          dv.insert(dv.end(), sv.begin(), sv.end());
        },
        d.values);
  }
  dst->num_rows += src.num_rows;
  return Status::OK();
}

RecordBatch TakeRows(const RecordBatch& batch, const std::vector<size_t>& rows) {
  RecordBatch out;
  out.schema = batch.schema;
  out.num_rows = rows.size();
  for (const ColumnVector& c : batch.columns) {
    ColumnVector t = ColumnVector::Make(c.field);
    if (!c.validity.empty()) {
      t.validity.reserve(rows.size());
      for (size_t r : rows) t.validity.push_back(c.validity[r]);
    }
    std::visit(
        [&](auto& dv) {
          using V = std::decay_t<decltype(dv)>;
          const V& sv = std::get<V>(c.values);
          dv.reserve(rows.size());
          for (size_t r : rows) dv.push_back(sv[r]);
        },
        t.values);
    out.columns.push_back(std::move(t));
  }
  return out;
}

Result<RecordBatch> SelectColumns(const RecordBatch& batch, const std::vector<std::string>& names) {
  RecordBatch out;
  out.num_rows = batch.num_rows;
  for (const std::string& name : names) {
    int i = batch.FindColumn(name);
    if (i < 0) return Status::NotFound("column '" + name + "' not found");
    out.schema.push_back(batch.schema[i]);
    out.columns.push_back(batch.columns[i]);
  }
  return out;
}

int RecordBatch::FindColumn(const std::string& name) const {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace rs
