// The shared Delta conformance corpus ($RS_CONFORMANCE_DIR/delta, see its
// README.md): every table is read in place and compared with its
// <table>.expected.json, through the library and through the `table` CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "delta/row_json.h"
#include "delta/table.h"
#include "delta/table_tool_run.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::set<std::string> kSupportedFeatures = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"};

std::string CorpusDir() {
  const char* dir = std::getenv("RS_CONFORMANCE_DIR");
  return dir ? std::string(dir) + "/delta" : "";
}

std::vector<std::string> ListTables() {
  std::vector<std::string> tables;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(CorpusDir(), ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && fs::exists(CorpusDir() + "/" + name + ".expected.json")) {
      tables.push_back(name);
    }
  }
  std::sort(tables.begin(), tables.end());
  return tables;
}

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Makes a row comparable: floats as float32, maps as sorted pairs.
json Normalize(const json& v, const json& type) {
  if (v.is_null()) return v;
  if (type.is_string()) {
    if (type == "float" && v.is_number()) return static_cast<double>(v.get<float>());
    return v;
  }
  std::string kind = type.value("type", "");
  json out;
  if (kind == "struct") {
    out = json::object();
    for (const auto& f : type["fields"]) {
      std::string name = f["name"];
      out[name] = Normalize(v.contains(name) ? v[name] : json(), f["type"]);
    }
  } else if (kind == "array") {
    out = json::array();
    for (const auto& e : v) out.push_back(Normalize(e, type["elementType"]));
  } else if (kind == "map") {
    std::vector<std::string> pairs;
    for (const auto& kv : v) {
      pairs.push_back(json::array({Normalize(kv[0], type["keyType"]),
                                   Normalize(kv[1], type["valueType"])})
                          .dump());
    }
    std::sort(pairs.begin(), pairs.end());
    out = json::array();
    for (const auto& p : pairs) out.push_back(json::parse(p));
  } else {
    out = v;
  }
  return out;
}

std::vector<std::string> NormalizedRows(const json& rows, const json& schema) {
  json row_type = {{"type", "struct"}, {"fields", schema}};
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(Normalize(r, row_type).dump());
  std::sort(out.begin(), out.end());
  return out;
}

void CheckColumnSummary(const json& summary, const json& rows, const json& schema) {
  for (const auto& field : schema) {
    std::string name = field["name"];
    if (!summary.contains(name)) continue;
    const json& want = summary[name];
    int64_t non_null = 0;
    json min, max;
    double sum = 0;
    for (const auto& r : rows) {
      json v = Normalize(r[name], field["type"]);
      if (v.is_null()) continue;
      ++non_null;
      if (v.is_number()) sum += v.get<double>();
      if (min.is_null() || v < min) min = v;
      if (max.is_null() || v > max) max = v;
    }
    if (want.contains("non_null")) {
      EXPECT_EQ(non_null, want["non_null"].get<int64_t>()) << name;
    }
    if (want.contains("min") && !want["min"].is_null()) {
      EXPECT_EQ(min, Normalize(want["min"], field["type"])) << name;
    }
    if (want.contains("max") && !want["max"].is_null()) {
      EXPECT_EQ(max, Normalize(want["max"], field["type"])) << name;
    }
    if (want.contains("sum") && want["sum"].is_number()) {
      EXPECT_DOUBLE_EQ(sum, want["sum"].get<double>()) << name;
    }
  }
}

json ScanRows(const Table& table, const Snapshot& s) {
  json rows = json::array();
  Status st = table.ScanEach(s, {}, [&rows](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows; ++i) rows.push_back(json::parse(RowToJson(b, i)));
    return Status::OK();
  });
  if (!st.ok()) return json(st.ToString());
  return rows;
}

void CheckFiles(const Snapshot& s, const json& want) {
  ASSERT_EQ(s.files.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const AddFile& f = s.files[i];
    EXPECT_EQ(f.path, want[i]["path"].get<std::string>());
    EXPECT_EQ(f.size_bytes, want[i]["size"].get<int64_t>()) << f.path;
    json pv = json::object();
    for (const auto& [k, v] : f.partition_values) pv[k] = v ? json(*v) : json(nullptr);
    EXPECT_EQ(pv, want[i].value("partition_values", json::object())) << f.path;
    if (want[i].contains("num_records")) {
      EXPECT_EQ(f.num_records, want[i]["num_records"].get<int64_t>()) << f.path;
    }
  }
}

void CheckSnapshot(const Table& table, const json& want) {
  int64_t version = want["version"];
  SCOPED_TRACE("version " + std::to_string(version));
  auto s = table.LoadSnapshot(SnapshotSpec{version, std::nullopt});
  if (want.contains("expect_error")) {
    EXPECT_FALSE(s.ok()) << "loading must fail: " << want["expect_error"];
    return;
  }
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  if (want.contains("checkpoint_version_used") && !want["checkpoint_version_used"].is_null()) {
    EXPECT_EQ(s->checkpoint_version, want["checkpoint_version_used"].get<int64_t>());
  }
  EXPECT_EQ(json::parse(SchemaFieldsJson(s->metadata.schema)), want["schema"]);
  EXPECT_EQ(json(s->metadata.partition_columns), want["partition_columns"]);
  EXPECT_EQ(static_cast<int64_t>(s->files.size()), want["num_files"].get<int64_t>());
  if (want.contains("files")) CheckFiles(*s, want["files"]);
  if (want.contains("expect_read_error")) {
    auto rows = table.Scan(*s);
    ASSERT_FALSE(rows.ok()) << "scan must fail: " << want["expect_read_error"];
    EXPECT_EQ(rows.status().code(), StatusCode::kNotFound);
    std::string expected = want["expect_read_error"];
    std::string file = expected.substr(expected.rfind(' ') + 1);
    EXPECT_NE(rows.status().message().find(file), std::string::npos) << rows.status().message();
    return;
  }
  json rows = ScanRows(table, *s);
  ASSERT_TRUE(rows.is_array()) << rows;
  EXPECT_EQ(static_cast<int64_t>(rows.size()), want["row_count"].get<int64_t>());
  if (want.contains("rows")) {
    EXPECT_EQ(NormalizedRows(rows, want["schema"]), NormalizedRows(want["rows"], want["schema"]));
  }
  if (want.contains("column_summary")) CheckColumnSummary(want["column_summary"], rows, want["schema"]);
}

// The snapshots of an if_supported result: its "snapshots", or the object
// itself as the snapshot at its latest_version.
json SupportedSnapshots(const json& alt) {
  if (alt.contains("snapshots")) return alt["snapshots"];
  json snap = alt;
  snap["version"] = alt["latest_version"];
  return json::array({snap});
}

bool AllSupported(const json& features) {
  for (const auto& f : features) {
    if (!kSupportedFeatures.count(f.get<std::string>())) return false;
  }
  return !features.empty();
}

void CheckRejected(const Table& table, const json& expected) {
  auto s = table.LoadSnapshot();
  Status st = s.status();
  if (s.ok()) st = table.Scan(*s).status();
  ASSERT_FALSE(st.ok()) << "table must be refused: " << expected["expect_error"];
  if (expected.value("error_category", "") == "unsupported_reader_feature") {
    EXPECT_EQ(st.code(), StatusCode::kUnimplemented) << st.ToString();
    for (const auto& f : expected.value("required_reader_features", json::array())) {
      EXPECT_NE(st.message().find(f.get<std::string>()), std::string::npos) << st.ToString();
    }
  } else {
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  }
}

// The `table` command on the corpus table; stdout and stderr pass through
// files in a scratch directory named after `tag`.
testing::ToolRun RunTool(const std::string& args, const std::string& tag) {
  std::filesystem::path scratch = std::filesystem::path(::testing::TempDir()) / ("conf_" + tag);
  std::filesystem::create_directories(scratch);
  return testing::RunTableTool(args, scratch);
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = CorpusDir() + "/" + GetParam();
    expected_ = ReadJson(dir_ + ".expected.json");
    auto store = storage::OpenStorage(dir_, {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    table_ = std::move(Table::Open(std::move(store).value(), "")).value();
  }
  std::string dir_;
  json expected_;
  std::optional<Table> table_;
};

TEST_P(ConformanceTest, LibraryMatchesExpected) {
  if (expected_.contains("expect_error")) {
    if (!AllSupported(expected_.value("required_reader_features", json::array()))) {
      CheckRejected(*table_, expected_);
      return;
    }
    json snapshots = SupportedSnapshots(expected_["if_supported"]);  // a feature we implement
    ASSERT_FALSE(snapshots.empty()) << "if_supported without snapshots";
    for (const auto& snap : snapshots) CheckSnapshot(*table_, snap);
    return;
  }
  for (const auto& snap : expected_["snapshots"]) CheckSnapshot(*table_, snap);
}

TEST_P(ConformanceTest, CliInfoAndScanAtLatestVersion) {
  bool refused = expected_.contains("expect_error") &&
                 !AllSupported(expected_.value("required_reader_features", json::array()));
  testing::ToolRun info = RunTool("table info '" + dir_ + "'", GetParam() + "_info");
  testing::ToolRun scan = RunTool("table scan '" + dir_ + "'", GetParam() + "_scan");
  if (refused) {
    for (const testing::ToolRun* run : {&info, &scan}) {
      EXPECT_EQ(run->exit_code, 1) << run->err;
      EXPECT_EQ(run->err.rfind("error: ", 0), 0u) << run->err;
      EXPECT_TRUE(run->out.empty());
      for (const auto& f : expected_.value("required_reader_features", json::array())) {
        EXPECT_NE(run->err.find(f.get<std::string>()), std::string::npos) << run->err;
      }
    }
    return;
  }
  const json latest = expected_.contains("expect_error")
                          ? SupportedSnapshots(expected_["if_supported"])[0]
                          : expected_["snapshots"][0];
  ASSERT_EQ(info.exit_code, 0) << info.err;
  json parsed = json::parse(info.out);
  EXPECT_EQ(parsed["version"], latest["version"]);
  EXPECT_EQ(parsed["num_files"], latest["num_files"]);
  EXPECT_EQ(parsed["schema"], latest["schema"]);
  EXPECT_EQ(parsed["partition_columns"], latest["partition_columns"]);
  EXPECT_EQ(parsed["num_rows"], latest["row_count"]);
  if (latest.contains("checkpoint_version_used") && !latest["checkpoint_version_used"].is_null()) {
    EXPECT_EQ(parsed["checkpoint_version"], latest["checkpoint_version_used"]);
  }
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  json rows = json::array();
  std::stringstream lines(scan.out);
  for (std::string line; std::getline(lines, line);) rows.push_back(json::parse(line));
  EXPECT_EQ(static_cast<int64_t>(rows.size()), latest["row_count"].get<int64_t>());
  if (latest.contains("rows")) {
    EXPECT_EQ(NormalizedRows(rows, latest["schema"]), NormalizedRows(latest["rows"], latest["schema"]));
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ConformanceTest, ::testing::ValuesIn(ListTables()), TestName);

TEST(ConformanceCorpus, IsPresent) {
  ASSERT_FALSE(CorpusDir().empty()) << "RS_CONFORMANCE_DIR is not set";
  EXPECT_FALSE(ListTables().empty()) << "no tables under " << CorpusDir();
}

}  // namespace
}  // namespace rs::delta
