// delta_overwrite_month TABLE_DIR YYYY-MM RUN_ID ROWS [START_FILE]
// Overwrites one month of a local test table, for the two-process race test.
// When START_FILE is given, creates START_FILE.RUN_ID.ready after writing the
// data file and then waits until START_FILE exists,
// so two processes reach the commit together. Prints the committed version.
// Exit: 0 committed, 3 conflict (Aborted), 1 other error.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "delta/log_internal.h"
#include "delta/table.h"

namespace {

rs::Schema MonthSchema() {
  return {{"year_month", rs::DataType::Primitive(rs::TypeId::kString), true},
          {"symbol", rs::DataType::Primitive(rs::TypeId::kString), true},
          {"rank", rs::DataType::Primitive(rs::TypeId::kInteger), true}};
}

rs::RecordBatch Rows(const std::string& ym, const std::string& run, int n) {
  rs::RecordBatch b;
  b.schema = MonthSchema();
  for (const auto& f : b.schema) b.columns.push_back(rs::ColumnVector::Make(f));
  for (int i = 0; i < n; ++i) {
    b.columns[0].As<std::string>().push_back(ym);
    b.columns[1].As<std::string>().push_back(run + "-" + std::to_string(i));
    b.columns[2].As<int32_t>().push_back(i + 1);
  }
  b.num_rows = n;
  return b;
}

int Fail(const rs::Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  return st.code() == rs::StatusCode::kAborted ? 3 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s TABLE_DIR YYYY-MM RUN_ID ROWS [START_FILE]\n", argv[0]);
    return 2;
  }
  std::string ym = argv[2];
  std::string run = argv[3];
  auto store = rs::storage::OpenStorage(argv[1], {});
  if (!store.ok()) return Fail(store.status());
  auto table = rs::delta::Table::Open(std::move(store).value(), "");
  if (!table.ok()) return Fail(table.status());
  rs::delta::CommitOptions options;
  options.run_id = run;
  auto tx = table->BeginOverwrite(MonthSchema(), {"year_month"}, {ym}, options);
  if (!tx.ok()) return Fail(tx.status());
  rs::Status st = tx->WritePartition(ym, Rows(ym, run, std::stoi(argv[4])));
  if (!st.ok()) return Fail(st.WithCleanupError(tx->Abandon()));
  if (argc > 5) {
    std::FILE* ready = std::fopen((std::string(argv[5]) + "." + run + ".ready").c_str(), "w");
    if (ready) std::fclose(ready);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!std::filesystem::exists(argv[5]) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  auto outcome = tx->Commit();
  if (!outcome.ok()) return Fail(outcome.status());
  std::printf("%lld\n", static_cast<long long>(outcome->version));
  return 0;
}
