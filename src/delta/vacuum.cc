// Vacuum: delete data files that the latest snapshot no longer references and
// that are older than the retention (docs/delta_log.md "Vacuum").
#include <fmt/format.h>

#include <set>

#include "delta/commit_internal.h"
#include "delta/deletion_vector_internal.h"
#include "delta/log_internal.h"
#include "delta/table.h"

namespace rs::delta {
namespace {

constexpr double kMinRetainHours = 168;

// Hidden names (leading '_' or '.') are not data, except partition directories.
bool IsHidden(std::string_view relative) {
  size_t start = 0;
  while (start < relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view part = relative.substr(start, end - start);
    bool last = end == relative.size();
    if (!part.empty() && (part[0] == '.' || part[0] == '_') &&
        (last || part.find('=') == std::string_view::npos)) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// A file action's deletion-vector file, relative to the table root: it lives
// as long as the action. A 'p' DV outside the table is not ours to delete.
Status KeepDeletionVector(const Table& table, const std::optional<DeletionVectorDescriptor>& dv,
                          std::set<std::string>* keep) {
  if (!dv || dv->storage_type == 'i') return Status::OK();
  auto key = DeletionVectorKey(table.store(), table.root_key(), *dv);
  if (!key.ok() && key.status().code() == StatusCode::kUnimplemented) return Status::OK();
  RS_RETURN_IF_ERROR_CTX(key.status(), DescribeDeletionVector(*dv));
  std::string prefix = table.root_key().empty() ? "" : table.root_key() + "/";
  keep->insert(key->substr(prefix.size()));
  return Status::OK();
}

Result<std::set<std::string>> ProtectedPaths(const Table& table, const Snapshot& s,
                                             int64_t cutoff_ms) {
  std::set<std::string> keep;
  for (const AddFile& f : s.files) {
    RS_ASSIGN_OR_RETURN(std::string p, UnescapePath(f.path));
    keep.insert(p);
    RS_RETURN_IF_ERROR(KeepDeletionVector(table, f.deletion_vector, &keep));
  }
  for (const RemoveFile& f : s.tombstones) {
    if (f.deletion_timestamp_ms.value_or(cutoff_ms) < cutoff_ms) continue;
    RS_ASSIGN_OR_RETURN(std::string p, UnescapePath(f.path));
    keep.insert(p);  // still needed for time travel within the retention
    RS_RETURN_IF_ERROR(KeepDeletionVector(table, f.deletion_vector, &keep));
  }
  return keep;
}

}  // namespace

Result<VacuumResult> Table::Vacuum(const VacuumOptions& options) const {
  std::string where = "vacuum " + Key("");
  if (options.retain_hours < 0 || (options.retain_hours < kMinRetainHours && !options.force)) {
    return Status::InvalidArgument(fmt::format(
        "{}: retention of {} hours is below the {} hour minimum (pass force to override)", where,
        options.retain_hours, kMinRetainHours));
  }
  int64_t now = options.now_ms.value_or(NowMs());
  int64_t cutoff = now - static_cast<int64_t>(options.retain_hours * 3600 * 1000);
  RS_ASSIGN_OR_RETURN_CTX(Snapshot snapshot, LoadSnapshot(), where);
  RS_ASSIGN_OR_RETURN_CTX(std::set<std::string> keep, ProtectedPaths(*this, snapshot, cutoff),
                          where);
  std::string prefix = root_.empty() ? "" : root_ + "/";
  RS_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects, store_->List(prefix), where);
  VacuumResult result;
  for (const storage::ObjectInfo& obj : objects) {
    std::string relative = obj.key.substr(prefix.size());
    if (IsHidden(relative) || keep.count(relative) || obj.modified_unix_ms >= cutoff) continue;
    if (!options.dry_run) {
      RS_RETURN_IF_ERROR_CTX(store_->Delete(obj.key), where + ": delete " + obj.key);
    }
    result.deleted_keys.push_back(relative);
    result.bytes += static_cast<int64_t>(obj.size_bytes);
  }
  return result;
}

}  // namespace rs::delta
