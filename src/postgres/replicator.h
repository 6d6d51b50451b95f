// Replication of derived signals from Delta (canonical) to the PostgreSQL
// serving copy, one whole month per transaction.
//
// Typical use by the CLI, after the Delta commit of the months:
//   RS_ASSIGN_OR_RETURN(auto rep, Replicator::Connect(options));
//   RS_RETURN_IF_ERROR(rep->CheckSchema(SignalsSchema(), CompositeSchema()));
//   for each month: auto r = rep->ReplaceMonth(payload);
//                   if (!r.ok()) (void)rep->RecordFailure(month, run_id, r.status().message());
//
// ReplaceMonth replaces the month's partitions of ranking.ranking_signal and
// ranking.composite_signal_daily and its ledger row
// (ranking.signal_sync_state) in a single transaction: the rows are COPYed
// into staging tables, indexed, then swapped in as the month's partitions
// (the old ones detached and dropped). Concurrent readers see the previous
// month or the new one, never a mix, and a failure (including a lost
// connection mid-COPY) leaves the previous content. An older Delta version of
// the same source never overwrites a newer one (skipped=true). See
// docs/postgres.md.
//
// Thread-safety: a Replicator owns one connection; use it from one thread at
// a time. Several Replicators (threads or processes) may replicate at once:
// months are serialized by a transaction-scoped advisory lock per month, and
// the short swap step by the serving tables' ACCESS EXCLUSIVE locks.
#ifndef RS_POSTGRES_REPLICATOR_H_
#define RS_POSTGRES_REPLICATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "postgres/checksum.h"
#include "postgres/migrations.h"

namespace rs::postgres {

// The layouts ReplaceMonth accepts and COPYs (their names are the COPY
// column lists), column order as in SIGNALS.md. They mirror the one
// definition, signals::RankingSignalsSchema() / CompositeSignalsSchema()
// (this module cannot depend on signals); tests/job/replicate_integration_test.cc
// fails unless they and the migrated tables match it.
// ranking_signals: date, year_month, symbol, strategy, rank, rank_percentile,
//                  n_symbols, score (nullable)
// composite_signals: date, year_month, symbol, composite_percentile,
//                  strategies_present, strategies_hit, composite_rank
Schema SignalsSchema();
Schema CompositeSchema();

// One month to replace: a value that owns its rows (move the batches in), so
// it cannot outlive what it refers to.
struct MonthPayload {
  std::string year_month;  // "YYYY-MM"; every row must carry it
  RecordBatch signals;     // SignalsSchema() layout, the month's rows
  RecordBatch composite;   // CompositeSchema() layout, the month's rows
  // Delta table versions the rows were read from; negative = unknown (NULL).
  int64_t rankings_delta_version = -1;
  int64_t signals_delta_version = -1;
  int64_t composite_delta_version = -1;
  std::string run_id;
  // Compare count(*) of each staging table with the rows sent, before the swap.
  bool verify_counts = true;
  // Source identity (ledger v2). The Delta metaData.id of each table; ""
  // = unknown, and then identity is not compared (versions decide, as
  // before v2).
  std::string signals_table_id;
  std::string composite_table_id;
  // Location of the ranking_signals Delta table, for the ledger. Must not
  // carry credentials; a query string (e.g. a SAS token) is dropped anyway.
  std::string source_location;
  // Commit timestamp (ms since the epoch) of signals_delta_version; < 0 = unknown.
  int64_t signals_commit_timestamp_ms = -1;
  // Replace whatever the ledger says (no skip by version).
  bool force = false;
};

struct MonthSyncResult {
  std::string year_month;
  bool skipped = false;       // the ledger holds newer Delta versions of the same source
  std::string skip_reason;    // e.g. "ledger has signals version 12 > payload 11"
  // The served rows came from another source than the payload's (other
  // Delta table ids, or a ledger row from before v2 while the payload has
  // ids): replaced regardless of versions. The caller should WARN with
  // source_change_reason, e.g. "signals table id changed from a1 to b2".
  bool source_changed = false;
  std::string source_change_reason;
  int64_t signals_rows = 0;   // written (0 when skipped)
  int64_t composite_rows = 0;
  // Rows of the month served before: the replaced partition plus rows of the
  // month in the DEFAULT partition.
  int64_t signals_rows_deleted = 0;
  int64_t composite_rows_deleted = 0;
  std::string signals_checksum;    // ContentChecksum of the payload
  std::string composite_checksum;
  int64_t bytes_sent = 0;          // binary COPY bytes, both tables
  bool copy_frozen = false;        // the COPYs ran with FREEZE
  double delete_seconds = 0;       // always 0: nothing is deleted row by row any more
  double copy_seconds = 0;         // both COPYs into the staging tables
  double index_seconds = 0;        // both staging tables' indexes and ANALYZE
  double verify_seconds = 0;       // verify_counts on the staging tables
  double swap_seconds = 0;         // the swap, including lock waits and backoff
  int swap_attempts = 0;           // 1 when the locks were granted at once
  double commit_seconds = 0;       // checksum wait, ledger upsert and COMMIT
  double total_seconds = 0;
};

// One row of ranking.signal_sync_state. Optional fields are NULL in the table.
struct LedgerRow {
  std::string year_month;
  std::string synced_at;  // ISO 8601 UTC, "" when NULL
  std::optional<int64_t> signals_rows, composite_rows;
  std::string status;     // "success" or "failed"
  std::optional<std::string> error;
  std::optional<int64_t> rankings_delta_version, signals_delta_version, composite_delta_version;
  std::optional<std::string> run_id, signals_checksum, composite_checksum;
  // Ledger v2; NULL for rows written before it.
  std::optional<std::string> signals_table_id, composite_table_id, source_location;
  std::string signals_commit_timestamp;  // ISO 8601 UTC, "" when NULL
  std::string last_success_at;           // ISO 8601 UTC, "" when NULL
};

// What PostgreSQL holds for a month, computed in SQL in one snapshot.
struct MonthStats {
  std::string year_month;
  int64_t signals_rows = 0;
  int64_t composite_rows = 0;
  std::string signals_checksum;    // same definition as ContentChecksum
  std::string composite_checksum;
};

class Replicator {
 public:
  // Connects (retrying transient failures per options).
  static Result<std::unique_ptr<Replicator>> Connect(const ConnectionOptions& options);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // "PostgreSQL at host:port/db", for logs.
  const std::string& target() const;

  // Compares the columns of ranking.ranking_signal and
  // ranking.composite_signal_daily with the Delta schemas (by name and type)
  // and checks the ledger has the lineage and v2 columns. A missing table or
  // column or a different type is FailedPrecondition naming it, the
  // migration that creates it and what restores it (`migrate`, or the
  // statement a person runs). Reads only.
  Status CheckSchema(const Schema& signals, const Schema& composite);

  // Replaces one month (see the file comment). Ledger rules, under the
  // month's lock: payload.force replaces; a ledger row serving rows of
  // another source (table ids differ, or NULL while the payload has ids)
  // replaces and sets source_changed; else a ledger version newer than the
  // payload's skips (skipped=true); else replaces. Errors: InvalidArgument (the
  // payload does not match the layouts or carries rows of another month, or
  // a date outside the month), Unavailable (connection lost, or the swap's
  // locks not granted in options.swap_attempts attempts: the message names
  // the month and the blocking backends; nothing changed), Internal
  // (verify_counts found a mismatch; rolled back), or the server's error.
  Result<MonthSyncResult> ReplaceMonth(const MonthPayload& payload);

  // Marks the month's ledger row status='failed' with `error` (redacted),
  // run_id and synced_at, keeping last_success_at, counts, versions,
  // checksums and source identity: they describe the content still served.
  // Errors: FailedPrecondition naming the role and the GRANT it needs when
  // the ledger write is denied (SQLSTATE 42501), or the server's error.
  Status RecordFailure(const std::string& year_month, const std::string& run_id,
                       const std::string& error);

  // The whole ledger, ordered by year_month.
  Result<std::vector<LedgerRow>> ReadLedger();

  // Row counts and content checksums of a month, computed by the server.
  Result<MonthStats> MonthContent(const std::string& year_month);

 private:
  struct Impl;
  explicit Replicator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rs::postgres

#endif  // RS_POSTGRES_REPLICATOR_H_
