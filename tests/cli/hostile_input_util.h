// Helpers for tests/cli/hostile_input_integration_test.cc: files, crafted
// input tables (written with the Delta API, as another writer would) and the
// escaping rules another Delta writer (Spark) uses for paths.
#ifndef RS_TESTS_CLI_HOSTILE_INPUT_UTIL_H_
#define RS_TESTS_CLI_HOSTILE_INPUT_UTIL_H_

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"
#include "parquet/writer.h"
#include "signals/months.h"
#include "storage/storage.h"

namespace rs::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline std::string Joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + ("'" + a + "'");
  return out;
}

// The data files of one gold partition (every version's, live or not).
inline std::vector<std::string> PartitionFiles(const std::string& table_dir,
                                               const std::string& month) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(table_dir + "/year_month=" + month)) {
    if (e.path().extension() == ".parquet") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Writes `batch` as a Delta table at `dir` (replacing it), one partition per
// `partition_of(row)` under column year_month, as the gold tables are laid out.
inline Status WriteDeltaTable(const std::string& dir, const RecordBatch& batch,
                              std::function<std::string(size_t)> partition_of = {}) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!partition_of) {
    const auto& dates = batch.columns[batch.FindColumn("date")].As<int32_t>();
    partition_of = [&dates](size_t row) { return YearMonthOf(dates[row]); };
  }
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < batch.num_rows; ++i) rows[partition_of(i)].push_back(i);
  std::vector<std::string> months;
  for (const auto& [m, _] : rows) months.push_back(m);
  if (months.empty()) months.push_back("2024-01");  // an empty table still needs a commit
  Field ym{"year_month", DataType::Primitive(TypeId::kString), false};
  Schema schema = batch.schema;
  schema.push_back(ym);
  RS_ASSIGN_OR_RETURN(auto store, storage::OpenStorage(dir, {}));
  RS_ASSIGN_OR_RETURN(auto table,
                      delta::Table::Open(std::shared_ptr<storage::Storage>(std::move(store)), ""));
  RS_ASSIGN_OR_RETURN(auto tx, table.BeginOverwrite(schema, {"year_month"}, months, {}));
  for (const auto& [month, idx] : rows) {
    RecordBatch part = TakeRows(batch, idx);
    ColumnVector col = ColumnVector::Make(ym);
    col.As<std::string>().assign(idx.size(), month);
    part.schema.push_back(ym);
    part.columns.push_back(std::move(col));
    Status s = tx.WritePartition(month, part);
    if (!s.ok()) return s.WithCleanupError(tx.Abandon());
  }
  RS_ASSIGN_OR_RETURN(auto outcome, tx.Commit());
  (void)outcome;
  return Status::OK();
}

// Writes `batch` as an unpartitioned Delta table at `dir` the way another
// writer might: one Parquet file and a hand-written log, nothing validated.
inline Status WriteRawDeltaTable(const std::string& dir, const RecordBatch& batch) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  RS_ASSIGN_OR_RETURN(auto store, storage::OpenStorage(dir, {}));
  const std::string file = "part-00000-raw.c000.snappy.parquet";
  RS_ASSIGN_OR_RETURN(auto summary, parquet::WriteFile(*store, file, batch, {}));
  nlohmann::json fields = nlohmann::json::parse(delta::SchemaFieldsJson(batch.schema));
  for (auto& f : fields) f["metadata"] = nlohmann::json::object();
  nlohmann::json schema = {{"type", "struct"}, {"fields", fields}};
  nlohmann::json protocol = {{"protocol", {{"minReaderVersion", 1}, {"minWriterVersion", 2}}}};
  nlohmann::json metadata = {
      {"metaData",
       {{"id", "6f0c8f64-0000-4000-8000-000000000001"},
        {"format", {{"provider", "parquet"}, {"options", nlohmann::json::object()}}},
        {"schemaString", schema.dump()},
        {"partitionColumns", nlohmann::json::array()},
        {"configuration", nlohmann::json::object()},
        {"createdTime", 1700000000000}}}};
  nlohmann::json add = {{"add",
                         {{"path", file},
                          {"partitionValues", nlohmann::json::object()},
                          {"size", summary.size_bytes},
                          {"modificationTime", 1700000000000},
                          {"dataChange", true}}}};
  return store->Put("_delta_log/00000000000000000000.json",
                    protocol.dump() + "\n" + metadata.dump() + "\n" + add.dump() + "\n");
}

// A batch with column `name` replaced by `column`.
inline RecordBatch WithColumn(RecordBatch batch, const std::string& name, ColumnVector column) {
  int i = batch.FindColumn(name);
  batch.schema[i] = column.field;
  batch.columns[i] = std::move(column);
  return batch;
}

// SIGNALS.md: a market_daily row is valid when close is finite and > 0 and
// volume finite and >= 0 (and it has a date and a non-empty symbol).
inline bool ValidByContract(const RecordBatch& market, size_t row) {
  const auto& close = market.columns[market.FindColumn("close")];
  const auto& volume = market.columns[market.FindColumn("volume")];
  const auto& symbol = market.columns[market.FindColumn("symbol")];
  if (!close.IsValid(row) || !volume.IsValid(row) || !symbol.IsValid(row)) return false;
  double c = close.As<double>()[row], v = volume.As<double>()[row];
  return std::isfinite(c) && c > 0 && std::isfinite(v) && v >= 0 &&
         !symbol.As<std::string>()[row].empty();
}

// Spark-style percent-encoding: the log's add path is a URI (space %20, '%'
// %25; non-ASCII kept), of a directory name escaped by partition rules.
inline std::string UriPath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c >= 0x80 || std::isalnum(c) ||
        std::string_view("/-_.~!$&'()*+,;=:@").find(c) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* kHex = "0123456789ABCDEF";
      out += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    }
  }
  return out;
}

// A partition value as a directory name (Spark's escapePathName).
inline std::string PartitionDirValue(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || std::string_view("\"#%'*/:=?\\\x7f{}[]^").find(c) != std::string_view::npos) {
      static const char* kHex = "0123456789ABCDEF";
      out += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace rs::testing

#endif  // RS_TESTS_CLI_HOSTILE_INPUT_UTIL_H_
