// Replication of derived signals from Delta (canonical) to the PostgreSQL
// serving copy, one whole month per transaction.
//
// Typical use by the CLI, after the Delta commit of the months:
//   RS_ASSIGN_OR_RETURN(auto rep, Replicator::Connect(options));
//   RS_RETURN_IF_ERROR(rep->CheckSchema(SignalsSchema(), CompositeSchema()));
//   for each month: auto r = rep->ReplaceMonth(payload);
//                   if (!r.ok()) (void)rep->RecordFailure(month, run_id, r.status().message());
//
// ReplaceMonth replaces ranking.ranking_signal and ranking.composite_signal_daily
// rows of one year_month and its ledger row (ranking.signal_sync_state) in a
// single transaction: concurrent readers see the previous month or the new
// one, never a mix, and a failure (including a lost connection mid-COPY)
// leaves the previous content. An older Delta version never overwrites a
// newer one (skipped=true). See docs/postgres.md.
//
// Thread-safety: a Replicator owns one connection; use it from one thread at
// a time. Several Replicators (threads or processes) may replicate at once:
// months are serialized by a transaction-scoped advisory lock per month.
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

// The layouts ReplaceMonth accepts, column order as in SIGNALS.md:
// ranking_signals: date, year_month, symbol, strategy, rank, rank_percentile,
//                  n_symbols, score (nullable)
// composite_signals: date, year_month, symbol, composite_percentile,
//                  strategies_present, strategies_hit, composite_rank
Schema SignalsSchema();
Schema CompositeSchema();

struct MonthPayload {
  std::string year_month;        // "YYYY-MM"; every row must carry it
  const RecordBatch& signals;    // SignalsSchema() layout, the month's rows
  const RecordBatch& composite;  // CompositeSchema() layout, the month's rows
  // Delta table versions the rows were read from; negative = unknown (NULL).
  int64_t rankings_delta_version = -1;
  int64_t signals_delta_version = -1;
  int64_t composite_delta_version = -1;
  std::string run_id;
  // Compare count(*) per table with the rows written before COMMIT.
  bool verify_counts = true;
};

struct MonthSyncResult {
  std::string year_month;
  bool skipped = false;       // the ledger holds newer Delta versions
  std::string skip_reason;    // e.g. "ledger has signals version 12 > payload 11"
  int64_t signals_rows = 0;   // written (0 when skipped)
  int64_t composite_rows = 0;
  int64_t signals_rows_deleted = 0;
  int64_t composite_rows_deleted = 0;
  std::string signals_checksum;    // ContentChecksum of the payload
  std::string composite_checksum;
  int64_t bytes_sent = 0;          // binary COPY bytes, both tables
  double delete_seconds = 0;
  double copy_seconds = 0;         // both COPYs
  double commit_seconds = 0;       // checksum wait, ledger, verification and COMMIT
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
  // and checks the ledger has the lineage columns. A missing table or column
  // or a different type is FailedPrecondition naming it. Reads only.
  Status CheckSchema(const Schema& signals, const Schema& composite);

  // Replaces one month (see the file comment). Errors: InvalidArgument (the
  // payload does not match the layouts or carries rows of another month),
  // Unavailable (connection lost; nothing changed), Internal (verify_counts
  // found a mismatch; rolled back), or the server's error.
  Result<MonthSyncResult> ReplaceMonth(const MonthPayload& payload);

  // Marks the month's ledger row status='failed' with `error` (redacted),
  // keeping the counts, versions and checksums of the content still served.
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
