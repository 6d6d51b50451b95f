// The drift check between Delta (canonical) and the PostgreSQL serving copy:
// per month, row counts and content checksums on both sides, the Delta version
// that last touched the month and what the ledger records. `verify` prints
// it; `sync` (sync.h) replicates what it finds out of sync.
#ifndef RS_JOB_VERIFY_H_
#define RS_JOB_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "job/lake.h"
#include "job/options.h"
#include "postgres/replicator.h"

namespace rs::job {

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
  // Content checksums (postgres::ContentChecksum) of each side's rows.
  std::string delta_signals_checksum, delta_composite_checksum;
  std::string pg_signals_checksum, pg_composite_checksum;
};

// Compares Delta with PostgreSQL for the months of `months_spec` (resolved
// over the months present on either side). Reads only.
Result<std::vector<MonthCheck>> VerifyMonths(const Lake& lake, const std::string& months_spec,
                                             const ReplicationOptions& options, Logger& log);

// Sets m.state and m.detail from the evidence: `m`'s Delta row counts and
// delta_version, the Delta checksums, what PostgreSQL holds and the ledger
// row (nullptr when absent). Pure.
void Classify(MonthCheck& m, const std::string& delta_sig_sum, const std::string& delta_comp_sum,
              const postgres::MonthStats& pg, const postgres::LedgerRow* ledger);

}  // namespace rs::job

#endif  // RS_JOB_VERIFY_H_
