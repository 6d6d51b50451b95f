#include "job/served_tables_internal.h"

#include <vector>

namespace rs::job::internal {
namespace {

std::vector<std::string> ColumnNames(const Schema& schema) {
  std::vector<std::string> names;
  for (const Field& f : schema) names.push_back(f.name);
  return names;
}

}  // namespace

Result<OpenedTable> OpenAt(const Lake& lake, const std::string& path, int64_t version) {
  RS_ASSIGN_OR_RETURN_CTX(delta::Table table, lake.OpenTable(path), "open " + lake.Describe(path));
  delta::SnapshotSpec spec;
  if (version >= 0) spec.version = version;
  RS_ASSIGN_OR_RETURN_CTX(delta::Snapshot snapshot, table.LoadSnapshot(spec),
                          "load " + lake.Describe(path));
  return OpenedTable{std::move(table), std::move(snapshot)};
}

Result<RecordBatch> ReadMonth(const OpenedTable& t, const std::string& month, const Schema& layout) {
  delta::ScanOptions scan;
  scan.columns = ColumnNames(layout);
  scan.ranges.push_back({"year_month", Value::Bytes(month), Value::Bytes(month)});
  return t.table.Scan(t.snapshot, scan);
}

std::set<std::string> PartitionMonths(const delta::Snapshot& snapshot) {
  std::set<std::string> months;
  for (const auto& f : snapshot.files) {
    auto it = f.partition_values.find("year_month");
    if (it != f.partition_values.end() && it->second) months.insert(*it->second);
  }
  return months;
}

// The newest version of the table whose commit replaced each month, from the
// month literals ('YYYY-MM') in its operation parameters. A data commit naming

}  // namespace rs::job::internal
