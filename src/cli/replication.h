// Replication of committed Delta months to PostgreSQL, and the drift check
// between them (`verify`, `sync`). PostgreSQL is rebuilt from Delta alone.
#ifndef RS_CLI_REPLICATION_H_
#define RS_CLI_REPLICATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/lake.h"
#include "common/log.h"
#include "common/status.h"

namespace rs::cli {

struct TableVersions {
  int64_t rankings = -1;  // -1: unknown / absent
  int64_t signals = -1;
  int64_t composite = -1;
};

struct MonthReplication {
  std::string month;
  bool ok = false;
  bool skipped = false;  // PostgreSQL already holds a newer Delta version
  std::string error;     // redacted
  int64_t signals_rows = 0;
  int64_t composite_rows = 0;
  double seconds = 0;
};

// Replicates `months` from the Delta tables at `versions` (-1 = latest), up to
// `config.connections` months at once, each in its own transaction on its own
// connection; `out` lists the months attempted, in the order of `months`. With
// write_required, a failure stops handing out months (those in flight finish)
// and the earliest failed month's error is returned (its ledger row says
// failed where the database is reachable); without it, failures are logged,
// recorded, and returned in `out` only.
Status ReplicateMonths(const Lake& lake, const std::vector<std::string>& months,
                       const TableVersions& versions, const ReplicationConfig& config,
                       const std::string& run_id, Logger& log, std::vector<MonthReplication>* out);

enum class MonthState { kInSync, kMissing, kDrifted, kStale };
std::string_view MonthStateName(MonthState state);

struct MonthCheck {
  std::string month;
  MonthState state = MonthState::kInSync;
  std::string detail;
  int64_t delta_signals_rows = 0, delta_composite_rows = 0;
  int64_t pg_signals_rows = 0, pg_composite_rows = 0;
  int64_t delta_version = -1;                 // newest signals/composite version touching the month
  std::optional<int64_t> ledger_version;      // signals version the ledger records
  std::string ledger_status;
};

// Compares Delta with PostgreSQL for the months of `months_spec` (resolved
// over the months present on either side).
Result<std::vector<MonthCheck>> VerifyMonths(const Lake& lake, const std::string& months_spec,
                                             const ReplicationConfig& config, Logger& log);

// Prints the verification table to `out`.
void PrintMonthChecks(const std::vector<MonthCheck>& checks, std::ostream& out);

}  // namespace rs::cli

#endif  // RS_CLI_REPLICATION_H_
