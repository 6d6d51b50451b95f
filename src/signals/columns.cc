#include "signals/columns_internal.h"

#include <fmt/format.h>

#include "common/parallel.h"

namespace rs::signals::internal {

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

namespace {

std::string ExpectedTypes(std::initializer_list<TypeId> types) {
  std::string out;
  for (TypeId t : types) {
    if (!out.empty()) out += " or ";
    out += TypeName(t);
  }
  return out;
}

}  // namespace

Result<const ColumnVector*> RequireColumn(const RecordBatch& batch, std::string_view table,
                                          const std::string& name,
                                          std::initializer_list<TypeId> types) {
  int index = batch.FindColumn(name);
  if (index < 0 || static_cast<size_t>(index) >= batch.columns.size()) {
    return Status::InvalidArgument(fmt::format("{}: missing column '{}' (expected {})", table,
                                               name, ExpectedTypes(types)));
  }
  const ColumnVector& column = batch.columns[index];
  TypeId actual = batch.schema[index].type.id;
  for (TypeId t : types) {
    if (t == actual) {
      if (column.size() != batch.num_rows) {
        return Status::InvalidArgument(fmt::format(
            "{}: column '{}' has {} values for {} rows; the batch is malformed", table, name,
            column.size(), batch.num_rows));
      }
      return &column;
    }
  }
  return Status::InvalidArgument(fmt::format("{}: column '{}' has type {}, expected {}", table,
                                             name, TypeName(actual), ExpectedTypes(types)));
}

ColumnVector MakeSizedColumn(const Field& field, size_t rows) {
  ColumnVector column = ColumnVector::Make(field);
  std::visit([rows](auto& v) { v.resize(rows); }, column.values);
  return column;
}

RecordBatch MakeSizedBatch(const Schema& schema, size_t rows, int threads) {
  RecordBatch batch;
  batch.schema = schema;
  batch.num_rows = rows;
  batch.columns.resize(schema.size());
  ParallelForChunks(schema.size(), 1, threads,
              [&](size_t lo, size_t hi) {
                for (size_t c = lo; c < hi; ++c) batch.columns[c] = MakeSizedColumn(schema[c], rows);
              });
  return batch;
}

}  // namespace rs::signals::internal
