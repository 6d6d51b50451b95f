// Schema migrations of the PostgreSQL serving database, and the connection
// settings shared by everything in this module.
//
// Migrate() applies deploy/sql/postgres/migrations/NNNN_name.sql files that
// the database has not seen, in version order, each in its own transaction,
// and records each in public.schema_migrations with the sha256 of the file.
// It holds a session advisory lock while it works, so concurrent migrators
// serialize and each file is applied once. A database migrated by the Python
// predecessor (ledger rows without checksum) is adopted as is.
//
// Thread-safety: Migrate() is reentrant; it opens its own connection.
#ifndef RS_POSTGRES_MIGRATIONS_H_
#define RS_POSTGRES_MIGRATIONS_H_

#include <string>
#include <vector>

#include "common/status.h"

namespace rs::postgres {

struct ConnectionOptions {
  // libpq connection string, URI or key=value; sslmode and friends are
  // honoured as given. Never logged and never part of any Status.
  std::string dsn;
  // Sent as fallback_application_name: a value in `dsn` wins.
  std::string application_name = "ranking-signals";
  // Per connection attempt; a connect_timeout in `dsn` wins.
  int connect_timeout_s = 10;
  // SET statement_timeout after connecting; 0 keeps the server's default.
  int statement_timeout_ms = 0;
  // Extra connection attempts after a transient failure (refused, too many
  // clients, starting up, timeout). Authentication failures are not retried.
  int connect_retries = 3;
  // Backoff before retry k (0-based): uniform in [0, retry_base_ms * 2^k],
  // the ceiling capped at 64 * retry_base_ms (common/retry.h, full jitter).
  int retry_base_ms = 200;
  // Replicator::ReplaceMonth's partition swap: SET LOCAL lock_timeout for the
  // ACCESS EXCLUSIVE locks on the serving tables (0 waits without limit).
  int lock_timeout_ms = 2000;
  // Attempts of the swap when the lock timeout expires (SQLSTATE 55P03), at
  // least 1; between attempts a jittered backoff of
  // swap_backoff_base_ms * 2^k * [0.5, 1] for retry k (0-based; common/retry.h,
  // equal jitter).
  int swap_attempts = 5;
  int swap_backoff_base_ms = 200;
};

// Checks without connecting that `dsn` is a connection string libpq accepts
// (URI or key=value) with valid ports, so a typo is found before any work.
// Errors: InvalidArgument saying what is malformed, never quoting the DSN or
// its password.
Status ValidateDsn(const std::string& dsn);

struct MigrationStep {
  enum class Action {
    kApplied,         // ran now
    kAlreadyApplied,  // in the ledger with the same checksum
    kAdopted,         // in the ledger without checksum (the predecessor's row)
    kReapplied,       // in the ledger, ran again to restore objects it creates
  };
  std::string version;  // "0003"
  std::string file;     // "0003_ranking_signals.sql"
  Action action = Action::kApplied;
  double seconds = 0;  // time spent applying (kApplied and kReapplied)
};

struct MigrationReport {
  std::string target;                   // "PostgreSQL at host:port/db"
  std::vector<MigrationStep> steps;     // one per file, in version order
  // Ledger versions with no file in migrations_dir (a newer release ran).
  std::vector<std::string> unknown_versions;
  // Objects of applied migrations that were missing and are restored
  // ("ranking.signal_sync_state has no column run_id (text) (migration 0004)").
  std::vector<std::string> restored;
  int applied_count() const;
};

// Applies the pending migrations of `migrations_dir` (files NNNN_*.sql), then
// checks that what the applied ones create still exists (schemas, serving
// tables partitioned with their columns and types, the ledger's columns and
// CHECK, the month-swap functions). Objects dropped by hand that applying
// their migration again restores (every file is idempotent and keeps rows)
// are restored that way: the migrations from the earliest such one on run
// again (kReapplied), but only when nothing else is missing (a file applied
// over a hand-made change it does not expect could fail halfway). Errors: InvalidArgument (bad
// directory or file names, bad DSN or credentials), Unavailable (server unreachable),
// FailedPrecondition (an applied file changed; or objects still missing or
// changed after that, each named with the migration that creates it and the
// statement that restores it), or the failing statement's error annotated
// with the file name; files applied before it stay applied.
Result<MigrationReport> Migrate(const ConnectionOptions& options,
                                const std::string& migrations_dir);

struct MigrationState {
  enum class State {
    kApplied,  // in the ledger with this file's checksum
    kPending,  // not in the ledger: `migrate` would apply it
    kAdopted,  // in the ledger without checksum (the predecessor's row)
    kChanged,  // in the ledger with another checksum: `migrate` refuses to run
    kUnknown,  // in the ledger, no file of that version here (a newer release ran)
  };
  std::string version;  // "0003"
  std::string file;     // "" for kUnknown
  State state = State::kPending;
};

// "applied", "pending", "adopted", "changed", "unknown".
const char* MigrationStateName(MigrationState::State state);

struct MigrationStatusReport {
  std::string target;                   // "PostgreSQL at host:port/db"
  std::vector<MigrationState> entries;  // files in version order, then unknown versions
};

// What Migrate() would do, read only: compares the files of `migrations_dir`
// with public.schema_migrations (absent: every file pending). Changes
// nothing and takes no lock. Errors as Migrate()'s for the directory and the
// connection.
Result<MigrationStatusReport> MigrationStatus(const ConnectionOptions& options,
                                              const std::string& migrations_dir);

}  // namespace rs::postgres

#endif  // RS_POSTGRES_MIGRATIONS_H_
