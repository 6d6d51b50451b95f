// Optimistic commits: put-if-absent of the next version, conflict detection
// against the commits that won the race (docs/delta_log.md "Conflicts").
#include <fmt/format.h>

#include <chrono>

#include "common/crash_point.h"
#include "common/retry.h"
#include "delta/commit_internal.h"
#include "delta/replay_internal.h"

namespace rs::delta {
namespace {

std::string RunOf(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (a.kind == Action::Kind::kCommitInfo) {
      return a.commit_info.run_id.empty() ? "unknown" : a.commit_info.run_id;
    }
  }
  return "unknown";
}

bool IsOurs(const std::vector<Action>& actions, const CommitIntent& intent) {
  for (const Action& a : actions) {
    if (a.kind == Action::Kind::kCommitInfo && a.commit_info.txn_id == intent.txn_id) return true;
  }
  return false;
}

std::optional<std::string> PartitionOf(
    const std::map<std::string, std::optional<std::string>>& values, const std::string& column) {
  auto it = values.find(column);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

bool SameTable(const Metadata& a, const Metadata& b) {
  auto sa = ParseSchemaString(a.schema_string);
  auto sb = ParseSchemaString(b.schema_string);
  return sa.ok() && sb.ok() && SchemaToString(*sa) == SchemaToString(*sb) &&
         a.partition_columns == b.partition_columns;
}

// OK when the winning commit `version` leaves our partitions and metadata alone.
Status CheckCompatible(const std::vector<Action>& winner, int64_t version, CommitIntent* intent,
                       std::vector<Action>* ours) {
  std::string run = RunOf(winner);
  for (const Action& a : winner) {
    std::optional<std::string> touched;
    if (a.kind == Action::Kind::kAdd) touched = PartitionOf(a.add.partition_values, intent->partition_column);
    if (a.kind == Action::Kind::kRemove) {
      touched = PartitionOf(a.remove.partition_values, intent->partition_column);
    }
    if (touched && intent->partitions.count(*touched)) {
      return Status::Aborted(fmt::format(
          "concurrent overwrite of partition {}={} by version {} (run {}): rerun the job",
          intent->partition_column, *touched, version, run));
    }
    bool meta = a.kind == Action::Kind::kMetadata || a.kind == Action::Kind::kProtocol;
    if (meta && !(intent->creates_table && a.kind == Action::Kind::kMetadata &&
                  SameTable(a.metadata, intent->metadata)) &&
        !(intent->creates_table && a.kind == Action::Kind::kProtocol)) {
      return Status::Aborted(fmt::format(
          "concurrent change of table metadata or protocol by version {} (run {}): rerun the job",
          version, run));
    }
  }
  bool winner_created = false;
  for (const Action& a : winner) winner_created |= a.kind == Action::Kind::kMetadata;
  if (intent->creates_table && winner_created) {  // an identical create won: join it
    intent->creates_table = false;
    std::erase_if(*ours, [](const Action& a) {
      return a.kind == Action::Kind::kMetadata || a.kind == Action::Kind::kProtocol;
    });
  }
  return Status::OK();
}

std::string Serialize(const std::vector<Action>& actions) {
  std::string text;
  for (const Action& a : actions) text += ActionToJson(a) + "\n";
  return text;
}

// kNotWritten: a put whose outcome was unknown did not land; put again.
enum class PutResult { kCommitted, kLost, kNotWritten };

// Resolves a put whose outcome is unknown (it failed with `put_error`) by
// reading the log entry. When that fails too, the error carries both causes.
// Backoff between attempts of one commit's put and read-back: full jitter,
// so writers of one table that failed together do not retry together.
RetryPolicy CommitRetryPolicy(std::chrono::milliseconds base_delay) {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.base_delay = base_delay;
  policy.max_delay = base_delay * 16;
  return policy;
}

// Resolves a put whose outcome is unknown (it failed with `put_error`) by
// reading the log entry. When that fails too, the error carries both causes.
Result<PutResult> ResolveUnknown(storage::Storage& store, const std::string& root, int64_t version,
                                 const CommitIntent& intent, const Status& put_error) {
  Backoff backoff(CommitRetryPolicy(std::chrono::milliseconds(100)));
  Status read_error;
  do {
    auto actions = ReadCommit(store, root, version);
    if (actions.ok()) return IsOurs(*actions, intent) ? PutResult::kCommitted : PutResult::kLost;
    if (actions.status().IsNotFound()) return PutResult::kNotWritten;
    read_error = actions.status();
  } while (backoff.Next());
  return Status::Unavailable(
      fmt::format("commit of version {}: outcome unknown: the put failed ({}) and the log entry "
                  "could not be read back ({}): check `table history` for txnId {} before "
                  "rerunning",
                  version, put_error.message(), read_error.message(), intent.txn_id));
}

Result<PutResult> PutCommit(storage::Storage& store, const std::string& root, int64_t version,
                            const std::string& text, const CommitIntent& intent) {
  std::string key = storage::JoinKey(storage::JoinKey(root, kLogDir), CommitFileName(version));
  Backoff backoff(CommitRetryPolicy(std::chrono::milliseconds(50)));
  do {
    CrashPoint("delta.commit.before_put");
    Status st = store.PutIfAbsent(key, text);
    CrashPoint("delta.commit.after_put");
    if (st.ok()) return PutResult::kCommitted;
    if (st.IsAlreadyExists()) {
      // Ours if an earlier attempt landed despite reporting Unavailable.
      auto actions = ReadCommit(store, root, version);
      if (actions.ok() && IsOurs(*actions, intent)) return PutResult::kCommitted;
      return PutResult::kLost;
    }
    if (!st.IsUnavailable()) return st.Annotate("commit " + key);
    RS_ASSIGN_OR_RETURN(PutResult resolved, ResolveUnknown(store, root, version, intent, st));
    if (resolved != PutResult::kNotWritten) return resolved;
  } while (backoff.Next());
  return Status::Unavailable("commit " + key + ": storage unavailable after " +
                             std::to_string(backoff.attempt()) + " attempts");
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> CommitWithRetries(storage::Storage& store, const std::string& root,
                                  int64_t read_version, CommitIntent intent,
                                  std::vector<Action> actions, int max_attempts, int* attempts) {
  int64_t version = read_version + 1;
  for (*attempts = 1; *attempts <= max_attempts; ++*attempts) {
    RS_ASSIGN_OR_RETURN(PutResult put, PutCommit(store, root, version, Serialize(actions), intent));
    if (put == PutResult::kCommitted) return version;
    // Lost the race: every commit from `version` on must be compatible.
    RS_ASSIGN_OR_RETURN_CTX(LogListing listing, ListLog(store, root), "commit conflict check");
    for (int64_t v = version; v <= listing.latest_version; ++v) {
      RS_ASSIGN_OR_RETURN_CTX(std::vector<Action> winner, ReadCommit(store, root, v),
                              "commit conflict check");
      if (IsOurs(winner, intent)) return v;
      RS_RETURN_IF_ERROR(CheckCompatible(winner, v, &intent, &actions));
    }
    version = std::max(version, listing.latest_version) + 1;
  }
  return Status::Aborted(fmt::format("commit gave up after {} attempts against concurrent writers",
                                     max_attempts));
}

}  // namespace rs::delta
