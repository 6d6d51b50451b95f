// Parquet checkpoints (PROTOCOL.md "Checkpoints"): reading one Parquet
// checkpoint file (classic, part, UUID-named or sidecar; checkpoint_read.cc
// puts them together), and writing a classic one plus _last_checkpoint.
#include <fmt/format.h>

#include <chrono>

#include "delta/parquet_io_internal.h"
#include "delta/replay_internal.h"
#include "parquet/writer.h"

namespace rs::delta {
namespace {

using nlohmann::json;

constexpr const char* kActionColumns[] = {"protocol", "metaData",           "txn",    "add",
                                          "remove",   "checkpointMetadata", "sidecar"};
constexpr int64_t kTombstoneRetentionMs = int64_t{168} * 3600 * 1000;

// A checkpoint cell as the JSON object the same action has in a commit.
json ValueToJson(const DataType& type, const Value& v) {
  if (v.is_null()) return nullptr;
  switch (type.id) {
    case TypeId::kStruct: {
      json obj = json::object();
      for (size_t i = 0; i < type.children.size() && i < v.children.size(); ++i) {
        obj[type.children[i].name] = ValueToJson(type.children[i].type, v.children[i]);
      }
      return obj;
    }
    case TypeId::kArray: {
      json arr = json::array();
      for (const Value& e : v.children) arr.push_back(ValueToJson(type.children[0].type, e));
      return arr;
    }
    case TypeId::kMap: {
      json obj = json::object();
      for (size_t i = 0; i + 1 < v.children.size(); i += 2) {
        json key = ValueToJson(type.children[0].type, v.children[i]);
        obj[key.is_string() ? key.get<std::string>()
                            : key.dump(-1, ' ', false, json::error_handler_t::replace)] =
            ValueToJson(type.children[1].type, v.children[i + 1]);
      }
      return obj;
    }
    default:
      break;
  }
  switch (v.kind) {
    case Value::Kind::kBool: return v.b;
    case Value::Kind::kInt: return v.i;
    case Value::Kind::kFloat: return v.f;
    case Value::Kind::kDouble: return v.d;
    case Value::Kind::kBytes: return json(v.bytes);
    default: return nullptr;
  }
}

bool IsFileAction(std::string_view column) { return column == "add" || column == "remove"; }

// --- writing ---

DataType StringType() { return DataType::Primitive(TypeId::kString); }
DataType LongType() { return DataType::Primitive(TypeId::kLong); }
DataType BoolType() { return DataType::Primitive(TypeId::kBoolean); }
DataType StructType(std::vector<Field> fields) {
  return DataType{TypeId::kStruct, 0, 0, std::move(fields), true};
}
DataType StringMapType() {
  return DataType{TypeId::kMap, 0, 0, {{"key", StringType(), false}, {"value", StringType(), true}},
                  true};
}
DataType StringListType() {
  return DataType{TypeId::kArray, 0, 0, {{"element", StringType(), true}}, true};
}

DataType DeletionVectorType() {
  return StructType({{"storageType", StringType()}, {"pathOrInlineDv", StringType()},
                     {"offset", DataType::Primitive(TypeId::kInteger)},
                     {"sizeInBytes", DataType::Primitive(TypeId::kInteger)},
                     {"cardinality", LongType()}, {"maxRowIndex", LongType()}});
}

Schema CheckpointSchema() {
  return {
      {"txn", StructType({{"appId", StringType()}, {"version", LongType()},
                          {"lastUpdated", LongType()}})},
      {"add", StructType({{"path", StringType()}, {"partitionValues", StringMapType()},
                          {"size", LongType()}, {"modificationTime", LongType()},
                          {"dataChange", BoolType()}, {"tags", StringMapType()},
                          {"stats", StringType()}, {"deletionVector", DeletionVectorType()}})},
      {"remove", StructType({{"path", StringType()}, {"deletionTimestamp", LongType()},
                             {"dataChange", BoolType()}, {"extendedFileMetadata", BoolType()},
                             {"partitionValues", StringMapType()}, {"size", LongType()},
                             {"deletionVector", DeletionVectorType()}})},
      {"metaData",
       StructType({{"id", StringType()}, {"name", StringType()}, {"description", StringType()},
                   {"format", StructType({{"provider", StringType()}, {"options", StringMapType()}})},
                   {"schemaString", StringType()}, {"partitionColumns", StringListType()},
                   {"configuration", StringMapType()}, {"createdTime", LongType()}})},
      {"protocol", StructType({{"minReaderVersion", DataType::Primitive(TypeId::kInteger)},
                               {"minWriterVersion", DataType::Primitive(TypeId::kInteger)},
                               {"readerFeatures", StringListType()},
                               {"writerFeatures", StringListType()}})},
  };
}

Value Str(const std::string& s) { return Value::Bytes(s); }
Value OptInt(const std::optional<int64_t>& v) { return v ? Value::Int(*v) : Value::Null(); }
Value StructOf(std::vector<Value> children) {
  Value v;
  v.kind = Value::Kind::kStruct;
  v.children = std::move(children);
  return v;
}
template <typename M>
Value MapOf(const M& entries) {
  Value v;
  v.kind = Value::Kind::kMap;
  for (const auto& [k, val] : entries) {
    v.children.push_back(Str(k));
    if constexpr (std::is_same_v<std::decay_t<decltype(val)>, std::optional<std::string>>) {
      v.children.push_back(val ? Str(*val) : Value::Null());
    } else {
      v.children.push_back(Str(val));
    }
  }
  return v;
}
Value ListOf(const std::optional<std::vector<std::string>>& items) {
  if (!items) return Value::Null();
  Value v;
  v.kind = Value::Kind::kList;
  for (const std::string& s : *items) v.children.push_back(Str(s));
  return v;
}

// A checkpoint holds the table's state, not a change to it: its add and remove
// actions carry dataChange=false, as the reference implementation (Spark)
// writes them, so a streaming reader starting from a checkpoint does not take
// the whole table for new data.
Value DeletionVectorRow(const std::optional<DeletionVectorDescriptor>& dv) {
  if (!dv) return Value::Null();
  return StructOf({Str(std::string(1, dv->storage_type)), Str(dv->path_or_inline_dv),
                   dv->offset ? Value::Int(*dv->offset) : Value::Null(),
                   Value::Int(dv->size_bytes), Value::Int(dv->cardinality),
                   OptInt(dv->max_row_index)});
}

Value AddRow(const AddFile& f) {
  return StructOf({Str(f.path), MapOf(f.partition_values), Value::Int(f.size_bytes),
                   Value::Int(f.modification_time_ms), Value::Bool(false), Value::Null(),
                   f.stats_json.empty() ? Value::Null() : Str(f.stats_json),
                   DeletionVectorRow(f.deletion_vector)});
}

Value RemoveRow(const RemoveFile& f) {
  return StructOf({Str(f.path), OptInt(f.deletion_timestamp_ms), Value::Bool(false),
                   Value::Bool(true), MapOf(f.partition_values), OptInt(f.size_bytes),
                   DeletionVectorRow(f.deletion_vector)});
}

Value MetadataRow(const Metadata& m) {
  return StructOf({Str(m.id), m.name.empty() ? Value::Null() : Str(m.name),
                   m.description.empty() ? Value::Null() : Str(m.description),
                   StructOf({Str(m.format_provider), MapOf(std::map<std::string, std::string>{})}),
                   Str(m.schema_string), ListOf(m.partition_columns),
                   MapOf(m.configuration), OptInt(m.created_time_ms)});
}

Value ProtocolRow(const Protocol& p) {
  return StructOf({Value::Int(p.min_reader_version), Value::Int(p.min_writer_version),
                   ListOf(p.reader_features), ListOf(p.writer_features)});
}

// One row per action; exactly one column of each row is non-null.
RecordBatch CheckpointBatch(const Snapshot& s, int64_t now_ms) {
  RecordBatch batch;
  batch.schema = CheckpointSchema();
  std::vector<std::vector<Value>> cells(batch.schema.size());
  auto add_row = [&](size_t column, Value v) {
    for (size_t c = 0; c < cells.size(); ++c) cells[c].push_back(c == column ? v : Value::Null());
  };
  add_row(4, ProtocolRow(s.protocol));
  add_row(3, MetadataRow(s.metadata));
  for (const auto& [app, version] : s.txns) {
    add_row(0, StructOf({Str(app), Value::Int(version), Value::Null()}));
  }
  for (const AddFile& f : s.files) add_row(1, AddRow(f));
  for (const RemoveFile& f : s.tombstones) {
    if (f.deletion_timestamp_ms.value_or(now_ms) >= now_ms - kTombstoneRetentionMs) {
      add_row(2, RemoveRow(f));
    }
  }
  for (size_t c = 0; c < cells.size(); ++c) {
    ColumnVector col = ColumnVector::Make(batch.schema[c]);
    col.validity.reserve(cells[c].size());
    for (const Value& v : cells[c]) col.validity.push_back(v.is_null() ? 0 : 1);
    col.values = std::move(cells[c]);
    batch.columns.push_back(std::move(col));
  }
  batch.num_rows = batch.columns[0].size();
  return batch;
}

}  // namespace

Status ReadParquetCheckpointFile(const std::shared_ptr<storage::Storage>& store,
                                 const std::string& key, bool file_actions_only,
                                 CheckpointContent* content) {
  RS_ASSIGN_OR_RETURN(auto source, ParquetSource::Open(store, key));
  std::vector<std::string> columns;
  for (const char* name : kActionColumns) {
    if (file_actions_only && !IsFileAction(name)) continue;
    for (const Field& f : source->schema()) {
      if (f.name == name && f.type.id == TypeId::kStruct) columns.push_back(name);
    }
  }
  RS_ASSIGN_OR_RETURN(RecordBatch batch, source->Read(columns, {}));
  for (const ColumnVector& col : batch.columns) {
    if (!std::holds_alternative<std::vector<Value>>(col.values)) {
      return Status::Corruption("checkpoint column " + col.field.name + " is not a struct");
    }
    const auto& cells = col.As<Value>();
    for (size_t row = 0; row < cells.size(); ++row) {
      if (!col.IsValid(row) || cells[row].is_null()) continue;
      json line = {{col.field.name, ValueToJson(col.field.type, cells[row])}};
      RS_RETURN_IF_ERROR_CTX(AddCheckpointAction(line, content),
                             fmt::format("{} row {}", col.field.name, row));
    }
  }
  return Status::OK();
}

Status WriteCheckpointFiles(storage::Storage& store, const std::string& root,
                            const Snapshot& snapshot) {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string log = storage::JoinKey(root, kLogDir);
  std::string key = storage::JoinKey(log, CheckpointFileName(snapshot.version));
  RecordBatch batch = CheckpointBatch(snapshot, now_ms);
  parquet::WriterOptions options;
  options.compression = parquet::Compression::kSnappy;
  RS_ASSIGN_OR_RETURN_CTX(parquet::FileSummary summary,
                          parquet::WriteFile(store, key, batch, options),
                          "write checkpoint " + key);
  json last = {{"version", snapshot.version},
               {"size", static_cast<int64_t>(batch.num_rows)},
               {"sizeInBytes", summary.size_bytes},
               {"numOfAddFiles", static_cast<int64_t>(snapshot.files.size())}};
  std::string last_key = storage::JoinKey(log, "_last_checkpoint");
  RS_RETURN_IF_ERROR_CTX(store.Put(last_key, last.dump()), "write " + last_key);
  return Status::OK();
}

}  // namespace rs::delta
