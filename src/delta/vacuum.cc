// Vacuum: delete data files that the latest snapshot no longer references and
// that are older than the retention (docs/delta_log.md "Vacuum").
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "delta/commit_internal.h"
#include "delta/deletion_vector_internal.h"
#include "delta/log_internal.h"
#include "delta/replay_internal.h"
#include "delta/table.h"

namespace rs::delta {
namespace {

constexpr double kDefaultRetainHours = 168;
constexpr double kDefaultLogRetainHours = 30 * 24;

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

// The table property `key` in hours, else `fallback`.
Result<double> RetentionHours(const Snapshot& s, const std::string& key, double fallback) {
  auto it = s.metadata.configuration.find(key);
  if (it == s.metadata.configuration.end()) return fallback;
  RS_ASSIGN_OR_RETURN_CTX(double hours, ParseIntervalHours(it->second), "table property " + key);
  return hours;
}

// The version of a file directly under _delta_log/ (20 digits first), or -1.
int64_t LogFileVersion(std::string_view name) {
  if (name.size() < 21 || name.find('/') != std::string_view::npos) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    v = v * 10 + (name[i] - '0');
  }
  return name[20] == '.' ? v : -1;
}

// Log cleanup: the newest checkpoint version V such that every log file
// below V is older than the cutoff and the table at V loads from that very
// checkpoint; then every commit, checkpoint and .crc file below V goes. The
// table (and time travel from V on) stays readable; _last_checkpoint and
// sidecars are kept.
Status CleanLog(const std::shared_ptr<storage::Storage>& store, const std::string& root,
                int64_t cutoff_ms, bool dry_run, VacuumResult* result) {
  std::string log_prefix = root.empty() ? "_delta_log/" : root + "/_delta_log/";
  RS_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, store->List(log_prefix));
  RS_ASSIGN_OR_RETURN(LogListing listing, ListLog(*store, root));
  std::map<int64_t, int64_t> newest_mtime;  // per version
  for (const auto& o : objects) {
    int64_t v = LogFileVersion(std::string_view(o.key).substr(log_prefix.size()));
    if (v >= 0) newest_mtime[v] = std::max(newest_mtime[v], o.modified_unix_ms);
  }
  int64_t keep_from = -1;
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    int64_t v = it->first;
    if (v <= 0) continue;
    bool all_old = true;
    for (const auto& [version, mtime] : newest_mtime) {
      if (version >= v) break;
      all_old = all_old && mtime < cutoff_ms;
    }
    if (!all_old) continue;
    auto snap = ReplayToVersion(store, root, listing, v);
    if (snap.ok() && snap->checkpoint_version == v) {
      keep_from = v;
      break;
    }
  }
  if (keep_from < 0) return Status::OK();
  result->log_kept_from_version = keep_from;
  std::string table_prefix = root.empty() ? "" : root + "/";
  for (const auto& o : objects) {
    int64_t v = LogFileVersion(std::string_view(o.key).substr(log_prefix.size()));
    if (v < 0 || v >= keep_from) continue;
    if (!dry_run) RS_RETURN_IF_ERROR_CTX(store->Delete(o.key), "delete " + o.key);
    result->deleted_log_keys.push_back(o.key.substr(table_prefix.size()));
  }
  return Status::OK();
}

}  // namespace

Result<double> ParseIntervalHours(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::istringstream in(s);
  std::string word;
  double hours = 0;
  int pairs = 0;
  auto bad = [&]() {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not an interval such as 'interval 7 days' (units: seconds, minutes, hours, days, "
        "weeks)",
        text));
  };
  while (in >> word) {
    if (word == "interval" && pairs == 0) continue;
    double n = 0;
    try {
      size_t used = 0;
      n = std::stod(word, &used);
      if (used != word.size() || !std::isfinite(n) || n < 0) return bad();
    } catch (const std::exception&) {
      return bad();
    }
    std::string unit;
    if (!(in >> unit)) return bad();
    if (unit.ends_with("s")) unit.pop_back();
    static const std::map<std::string, double> kHoursPer = {
        {"second", 1.0 / 3600}, {"minute", 1.0 / 60}, {"hour", 1}, {"day", 24}, {"week", 168}};
    auto u = kHoursPer.find(unit);
    if (u == kHoursPer.end()) return bad();
    hours += n * u->second;
    ++pairs;
  }
  if (pairs == 0) return bad();
  return hours;
}

Result<VacuumResult> Table::Vacuum(const VacuumOptions& options) const {
  std::string where = "vacuum " + Key("");
  RS_ASSIGN_OR_RETURN_CTX(Snapshot snapshot, LoadSnapshot(), where);
  RS_ASSIGN_OR_RETURN_CTX(
      double table_hours,
      RetentionHours(snapshot, "delta.deletedFileRetentionDuration", kDefaultRetainHours), where);
  double retain_hours = options.retain_hours.value_or(table_hours);
  if (retain_hours < 0 || (retain_hours < table_hours && !options.force)) {
    return Status::InvalidArgument(
        fmt::format("{}: retention of {} hours is below the table's {} hours "
                    "(delta.deletedFileRetentionDuration, default 168): pass force to override",
                    where, retain_hours, table_hours));
  }
  int64_t now = options.now_ms.value_or(NowMs());
  int64_t cutoff = now - static_cast<int64_t>(retain_hours * 3600 * 1000);
  RS_ASSIGN_OR_RETURN_CTX(std::set<std::string> keep, ProtectedPaths(*this, snapshot, cutoff),
                          where);
  std::string prefix = root_.empty() ? "" : root_ + "/";
  RS_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects, store_->List(prefix), where);
  VacuumResult result;
  result.retain_hours = retain_hours;
  for (const storage::ObjectInfo& obj : objects) {
    std::string relative = obj.key.substr(prefix.size());
    if (IsHidden(relative) || keep.count(relative) || obj.modified_unix_ms >= cutoff) continue;
    if (!options.dry_run) {
      RS_RETURN_IF_ERROR_CTX(store_->Delete(obj.key), where + ": delete " + obj.key);
    }
    result.deleted_keys.push_back(relative);
    result.bytes += static_cast<int64_t>(obj.size_bytes);
  }
  if (options.clean_log) {
    RS_ASSIGN_OR_RETURN_CTX(
        double log_hours,
        RetentionHours(snapshot, "delta.logRetentionDuration", kDefaultLogRetainHours), where);
    int64_t log_cutoff = now - static_cast<int64_t>(log_hours * 3600 * 1000);
    RS_RETURN_IF_ERROR_CTX(CleanLog(store_, root_, log_cutoff, options.dry_run, &result),
                           where + ": clean the log");
  }
  return result;
}

}  // namespace rs::delta
