// Test helper: builds Delta tables with V2 checkpoints (PROTOCOL.md "V2 Spec",
// "Sidecar Files") the way other engines write them, in any Storage: JSON
// action lines, Parquet checkpoint and sidecar files (through the project's
// Parquet writer), data files with one `id` column.
//
// V2Table writes a two-commit table:
//   version 0: protocol (3, 7, v2Checkpoint), metaData, add part-0 (ids 0 1),
//              add part-1 (ids 2 3 4)
//   version 1: add part-2 (id 5), remove part-0
// so the state at version 1 is part-1 and part-2 (ids 2..5), tombstone part-0.
// Tests then add checkpoints of version 1 and delete commit 0, so the
// snapshot can only come from a checkpoint.
#ifndef RS_TESTS_DELTA_V2_TABLE_BUILDER_H_
#define RS_TESTS_DELTA_V2_TABLE_BUILDER_H_

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "parquet/writer.h"
#include "storage/storage.h"

namespace rs::delta::v2test {

using nlohmann::json;

inline const char* kIdSchemaString =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";

inline json ProtocolLine() {
  return {{"protocol",
           {{"minReaderVersion", 3},
            {"minWriterVersion", 7},
            {"readerFeatures", {"v2Checkpoint"}},
            {"writerFeatures", {"v2Checkpoint", "appendOnly", "invariants"}}}}};
}

inline json MetadataLine() {
  return {{"metaData",
           {{"id", "5f8e6c1a-0000-4000-8000-000000000001"},
            {"format", {{"provider", "parquet"}, {"options", json::object()}}},
            {"schemaString", kIdSchemaString},
            {"partitionColumns", json::array()},
            {"configuration", {{"delta.checkpointPolicy", "v2"}}},
            {"createdTime", 1700000000000}}}};
}

inline json AddLine(const std::string& path, int64_t size, int64_t num_records) {
  return {{"add",
           {{"path", path},
            {"partitionValues", json::object()},
            {"size", size},
            {"modificationTime", 1700000000000},
            {"dataChange", true},
            {"stats", json({{"numRecords", num_records}}).dump()}}}};
}

inline json RemoveLine(const std::string& path) {
  return {{"remove", {{"path", path}, {"deletionTimestamp", 1700000001000}, {"dataChange", true}}}};
}

inline json CheckpointMetadataLine(int64_t version) {
  return {{"checkpointMetadata", {{"version", version}, {"tags", json::object()}}}};
}

inline json SidecarLine(const std::string& path, int64_t size_bytes) {
  return {{"sidecar",
           {{"path", path},
            {"sizeInBytes", size_bytes},
            {"modificationTime", 1700000002000},
            {"tags", json::object()}}}};
}

inline std::string JsonLines(const std::vector<json>& lines) {
  std::string text;
  for (const json& l : lines) text += l.dump() + "\n";
  return text;
}

// --- Parquet checkpoint files: one struct column per action, one action per row ---

inline DataType Str() { return DataType::Primitive(TypeId::kString); }
inline DataType Long() { return DataType::Primitive(TypeId::kLong); }
inline DataType Int() { return DataType::Primitive(TypeId::kInteger); }
inline DataType Bool() { return DataType::Primitive(TypeId::kBoolean); }
inline DataType StructOf(std::vector<Field> fields) {
  return DataType{TypeId::kStruct, 0, 0, std::move(fields), true};
}
inline DataType StrMap() {
  return DataType{TypeId::kMap, 0, 0, {{"key", Str(), false}, {"value", Str(), true}}, true};
}
inline DataType StrList() {
  return DataType{TypeId::kArray, 0, 0, {{"element", Str(), true}}, true};
}

// The checkpoint schema of PROTOCOL.md's appendix, V2 actions included.
inline Schema CheckpointFileSchema(bool file_actions_only) {
  Schema file_actions = {{"add", StructOf({{"path", Str()},
                                           {"partitionValues", StrMap()},
                                           {"size", Long()},
                                           {"modificationTime", Long()},
                                           {"dataChange", Bool()},
                                           {"stats", Str()}})},
                         {"remove", StructOf({{"path", Str()},
                                              {"deletionTimestamp", Long()},
                                              {"dataChange", Bool()},
                                              {"partitionValues", StrMap()},
                                              {"size", Long()}})}};
  if (file_actions_only) return file_actions;
  Schema all = {
      {"protocol", StructOf({{"minReaderVersion", Int()},
                             {"minWriterVersion", Int()},
                             {"readerFeatures", StrList()},
                             {"writerFeatures", StrList()}})},
      {"metaData", StructOf({{"id", Str()},
                             {"name", Str()},
                             {"description", Str()},
                             {"format", StructOf({{"provider", Str()}, {"options", StrMap()}})},
                             {"schemaString", Str()},
                             {"partitionColumns", StrList()},
                             {"configuration", StrMap()},
                             {"createdTime", Long()}})},
      {"txn", StructOf({{"appId", Str()}, {"version", Long()}, {"lastUpdated", Long()}})},
      file_actions[0],
      file_actions[1],
      {"checkpointMetadata", StructOf({{"version", Long()}, {"tags", StrMap()}})},
      {"sidecar", StructOf({{"path", Str()},
                            {"sizeInBytes", Long()},
                            {"modificationTime", Long()},
                            {"tags", StrMap()}})}};
  return all;
}

inline Value JsonToValue(const DataType& type, const json& v) {
  if (v.is_null()) return Value::Null();
  Value out;
  switch (type.id) {
    case TypeId::kStruct:
      out.kind = Value::Kind::kStruct;
      for (const Field& f : type.children) {
        out.children.push_back(JsonToValue(f.type, v.contains(f.name) ? v[f.name] : json()));
      }
      return out;
    case TypeId::kMap:
      out.kind = Value::Kind::kMap;
      for (const auto& [k, e] : v.items()) {
        out.children.push_back(Value::Bytes(k));
        out.children.push_back(JsonToValue(type.children[1].type, e));
      }
      return out;
    case TypeId::kArray:
      out.kind = Value::Kind::kList;
      for (const json& e : v) out.children.push_back(JsonToValue(type.children[0].type, e));
      return out;
    case TypeId::kBoolean:
      return Value::Bool(v.get<bool>());
    case TypeId::kString:
      return Value::Bytes(v.get<std::string>());
    default:
      return Value::Int(v.get<int64_t>());
  }
}

// Writes `lines` (one action each) as a Parquet checkpoint file; returns its size.
inline int64_t PutParquetActions(storage::Storage& store, const std::string& key,
                                 const std::vector<json>& lines, bool file_actions_only = false) {
  RecordBatch batch;
  batch.schema = CheckpointFileSchema(file_actions_only);
  for (const Field& f : batch.schema) {
    ColumnVector col = ColumnVector::Make(f);
    std::vector<Value> cells;
    for (const json& line : lines) {
      Value v = line.contains(f.name) ? JsonToValue(f.type, line[f.name]) : Value::Null();
      col.validity.push_back(v.is_null() ? 0 : 1);
      cells.push_back(std::move(v));
    }
    col.values = std::move(cells);
    batch.columns.push_back(std::move(col));
  }
  batch.num_rows = lines.size();
  auto summary = parquet::WriteFile(store, key, batch, parquet::WriterOptions{});
  EXPECT_TRUE(summary.ok()) << key << ": " << summary.status().ToString();
  return summary.ok() ? static_cast<int64_t>(summary->size_bytes) : -1;
}

// Writes a data file with one `id` column; returns its size.
inline int64_t PutIds(storage::Storage& store, const std::string& key,
                      const std::vector<int64_t>& ids) {
  RecordBatch batch;
  batch.schema = {{"id", Long(), true}};
  batch.columns.push_back(ColumnVector::Make(batch.schema[0]));
  batch.columns[0].As<int64_t>() = ids;
  batch.num_rows = ids.size();
  auto summary = parquet::WriteFile(store, key, batch, parquet::WriterOptions{});
  EXPECT_TRUE(summary.ok()) << key << ": " << summary.status().ToString();
  return summary.ok() ? static_cast<int64_t>(summary->size_bytes) : -1;
}

inline const char* kUuidA = "0a1b2c3d-0000-4000-8000-00000000000a";
inline const char* kUuidB = "0a1b2c3d-0000-4000-8000-00000000000b";

// The two-commit table described at the top, rooted at `root` in `store`.
class V2Table {
 public:
  V2Table(std::shared_ptr<storage::Storage> store, std::string root)
      : store_(std::move(store)), root_(std::move(root)) {
    size0_ = PutIds(*store_, Key("part-0.parquet"), {0, 1});
    size1_ = PutIds(*store_, Key("part-1.parquet"), {2, 3, 4});
    size2_ = PutIds(*store_, Key("part-2.parquet"), {5});
    Put("_delta_log/00000000000000000000.json",
        JsonLines({ProtocolLine(), MetadataLine(), AddLine("part-0.parquet", size0_, 2),
                   AddLine("part-1.parquet", size1_, 3)}));
    Put("_delta_log/00000000000000000001.json",
        JsonLines({AddLine("part-2.parquet", size2_, 1), RemoveLine("part-0.parquet")}));
  }

  std::string Key(const std::string& relative) const {
    return root_.empty() ? relative : root_ + "/" + relative;
  }
  void Put(const std::string& relative, const std::string& bytes) {
    ASSERT_TRUE(store_->Put(Key(relative), bytes).ok()) << relative;
  }
  void Delete(const std::string& relative) {
    ASSERT_TRUE(store_->Delete(Key(relative)).ok()) << relative;
  }

  // The file actions of version 1, split over two sidecars under
  // _delta_log/_sidecars/<prefix>-1.parquet and -2.parquet; returns their
  // sidecar actions.
  std::vector<json> WriteSidecars(const std::string& prefix) {
    std::string one = prefix + "-1.parquet";
    std::string two = prefix + "-2.parquet";
    int64_t size_one = PutParquetActions(*store_, Key("_delta_log/_sidecars/" + one),
                                         {AddLine("part-1.parquet", size1_, 3)}, true);
    int64_t size_two = PutParquetActions(
        *store_, Key("_delta_log/_sidecars/" + two),
        {AddLine("part-2.parquet", size2_, 1), RemoveLine("part-0.parquet")}, true);
    return {SidecarLine(one, size_one), SidecarLine(two, size_two)};
  }

  // The non-file actions of a V2 checkpoint of version 1 plus `sidecars`.
  static std::vector<json> TopLevel(const std::vector<json>& sidecars, int64_t version = 1) {
    std::vector<json> lines = {CheckpointMetadataLine(version), ProtocolLine(), MetadataLine()};
    lines.insert(lines.end(), sidecars.begin(), sidecars.end());
    return lines;
  }

  const std::shared_ptr<storage::Storage>& store() const { return store_; }
  int64_t size1() const { return size1_; }
  int64_t size2() const { return size2_; }

 private:
  std::shared_ptr<storage::Storage> store_;
  std::string root_;
  int64_t size0_ = 0;
  int64_t size1_ = 0;
  int64_t size2_ = 0;
};

}  // namespace rs::delta::v2test

#endif  // RS_TESTS_DELTA_V2_TABLE_BUILDER_H_
