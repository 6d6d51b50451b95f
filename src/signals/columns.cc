#include "signals/columns_internal.h"

#include <fmt/format.h>

#include "common/parallel.h"

namespace rs::signals::internal {

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
