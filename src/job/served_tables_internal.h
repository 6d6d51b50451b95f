// The Delta side of replication, shared by replicate, verify and sync: the
// derived tables opened at fixed snapshots, one month read from them, and
// the months present in a snapshot.
#ifndef RS_JOB_SERVED_TABLES_INTERNAL_H_
#define RS_JOB_SERVED_TABLES_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"
#include "job/lake.h"
#include "job/options.h"

namespace rs::job::internal {

// A table opened at one snapshot, from which months are read. A Table may be
// read from several threads.
struct OpenedTable {
  delta::Table table;
  delta::Snapshot snapshot;
};

// Opens the table at `path` of `lake` at `version` (-1 = latest).
Result<OpenedTable> OpenAt(const Lake& lake, const std::string& path, int64_t version);

// The rows of `month` (year_month partition) in the columns of `layout`.
Result<RecordBatch> ReadMonth(const OpenedTable& t, const std::string& month, const Schema& layout);

// The year_month partition values of the snapshot's live files.
std::set<std::string> PartitionMonths(const delta::Snapshot& snapshot);

}  // namespace rs::job::internal

#endif  // RS_JOB_SERVED_TABLES_INTERNAL_H_
