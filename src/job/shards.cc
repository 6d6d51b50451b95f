// Shard claims: one object per shard, <k>.claim, created with put-if-absent
// (so each index has exactly one owner) and holding {"owner", "run_id",
// "count"}; <k>.done once the shard's months are committed.
#include "job/shards.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

namespace rs::job {
namespace {

constexpr std::string_view kClaimRoot = "_ranking_jobs/shards/";

std::string GroupPrefix(const std::string& group) { return std::string(kClaimRoot) + group + "/"; }

struct GroupState {
  std::map<int, std::string> owners;  // shard -> owner of its claim
  std::map<int, int> counts;          // shard -> N recorded in its claim
  int done = 0;
  std::vector<std::string> keys;  // every object of the group
};

// Parses "<k>.claim" / "<k>.done" names; -1 for anything else.
int ShardNumber(std::string_view name, std::string_view suffix) {
  if (!name.ends_with(suffix)) return -1;
  name.remove_suffix(suffix.size());
  if (name.empty() || name.size() > 5) return -1;
  int k = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    k = k * 10 + (c - '0');
  }
  return k;
}

Result<GroupState> ReadGroup(storage::Storage& store, const std::string& group) {
  std::string prefix = GroupPrefix(group);
  RS_ASSIGN_OR_RETURN(auto objects, store.List(prefix));
  GroupState state;
  for (const auto& object : objects) {
    state.keys.push_back(object.key);
    std::string_view name = std::string_view(object.key).substr(prefix.size());
    if (ShardNumber(name, ".done") >= 0) ++state.done;
    int k = ShardNumber(name, ".claim");
    if (k < 0) continue;
    RS_ASSIGN_OR_RETURN(std::string text, store.Get(object.key));
    auto claim = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    state.owners[k] = claim.is_object() ? claim.value("owner", "") : "";
    state.counts[k] = claim.is_object() ? claim.value("count", 0) : 0;
  }
  return state;
}

std::string Holders(const GroupState& state) {
  std::string out;
  for (const auto& [k, owner] : state.owners) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} by '{}'", k, owner.empty() ? "unknown" : owner);
  }
  return out;
}

Status CheckGroupName(const std::string& group) {
  if (group.empty()) {
    return Status::InvalidArgument(
        "--shard auto/N needs a claim group shared by the replicas: pass --shard-group or set "
        "CONTAINER_APP_JOB_EXECUTION_NAME");
  }
  for (char c : group) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok || group.size() > 200 || group.front() == '.') {
      return Status::InvalidArgument("--shard-group '" + group +
                                     "': use up to 200 letters, digits, '-', '_' or '.'");
    }
  }
  return Status::OK();
}

void RemoveObjects(storage::Storage& store, const std::vector<std::string>& keys,
                   const std::string& group, std::string_view why, Logger& log) {
  for (const std::string& key : keys) {
    Status s = store.Delete(key);
    if (!s.ok()) {
      log.Warn("shard claims not removed", {{"group", group}, {"error", s.ToString()}});
      return;
    }
  }
  log.Info(why, {{"group", group}, {"objects", keys.size()}});
}

// Removes the groups (other than `keep`) whose newest object is older than
// kStaleClaimGroupDays: claims of executions that failed or were cancelled.
void RemoveStaleGroups(storage::Storage& store, const std::string& keep, Logger& log) {
  auto objects = store.List(std::string(kClaimRoot));
  if (!objects.ok()) {
    log.Warn("stale shard claims not checked", {{"error", objects.status().ToString()}});
    return;
  }
  struct Group {
    int64_t newest_ms = 0;
    std::vector<std::string> keys;
  };
  std::map<std::string, Group> groups;
  for (const auto& object : *objects) {
    std::string rest = object.key.substr(kClaimRoot.size());
    std::string name = rest.substr(0, rest.find('/'));
    Group& g = groups[name];
    g.newest_ms = std::max(g.newest_ms, object.modified_unix_ms);
    g.keys.push_back(object.key);
  }
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int64_t cutoff_ms = now_ms - int64_t{kStaleClaimGroupDays} * 24 * 3600 * 1000;
  for (const auto& [name, group] : groups) {
    if (name == keep || group.newest_ms <= 0 || group.newest_ms >= cutoff_ms) continue;
    RemoveObjects(
        store, group.keys, name,
        fmt::format("removed shard claims idle for more than {} days", kStaleClaimGroupDays), log);
  }
}

}  // namespace

Result<Shard> ParseShard(const std::string& spec) {
  Shard s;
  auto slash = spec.find('/');
  std::string usage = "--shard '" + spec + "': expected K/N with 0 <= K < N (or auto/N)";
  if (slash == std::string::npos) return Status::InvalidArgument(usage);
  std::string k = spec.substr(0, slash), n = spec.substr(slash + 1);
  try {
    size_t used = 0;
    s.count = std::stoi(n, &used);
    if (used != n.size()) return Status::InvalidArgument(usage);
    if (k == "auto") {
      s.auto_claim = true;
    } else {
      s.index = std::stoi(k, &used);
      if (used != k.size()) return Status::InvalidArgument(usage);
    }
  } catch (const std::exception&) {
    return Status::InvalidArgument(usage);
  }
  if (s.count < 1 || s.count > 10000 || s.index < 0 || s.index >= s.count) {
    return Status::InvalidArgument(usage);
  }
  return s;
}

std::vector<std::string> ApplyShard(const std::vector<std::string>& months, const Shard& shard) {
  std::vector<std::string> out;
  for (size_t i = 0; i < months.size(); ++i) {
    if (static_cast<int>(i % shard.count) == shard.index) out.push_back(months[i]);
  }
  return out;
}

Status ClaimShard(const Lake& lake, const ShardClaimant& claimant, Logger& log, Shard* shard) {
  if (!shard->auto_claim) return Status::OK();
  RS_RETURN_IF_ERROR(CheckGroupName(claimant.group));
  storage::Storage& store = lake.job_store();
  std::string context = "claim a shard of group '" + claimant.group + "'";
  RS_ASSIGN_OR_RETURN_CTX(GroupState state, ReadGroup(store, claimant.group), context);
  for (const auto& [k, count] : state.counts) {
    if (count != 0 && count != shard->count) {
      return Status::FailedPrecondition(fmt::format(
          "{}: its shards were claimed as auto/{}, this replica asks for auto/{}; every replica "
          "of one execution must use the same N",
          context, count, shard->count));
    }
  }
  for (const auto& [k, owner] : state.owners) {
    if (claimant.owner.empty() || owner != claimant.owner || k >= shard->count) continue;
    shard->index = k;
    shard->auto_claim = false;
    log.Info("re-took the shard this replica claimed before it restarted",
             {{"shard", fmt::format("{}/{}", k, shard->count)},
              {"group", claimant.group},
              {"owner", claimant.owner}});
    return Status::OK();
  }
  nlohmann::json claim = {
      {"owner", claimant.owner}, {"run_id", claimant.run_id}, {"count", shard->count}};
  for (int k = 0; k < shard->count; ++k) {
    if (state.owners.count(k) != 0) continue;
    Status s =
        store.PutIfAbsent(GroupPrefix(claimant.group) + std::to_string(k) + ".claim", claim.dump());
    if (s.IsAlreadyExists()) continue;  // another replica was faster
    RS_RETURN_IF_ERROR(s.Annotate(fmt::format("{}: shard {}", context, k)));
    shard->index = k;
    shard->auto_claim = false;
    log.Info("claimed shard", {{"shard", fmt::format("{}/{}", k, shard->count)},
                               {"group", claimant.group},
                               {"owner", claimant.owner}});
    return Status::OK();
  }
  RS_ASSIGN_OR_RETURN_CTX(state, ReadGroup(store, claimant.group), context);
  return Status::FailedPrecondition(fmt::format(
      "{}: every one of its {} shards is claimed by another replica ({}); this replica is "
      "'{}'. A replica that was replaced rather than restarted cannot take over a claim: run "
      "its months with --shard K/{}, or start a new execution (a new --shard-group)",
      context, shard->count, Holders(state), claimant.owner, shard->count));
}

void FinishShard(const Lake& lake, const ShardClaimant& claimant, const Shard& shard, Logger& log) {
  storage::Storage& store = lake.job_store();
  std::string prefix = GroupPrefix(claimant.group);
  Status marked =
      store.PutIfAbsent(prefix + std::to_string(shard.index) + ".done", claimant.run_id);
  if (!marked.ok() && !marked.IsAlreadyExists()) {
    log.Warn("shard not marked done", {{"group", claimant.group}, {"error", marked.ToString()}});
    return;
  }
  auto state = ReadGroup(store, claimant.group);
  if (!state.ok()) {
    log.Warn("shard claims not checked",
             {{"group", claimant.group}, {"error", state.status().ToString()}});
  } else if (state->done >= shard.count) {
    RemoveObjects(store, state->keys, claimant.group,
                  "every shard of the group is done; its claims were removed", log);
  }
  RemoveStaleGroups(store, claimant.group, log);
}

}  // namespace rs::job
