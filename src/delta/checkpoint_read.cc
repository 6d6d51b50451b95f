// Reading a checkpoint of any kind (PROTOCOL.md "Checkpoints", "V2 Spec",
// "Sidecar Files", "Last Checkpoint File"): a classic or multi-part Parquet
// checkpoint (V1 spec), or a V2-spec one, classic-named or UUID-named, in
// Parquet or JSON, whose add and remove actions may sit in sidecar files
// under _delta_log/_sidecars/.
#include <fmt/format.h>

#include <algorithm>

#include "delta/replay_internal.h"

namespace rs::delta {
namespace {

using nlohmann::json;

constexpr std::string_view kSidecarDir = "_sidecars/";

// The key of the directory holding `key` ("" at the store root).
std::string ParentKey(const std::string& key) {
  size_t slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

std::string_view FileName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A JSON checkpoint: one action per line, like a commit file.
Status ReadJsonCheckpointFile(storage::Storage& store, const std::string& key,
                              CheckpointContent* content) {
  RS_ASSIGN_OR_RETURN(std::string text, store.Get(key));
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line = std::string_view(text).substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return Status::Corruption(fmt::format("line {}: invalid JSON", line_no));
    }
    RS_RETURN_IF_ERROR_CTX(AddCheckpointAction(parsed, content), fmt::format("line {}", line_no));
  }
  return Status::OK();
}

// The rules of the V2 spec a reader can check: at most one checkpointMetadata,
// naming the checkpoint's own version, and one in every UUID-named checkpoint.
Status CheckV2Structure(const CheckpointSet& cp, const CheckpointContent& content) {
  const auto& versions = content.checkpoint_metadata_versions;
  if (versions.size() > 1) {
    return Status::Corruption(fmt::format(
        "{} checkpointMetadata actions (a V2 checkpoint has exactly one)", versions.size()));
  }
  if (versions.size() == 1 && versions[0] != cp.version) {
    return Status::Corruption(
        fmt::format("checkpointMetadata.version {} is not the checkpoint's version {}", versions[0],
                    cp.version));
  }
  if (versions.empty() && cp.parts.front().kind == LogFile::Kind::kUuidCheckpoint) {
    return Status::Corruption("UUID-named checkpoint without a checkpointMetadata action");
  }
  return Status::OK();
}

// A checkpoint holds the whole table state: without protocol or metaData it
// is damaged, and the replay must not start from it.
Status CheckHasTableState(const std::vector<Action>& actions) {
  bool protocol = false;
  bool metadata = false;
  for (const Action& a : actions) {
    protocol = protocol || a.kind == Action::Kind::kProtocol;
    metadata = metadata || a.kind == Action::Kind::kMetadata;
  }
  if (!protocol) return Status::Corruption("no protocol action");
  if (!metadata) return Status::Corruption("no metaData action");
  return Status::OK();
}

Status ReadSidecars(const std::shared_ptr<storage::Storage>& store, const std::string& log_dir,
                    const std::vector<json>& sidecars, CheckpointContent* content) {
  for (const json& sidecar : sidecars) {
    std::string path = sidecar.at("path").get<std::string>();  // checked when added
    RS_ASSIGN_OR_RETURN_CTX(std::string key, SidecarKey(log_dir, path), "sidecar " + path);
    RS_RETURN_IF_ERROR_CTX(
        ReadParquetCheckpointFile(store, key, /*file_actions_only=*/true, content),
        "sidecar " + key);
  }
  return Status::OK();
}

}  // namespace

Status AddCheckpointAction(const json& line, CheckpointContent* content) {
  if (!line.is_object()) return Status::Corruption("action is not a JSON object");
  if (auto it = line.find("sidecar"); it != line.end() && it->is_object()) {
    auto path = it->find("path");
    if (path == it->end() || !path->is_string() || path->get<std::string>().empty()) {
      return Status::Corruption("sidecar action without a path");
    }
    content->sidecars.push_back(*it);
    return Status::OK();
  }
  if (auto it = line.find("checkpointMetadata"); it != line.end() && it->is_object()) {
    auto version = it->find("version");
    if (version == it->end() || !version->is_number_integer()) {
      return Status::Corruption("checkpointMetadata action without a version");
    }
    content->checkpoint_metadata_versions.push_back(version->get<int64_t>());
    return Status::OK();
  }
  RS_ASSIGN_OR_RETURN(Action action, ParseActionJson(line));
  switch (action.kind) {
    case Action::Kind::kAdd:
    case Action::Kind::kRemove:
    case Action::Kind::kMetadata:
    case Action::Kind::kProtocol:
    case Action::Kind::kTxn:
      content->actions.push_back(std::move(action));
      break;
    default:  // commitInfo is not state; domainMetadata and unknown actions are not tracked
      break;
  }
  return Status::OK();
}

Result<std::string> SidecarKey(const std::string& log_dir_key, const std::string& path) {
  if (path.empty()) return Status::Corruption("sidecar action without a path");
  std::string relative = path;
  if (path.find("://") != std::string::npos || path.front() == '/') {
    // An absolute URI: sidecars live in the table's own _delta_log/_sidecars/.
    constexpr std::string_view kDir = "_delta_log/_sidecars/";
    size_t at = path.rfind(kDir);
    if (at == std::string::npos) {
      return Status::Corruption("sidecar path " + path + " is not in _delta_log/_sidecars/");
    }
    relative = path.substr(at + kDir.size());
  }
  RS_ASSIGN_OR_RETURN_CTX(std::string decoded, UnescapePath(relative), "sidecar path " + path);
  size_t start = 0;
  while (start <= decoded.size()) {
    size_t end = std::min(decoded.find('/', start), decoded.size());
    std::string_view segment = std::string_view(decoded).substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return Status::Corruption("sidecar path " + path + " is not a file under _sidecars/");
    }
    start = end + 1;
  }
  return storage::JoinKey(log_dir_key, std::string(kSidecarDir) + decoded);
}

void PreferLastCheckpoint(std::string_view last_checkpoint_text,
                          std::vector<CheckpointSet>* candidates) {
  json last = json::parse(last_checkpoint_text, nullptr, /*allow_exceptions=*/false);
  if (!last.is_object()) return;
  auto version = last.find("version");
  if (version == last.end() || !version->is_number_integer()) return;
  std::string name;  // the V2 checkpoint's file name, when given
  if (auto v2 = last.find("v2Checkpoint"); v2 != last.end() && v2->is_object()) {
    auto path = v2->find("path");
    if (path != v2->end() && path->is_string()) name = FileName(path->get<std::string>());
  }
  std::optional<int64_t> parts;
  if (auto p = last.find("parts"); p != last.end() && p->is_number_integer()) {
    parts = p->get<int64_t>();
  }
  auto named = [&](const CheckpointSet& cp) {
    if (cp.version != version->get<int64_t>()) return false;
    const LogFile& first = cp.parts.front();
    if (!name.empty()) return FileName(first.key) == name;
    if (parts && *parts > 1) {
      return first.kind == LogFile::Kind::kMultiPartCheckpoint && first.num_parts == *parts;
    }
    return first.kind == LogFile::Kind::kCheckpoint;
  };
  auto it = std::find_if(candidates->begin(), candidates->end(), named);
  if (it != candidates->end()) std::rotate(candidates->begin(), it, it + 1);
}

Result<std::vector<Action>> ReadCheckpoint(const std::shared_ptr<storage::Storage>& store,
                                           const CheckpointSet& cp) {
  const LogFile& top = cp.parts.front();
  std::string where = "read checkpoint " + top.key;
  CheckpointContent content;
  for (const LogFile& part : cp.parts) {
    Status read = part.json ? ReadJsonCheckpointFile(*store, part.key, &content)
                            : ReadParquetCheckpointFile(store, part.key,
                                                        /*file_actions_only=*/false, &content);
    RS_RETURN_IF_ERROR_CTX(read, "read checkpoint " + part.key);
  }
  RS_RETURN_IF_ERROR_CTX(CheckV2Structure(cp, content), where);
  std::vector<json> sidecars = std::move(content.sidecars);
  RS_RETURN_IF_ERROR_CTX(ReadSidecars(store, ParentKey(top.key), sidecars, &content), where);
  RS_RETURN_IF_ERROR_CTX(CheckHasTableState(content.actions), where);
  return std::move(content.actions);
}

}  // namespace rs::delta
