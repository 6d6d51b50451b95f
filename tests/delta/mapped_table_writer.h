// Writes Delta tables with column mapping for tests, as Spark lays them out:
// data files with physical column names (and Parquet field ids), a schema
// whose field metadata names the physical side, partitionValues and stats
// keyed by physical name. The Delta writer of this project does not write
// column mapping (it refuses writer version 5), so tests build the log here.
#ifndef RS_TESTS_DELTA_MAPPED_TABLE_WRITER_H_
#define RS_TESTS_DELTA_MAPPED_TABLE_WRITER_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "parquet/writer.h"
#include "storage/storage.h"

namespace rs::delta::testing {

// A StructField of a Delta schema with column mapping metadata.
inline nlohmann::json MappedField(const std::string& name, nlohmann::json type,
                                  const std::string& physical_name, int id, bool nullable = true) {
  return {{"name", name},
          {"type", std::move(type)},
          {"nullable", nullable},
          {"metadata",
           {{"delta.columnMapping.id", id}, {"delta.columnMapping.physicalName", physical_name}}}};
}

// "col-" + a fixed UUID-shaped suffix from `n`: Spark's physical name form.
inline std::string PhysicalName(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "col-%08x-5c1e-4c1a-9d1b-%012x",
                static_cast<unsigned>(n) * 2654435761u, static_cast<unsigned>(n));
  return buf;
}

class MappedTableWriter {
 public:
  MappedTableWriter(std::shared_ptr<storage::Storage> store, std::string root)
      : store_(std::move(store)), root_(std::move(root)) {}

  // The protocol and metaData actions of a table in `mode` ("name", "id").
  // `reader_features`: empty = reader 2 / writer 5, else reader 3 / writer 7.
  static std::vector<nlohmann::json> Header(const nlohmann::json& fields,
                                            const std::vector<std::string>& partition_columns,
                                            const std::string& mode,
                                            const std::vector<std::string>& reader_features = {}) {
    nlohmann::json protocol = {{"minReaderVersion", 2}, {"minWriterVersion", 5}};
    if (!reader_features.empty()) {
      protocol = {{"minReaderVersion", 3},
                  {"minWriterVersion", 7},
                  {"readerFeatures", reader_features},
                  {"writerFeatures", reader_features}};
    }
    nlohmann::json schema = {{"type", "struct"}, {"fields", fields}};
    nlohmann::json metadata = {
        {"id", "mapped-test"},
        {"format", {{"provider", "parquet"}, {"options", nlohmann::json::object()}}},
        {"schemaString", schema.dump()},
        {"partitionColumns", partition_columns},
        {"configuration",
         {{"delta.columnMapping.mode", mode}, {"delta.columnMapping.maxColumnId", "100"}}},
        {"createdTime", 1700000000000}};
    return {{{"protocol", protocol}}, {{"metaData", metadata}}};
  }

  // Writes `batch` (physical names; field ids where set) as data file `path`
  // and returns its add action.
  nlohmann::json AddFile(const std::string& path, const RecordBatch& batch,
                         const nlohmann::json& partition_values = nlohmann::json::object(),
                         const std::optional<nlohmann::json>& stats = std::nullopt) {
    auto summary = parquet::WriteFile(*store_, Key(path), batch, {});
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    nlohmann::json add = {{"path", path},
                          {"partitionValues", partition_values},
                          {"size", summary.ok() ? summary->size_bytes : 0},
                          {"modificationTime", 1700000000000},
                          {"dataChange", true}};
    if (stats) add["stats"] = stats->dump();
    return {{"add", add}};
  }

  // Writes commit `version` of `actions` (a commitInfo is added first).
  void Commit(int64_t version, const std::vector<nlohmann::json>& actions) {
    std::string text =
        nlohmann::json({{"commitInfo",
                         {{"timestamp", 1700000000000 + version * 1000}, {"operation", "WRITE"}}}})
            .dump() +
        "\n";
    for (const auto& a : actions) text += a.dump() + "\n";
    char name[64];
    std::snprintf(name, sizeof name, "_delta_log/%020lld.json", static_cast<long long>(version));
    ASSERT_TRUE(store_->Put(Key(name), text).ok());
  }

 private:
  std::string Key(const std::string& relative) const {
    return root_.empty() ? relative : root_ + "/" + relative;
  }

  std::shared_ptr<storage::Storage> store_;
  std::string root_;
};

// A one-column batch helper: appends column `field` with `values` to `batch`.
template <typename T>
void AddColumn(RecordBatch* batch, Field field, const std::vector<T>& values) {
  ColumnVector col = ColumnVector::Make(field);
  col.template As<T>() = values;
  batch->schema.push_back(field);
  batch->columns.push_back(std::move(col));
  batch->num_rows = values.size();
}

}  // namespace rs::delta::testing

#endif  // RS_TESTS_DELTA_MAPPED_TABLE_WRITER_H_
