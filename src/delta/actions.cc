// JSON form of Delta log actions (PROTOCOL.md "Actions").
#include <fmt/format.h>

#include "delta/log_internal.h"

namespace rs::delta {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string GetString(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::optional<int64_t> GetInt(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

bool GetBool(const json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

std::map<std::string, std::optional<std::string>> GetPartitionValues(const json& obj) {
  std::map<std::string, std::optional<std::string>> out;
  auto it = obj.find("partitionValues");
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_null()) {
      out[k] = std::nullopt;
    } else {
      out[k] = v.dump(-1, ' ', false, json::error_handler_t::replace);  // bytes from Parquet
    }
  }
  return out;
}

std::optional<std::vector<std::string>> GetStringList(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string DeletionVectorId(const json& obj) {
  auto it = obj.find("deletionVector");
  if (it == obj.end() || !it->is_object()) return "";
  std::string id = GetString(*it, "storageType") + GetString(*it, "pathOrInlineDv");
  if (auto offset = GetInt(*it, "offset")) id += "@" + std::to_string(*offset);
  return id.empty() ? "dv" : id;
}

// The add action's deletionVector descriptor; Corruption when one is there
// but its required fields are not.
Result<std::optional<DeletionVectorDescriptor>> ParseDeletionVector(const json& a) {
  auto it = a.find("deletionVector");
  if (it == a.end() || it->is_null()) return std::optional<DeletionVectorDescriptor>();
  const json& dv = *it;
  std::string type = GetString(dv, "storageType");
  auto size = GetInt(dv, "sizeInBytes");
  auto cardinality = GetInt(dv, "cardinality");
  if (!dv.is_object() || type.size() != 1 || !size || !cardinality ||
      !dv.contains("pathOrInlineDv")) {
    return Status::Corruption(
        "deletionVector without storageType, pathOrInlineDv, sizeInBytes "
        "or cardinality: " +
        dv.dump());
  }
  DeletionVectorDescriptor d;
  d.storage_type = type[0];
  d.path_or_inline_dv = GetString(dv, "pathOrInlineDv");
  if (auto offset = GetInt(dv, "offset")) d.offset = static_cast<int32_t>(*offset);
  d.size_bytes = static_cast<int32_t>(*size);
  d.cardinality = *cardinality;
  d.max_row_index = GetInt(dv, "maxRowIndex");
  return std::optional<DeletionVectorDescriptor>(std::move(d));
}

Result<Action> ParseAdd(const json& a) {
  Action act;
  act.kind = Action::Kind::kAdd;
  AddFile& f = act.add;
  f.path = GetString(a, "path");
  if (f.path.empty()) return Status::Corruption("add action without a path");
  f.partition_values = GetPartitionValues(a);
  f.size_bytes = GetInt(a, "size").value_or(0);
  f.modification_time_ms = GetInt(a, "modificationTime").value_or(0);
  f.data_change = GetBool(a, "dataChange", true);
  f.stats_json = GetString(a, "stats");
  if (!f.stats_json.empty()) {
    f.num_records = NumRecordsFromStats(f.stats_json);
  } else if (auto parsed = a.find("stats_parsed"); parsed != a.end() && parsed->is_object()) {
    f.num_records = GetInt(*parsed, "numRecords");  // checkpoints written without JSON stats
  }
  f.deletion_vector_id = DeletionVectorId(a);
  RS_ASSIGN_OR_RETURN_CTX(f.deletion_vector, ParseDeletionVector(a), "add " + f.path);
  return act;
}

Result<Action> ParseRemove(const json& r) {
  Action act;
  act.kind = Action::Kind::kRemove;
  RemoveFile& f = act.remove;
  f.path = GetString(r, "path");
  if (f.path.empty()) return Status::Corruption("remove action without a path");
  f.deletion_timestamp_ms = GetInt(r, "deletionTimestamp");
  f.data_change = GetBool(r, "dataChange", true);
  f.partition_values = GetPartitionValues(r);
  f.size_bytes = GetInt(r, "size");
  f.deletion_vector_id = DeletionVectorId(r);
  RS_ASSIGN_OR_RETURN_CTX(f.deletion_vector, ParseDeletionVector(r), "remove " + f.path);
  return act;
}

Result<Action> ParseMetadata(const json& m) {
  Action act;
  act.kind = Action::Kind::kMetadata;
  Metadata& md = act.metadata;
  md.id = GetString(m, "id");
  md.name = GetString(m, "name");
  md.description = GetString(m, "description");
  if (auto fmt_it = m.find("format"); fmt_it != m.end() && fmt_it->is_object()) {
    md.format_provider = GetString(*fmt_it, "provider");
  }
  md.schema_string = GetString(m, "schemaString");
  RS_ASSIGN_OR_RETURN_CTX(md.schema, ParseSchemaString(md.schema_string),
                          "metaData.schemaString");
  md.partition_columns = GetStringList(m, "partitionColumns").value_or(std::vector<std::string>{});
  if (auto c = m.find("configuration"); c != m.end() && c->is_object()) {
    for (const auto& [k, v] : c->items()) {
      // A checkpoint's cells may hold any bytes: dump() must not throw on bad UTF-8.
      md.configuration[k] = v.is_string() ? v.get<std::string>()
                                          : v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  md.created_time_ms = GetInt(m, "createdTime");
  return act;
}

Result<Action> ParseProtocol(const json& p) {
  Action act;
  act.kind = Action::Kind::kProtocol;
  auto reader = GetInt(p, "minReaderVersion");
  auto writer = GetInt(p, "minWriterVersion");
  if (!reader || !writer) return Status::Corruption("protocol action without versions");
  act.protocol.min_reader_version = static_cast<int>(*reader);
  act.protocol.min_writer_version = static_cast<int>(*writer);
  act.protocol.reader_features = GetStringList(p, "readerFeatures");
  act.protocol.writer_features = GetStringList(p, "writerFeatures");
  return act;
}

Action ParseCommitInfo(const json& c) {
  Action act;
  act.kind = Action::Kind::kCommitInfo;
  CommitInfo& ci = act.commit_info;
  ci.timestamp_ms = GetInt(c, "timestamp");
  ci.operation = GetString(c, "operation");
  if (auto it = c.find("operationParameters"); it != c.end()) ci.operation_parameters = *it;
  if (auto it = c.find("operationMetrics"); it != c.end() && it->is_object()) {
    ci.operation_metrics = *it;
  }
  ci.run_id = GetString(c, "runId");
  ci.txn_id = GetString(c, "txnId");
  ci.engine_info = GetString(c, "engineInfo");
  return act;
}

Result<Action> ParseTxn(const json& t) {
  Action act;
  act.kind = Action::Kind::kTxn;
  act.txn.app_id = GetString(t, "appId");
  act.txn.version = GetInt(t, "version").value_or(0);
  act.txn.last_updated_ms = GetInt(t, "lastUpdated");
  return act;
}

ojson PartitionValuesJson(const std::map<std::string, std::optional<std::string>>& values) {
  ojson out = ojson::object();
  for (const auto& [k, v] : values) out[k] = v ? ojson(*v) : ojson(nullptr);
  return out;
}

ojson MetadataJson(const Metadata& md) {
  ojson config = ojson::object();
  for (const auto& [k, v] : md.configuration) config[k] = v;
  ojson m = {{"id", md.id},
            {"format", {{"provider", md.format_provider}, {"options", ojson::object()}}},
            {"schemaString", md.schema_string},
            {"partitionColumns", md.partition_columns},
            {"configuration", config}};
  if (!md.name.empty()) m["name"] = md.name;
  if (!md.description.empty()) m["description"] = md.description;
  if (md.created_time_ms) m["createdTime"] = *md.created_time_ms;
  return m;
}

ojson ProtocolJson(const Protocol& p) {
  ojson out = {{"minReaderVersion", p.min_reader_version},
              {"minWriterVersion", p.min_writer_version}};
  if (p.reader_features) out["readerFeatures"] = *p.reader_features;
  if (p.writer_features) out["writerFeatures"] = *p.writer_features;
  return out;
}

ojson DeletionVectorJson(const DeletionVectorDescriptor& dv) {
  ojson d = {{"storageType", std::string(1, dv.storage_type)},
             {"pathOrInlineDv", dv.path_or_inline_dv}};
  if (dv.offset) d["offset"] = *dv.offset;
  d["sizeInBytes"] = dv.size_bytes;
  d["cardinality"] = dv.cardinality;
  if (dv.max_row_index) d["maxRowIndex"] = *dv.max_row_index;
  return d;
}

ojson AddJson(const AddFile& f) {
  ojson a = {{"path", f.path},
            {"partitionValues", PartitionValuesJson(f.partition_values)},
            {"size", f.size_bytes},
            {"modificationTime", f.modification_time_ms},
            {"dataChange", f.data_change}};
  if (!f.stats_json.empty()) a["stats"] = f.stats_json;
  if (f.deletion_vector) a["deletionVector"] = DeletionVectorJson(*f.deletion_vector);
  return a;
}

ojson RemoveJson(const RemoveFile& f) {
  ojson r = {{"path", f.path}, {"dataChange", f.data_change}};
  if (f.deletion_timestamp_ms) r["deletionTimestamp"] = *f.deletion_timestamp_ms;
  r["extendedFileMetadata"] = true;
  r["partitionValues"] = PartitionValuesJson(f.partition_values);
  if (f.size_bytes) r["size"] = *f.size_bytes;
  if (f.deletion_vector) r["deletionVector"] = DeletionVectorJson(*f.deletion_vector);
  return r;
}

ojson CommitInfoJson(const CommitInfo& ci) {
  ojson c = ojson::object();
  if (ci.timestamp_ms) c["timestamp"] = *ci.timestamp_ms;
  c["operation"] = ci.operation;
  c["operationParameters"] = ci.operation_parameters.is_object()
                                  ? ojson::parse(ci.operation_parameters.dump())
                                  : ojson::object();
  if (ci.operation_metrics.is_object()) {
    c["operationMetrics"] = ojson::parse(ci.operation_metrics.dump());
  }
  c["engineInfo"] = ci.engine_info;
  if (!ci.run_id.empty()) c["runId"] = ci.run_id;
  if (!ci.txn_id.empty()) c["txnId"] = ci.txn_id;
  return c;
}

}  // namespace

std::string FileActionKey(const std::string& path, const std::string& dv_id) {
  return dv_id.empty() ? path : path + '\x1f' + dv_id;
}

std::optional<int64_t> NumRecordsFromStats(std::string_view stats_json) {
  json stats = json::parse(stats_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object()) return std::nullopt;
  return GetInt(stats, "numRecords");
}

Result<Action> ParseActionJson(const json& line) {
  if (!line.is_object()) return Status::Corruption("action is not a JSON object");
  for (const auto& [key, body] : line.items()) {
    if (!body.is_object()) continue;
    if (key == "add") return ParseAdd(body);
    if (key == "remove") return ParseRemove(body);
    if (key == "metaData") return ParseMetadata(body);
    if (key == "protocol") return ParseProtocol(body);
    if (key == "txn") return ParseTxn(body);
    if (key == "commitInfo") return ParseCommitInfo(body);
  }
  return Action{};  // cdc, domainMetadata, checkpointMetadata, ...: not state we track
}

Result<std::vector<Action>> ParseCommit(std::string_view text, const std::string& name) {
  std::vector<Action> actions;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return Status::Corruption(fmt::format("parse {} line {}: invalid JSON", name, line_no));
    }
    auto action = ParseActionJson(parsed);
    if (!action.ok()) {
      return action.status().Annotate(fmt::format("parse {} line {}", name, line_no));
    }
    actions.push_back(std::move(action).value());
  }
  return actions;
}

std::string ActionToJson(const Action& action) {
  ojson line;
  switch (action.kind) {
    case Action::Kind::kAdd: line["add"] = AddJson(action.add); break;
    case Action::Kind::kRemove: line["remove"] = RemoveJson(action.remove); break;
    case Action::Kind::kMetadata: line["metaData"] = MetadataJson(action.metadata); break;
    case Action::Kind::kProtocol: line["protocol"] = ProtocolJson(action.protocol); break;
    case Action::Kind::kTxn:
      line["txn"] = {{"appId", action.txn.app_id}, {"version", action.txn.version}};
      if (action.txn.last_updated_ms) line["txn"]["lastUpdated"] = *action.txn.last_updated_ms;
      break;
    case Action::Kind::kCommitInfo: line["commitInfo"] = CommitInfoJson(action.commit_info); break;
    case Action::Kind::kOther: line = ojson::object(); break;
  }
  return line.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace rs::delta
