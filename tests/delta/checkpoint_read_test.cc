// Reading V2 checkpoints (issue 21 item 3): UUID-named checkpoints in JSON
// and Parquet, classic-named V2 checkpoints, sidecar files, the checkpoint
// _last_checkpoint names among several of a version, and damaged V2
// checkpoints falling back like classic ones. Tables are built in memory by
// v2_table_builder.h, following PROTOCOL.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "delta/replay_internal.h"
#include "delta/table.h"
#include "v2_table_builder.h"

namespace rs::delta {
namespace {

using v2test::json;
using v2test::kUuidA;
using v2test::kUuidB;
using v2test::V2Table;

std::string UuidCheckpoint(const char* uuid, const char* ext) {
  return std::string("_delta_log/00000000000000000001.checkpoint.") + uuid + "." + ext;
}

class CheckpointReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
    v2_.emplace(store_, "lake/t");
    table_ = std::move(Table::Open(store_, "lake/t")).value();
  }

  // Without commit 0 the log is only replayable from a checkpoint of version 1.
  void DropFirstCommit() { v2_->Delete("_delta_log/00000000000000000000.json"); }

  std::vector<std::string> Paths(const Snapshot& s) {
    std::vector<std::string> out;
    for (const AddFile& f : s.files) out.push_back(f.path);
    return out;
  }

  std::vector<int64_t> Ids(const Snapshot& s) {
    auto batch = table_->Scan(s);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) return {};
    std::vector<int64_t> ids = batch->columns[0].As<int64_t>();
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // The state of version 1, read from checkpoint `checkpoint_version`.
  void ExpectVersion1(const Result<Snapshot>& s, std::optional<int64_t> checkpoint_version) {
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->version, 1);
    EXPECT_EQ(s->checkpoint_version, checkpoint_version);
    EXPECT_EQ(Paths(*s), (std::vector<std::string>{"part-1.parquet", "part-2.parquet"}));
    ASSERT_EQ(s->tombstones.size(), 1u);
    EXPECT_EQ(s->tombstones[0].path, "part-0.parquet");
    EXPECT_EQ(s->protocol.reader_features, std::vector<std::string>{"v2Checkpoint"});
    EXPECT_EQ(Ids(*s), (std::vector<int64_t>{2, 3, 4, 5}));
  }

  std::shared_ptr<storage::Storage> store_;
  std::optional<V2Table> v2_;
  std::optional<Table> table_;
};

TEST_F(CheckpointReadTest, JsonUuidCheckpointWithSidecarsIsRead) {
  v2_->Put(UuidCheckpoint(kUuidA, "json"),
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  DropFirstCommit();
  auto s = table_->LoadSnapshot();
  ExpectVersion1(s, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->skipped_checkpoints.empty());
}

TEST_F(CheckpointReadTest, ParquetUuidCheckpointNamedByLastCheckpointIsRead) {
  std::string name = UuidCheckpoint(kUuidA, "parquet");
  int64_t size = v2test::PutParquetActions(*store_, v2_->Key(name),
                                           V2Table::TopLevel(v2_->WriteSidecars("sc")));
  json last = {{"version", 1},
               {"size", 5},
               {"sizeInBytes", size},
               {"numOfAddFiles", 2},
               {"v2Checkpoint",
                {{"path", name.substr(name.find('/') + 1)},
                 {"sizeInBytes", size},
                 {"modificationTime", 1700000003000}}}};
  v2_->Put("_delta_log/_last_checkpoint", last.dump());
  DropFirstCommit();
  ExpectVersion1(table_->LoadSnapshot(), 1);
}

TEST_F(CheckpointReadTest, V2CheckpointWithFileActionsInsideAndNoSidecarIsRead) {
  std::vector<json> lines = V2Table::TopLevel({});
  lines.push_back(v2test::AddLine("part-1.parquet", v2_->size1(), 3));
  lines.push_back(v2test::AddLine("part-2.parquet", v2_->size2(), 1));
  lines.push_back(v2test::RemoveLine("part-0.parquet"));
  v2_->Put(UuidCheckpoint(kUuidA, "json"), v2test::JsonLines(lines));
  DropFirstCommit();
  ExpectVersion1(table_->LoadSnapshot(), 1);
}

TEST_F(CheckpointReadTest, ClassicNamedV2CheckpointWithSidecarsIsRead) {
  v2test::PutParquetActions(*store_, v2_->Key("_delta_log/00000000000000000001.checkpoint.parquet"),
                            V2Table::TopLevel(v2_->WriteSidecars("sc")));
  DropFirstCommit();
  ExpectVersion1(table_->LoadSnapshot(), 1);
}

TEST_F(CheckpointReadTest, SidecarPathsMayBeAbsoluteUrisOrEscaped) {
  std::vector<json> sidecars = v2_->WriteSidecars("side car");
  sidecars[0]["sidecar"]["path"] =
      "abfss://c@a.dfs.core.windows.net/lake/t/_delta_log/_sidecars/side%20car-1.parquet";
  sidecars[1]["sidecar"]["path"] = "side%20car-2.parquet";
  v2_->Put(UuidCheckpoint(kUuidA, "json"), v2test::JsonLines(V2Table::TopLevel(sidecars)));
  DropFirstCommit();
  ExpectVersion1(table_->LoadSnapshot(), 1);
}

TEST_F(CheckpointReadTest, LastCheckpointChoosesAmongCheckpointsOfOneVersion) {
  // Two UUID-named checkpoints of version 1 that a test can tell apart: B
  // leaves part-2 out (a real table's would agree; any one may be used).
  v2_->Put(UuidCheckpoint(kUuidA, "json"),
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("a"))));
  std::vector<json> b = V2Table::TopLevel({});
  b.push_back(v2test::AddLine("part-1.parquet", v2_->size1(), 3));
  v2_->Put(UuidCheckpoint(kUuidB, "json"), v2test::JsonLines(b));
  DropFirstCommit();
  // Without _last_checkpoint: UUID-named checkpoints in name order, A first.
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Paths(*s).size(), 2u);
  std::string name_b = UuidCheckpoint(kUuidB, "json").substr(std::string("_delta_log/").size());
  v2_->Put("_delta_log/_last_checkpoint",
           json({{"version", 1}, {"size", 4}, {"v2Checkpoint", {{"path", name_b}}}}).dump());
  s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Paths(*s), std::vector<std::string>{"part-1.parquet"});
  // A _last_checkpoint naming another version or a file that is not there is only a hint.
  v2_->Put("_delta_log/_last_checkpoint",
           json({{"version", 1}, {"v2Checkpoint", {{"path", "gone.json"}}}}).dump());
  EXPECT_EQ(Paths(table_->LoadSnapshot().value()).size(), 2u);
}

TEST_F(CheckpointReadTest, MissingSidecarFallsBackToAnotherCheckpointOfTheVersion) {
  v2_->Put(UuidCheckpoint(kUuidA, "json"),
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  v2_->Delete("_delta_log/_sidecars/sc-2.parquet");
  // A classic V1 checkpoint of the same version, as writers keep for old readers.
  std::vector<json> classic = {v2test::ProtocolLine(), v2test::MetadataLine(),
                               v2test::AddLine("part-1.parquet", v2_->size1(), 3),
                               v2test::AddLine("part-2.parquet", v2_->size2(), 1),
                               v2test::RemoveLine("part-0.parquet")};
  v2test::PutParquetActions(*store_, v2_->Key("_delta_log/00000000000000000001.checkpoint.parquet"),
                            classic);
  DropFirstCommit();
  auto s = table_->LoadSnapshot();
  ExpectVersion1(s, 1);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->skipped_checkpoints.size(), 1u);
  EXPECT_NE(
      s->skipped_checkpoints[0].find("read checkpoint lake/t/" + UuidCheckpoint(kUuidA, "json") +
                                     ": sidecar lake/t/_delta_log/_sidecars/sc-2.parquet"),
      std::string::npos)
      << s->skipped_checkpoints[0];
}

TEST_F(CheckpointReadTest, MissingSidecarFallsBackToJsonReplay) {
  v2_->Put(UuidCheckpoint(kUuidA, "json"),
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  v2_->Delete("_delta_log/_sidecars/sc-1.parquet");
  auto s = table_->LoadSnapshot();
  ExpectVersion1(s, std::nullopt);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->skipped_checkpoints.size(), 1u);
  EXPECT_NE(s->skipped_checkpoints[0].find("sc-1.parquet"), std::string::npos);
  // Without the JSON commits the table cannot be read, and the error says why.
  DropFirstCommit();
  auto gone = table_->LoadSnapshot();
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kCorruption);
  EXPECT_NE(gone.status().message().find("00000000000000000000.json (version 0) is missing"),
            std::string::npos)
      << gone.status().message();
  EXPECT_NE(gone.status().message().find("sc-1.parquet"), std::string::npos);
}

TEST_F(CheckpointReadTest, MalformedV2CheckpointsAreSkippedNamingTheProblem) {
  struct Case {
    std::vector<json> lines;
    std::string message;
  };
  std::vector<json> sidecars = v2_->WriteSidecars("sc");
  std::vector<json> no_metadata = V2Table::TopLevel(sidecars);
  no_metadata.erase(no_metadata.begin());
  std::vector<json> twice = V2Table::TopLevel(sidecars);
  twice.push_back(v2test::CheckpointMetadataLine(1));
  std::vector<json> no_protocol = V2Table::TopLevel(sidecars);
  no_protocol.erase(no_protocol.begin() + 1);
  std::vector<json> bad_sidecar =
      V2Table::TopLevel({json{{"sidecar", {{"path", "../x.parquet"}}}}});
  std::vector<Case> cases = {
      {V2Table::TopLevel(sidecars, 7),
       "checkpointMetadata.version 7 is not the checkpoint's version 1"},
      {no_metadata, "UUID-named checkpoint without a checkpointMetadata action"},
      {twice, "2 checkpointMetadata actions (a V2 checkpoint has exactly one)"},
      {no_protocol, "no protocol action"},
      {bad_sidecar, "sidecar path ../x.parquet is not a file under _sidecars/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    v2_->Put(UuidCheckpoint(kUuidA, "json"), v2test::JsonLines(c.lines));
    auto s = table_->LoadSnapshot();
    ExpectVersion1(s, std::nullopt);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->skipped_checkpoints.size(), 1u);
    EXPECT_NE(s->skipped_checkpoints[0].find(c.message), std::string::npos)
        << s->skipped_checkpoints[0];
  }
  v2_->Put(UuidCheckpoint(kUuidA, "json"), "{\"checkpointMetadata\":{\"version\":1}}\n{oops\n");
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->skipped_checkpoints.size(), 1u);
  EXPECT_NE(s->skipped_checkpoints[0].find("line 2: invalid JSON"), std::string::npos);
}

TEST_F(CheckpointReadTest, TimeTravelBeforeAV2CheckpointReplaysJson) {
  v2_->Put(UuidCheckpoint(kUuidA, "json"),
           v2test::JsonLines(V2Table::TopLevel(v2_->WriteSidecars("sc"))));
  auto s = table_->LoadSnapshot(SnapshotSpec{0, std::nullopt});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->checkpoint_version, std::nullopt);
  EXPECT_EQ(Paths(*s), (std::vector<std::string>{"part-0.parquet", "part-1.parquet"}));
}

// Writes the seeds of fuzz/delta_checkpoint_fuzzer.cc into $RS_WRITE_FUZZ_SEEDS
// (skipped without it): checkpoints of the fuzzer's fixed log in each form,
// encoded as FuzzedDataProvider reads them (see the fuzzer's comment).
TEST(CheckpointFuzzSeeds, WrittenWhenAsked) {
  const char* dir = std::getenv("RS_WRITE_FUZZ_SEEDS");
  if (dir == nullptr) GTEST_SKIP() << "RS_WRITE_FUZZ_SEEDS is not set";
  auto out = storage::OpenStorage(dir, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::unique_ptr<storage::Storage> scratch = storage::NewMemoryStorage();
  auto parquet_bytes = [&](const std::vector<json>& lines, bool file_actions_only) {
    v2test::PutParquetActions(*scratch, "x.parquet", lines, file_actions_only);
    return scratch->Get("x.parquet").value();
  };
  auto seed = [&](const std::string& name, const std::string& checkpoint,
                  const std::string& sidecar, char form) {
    std::string bytes;
    for (char c : checkpoint) bytes += c == '\\' ? std::string("\\\\") : std::string(1, c);
    bytes += "\\#";  // ends the checkpoint's bytes
    bytes += sidecar;
    bytes += form;  // 0 UUID-named JSON, 1 UUID-named Parquet, 2 classic Parquet
    ASSERT_TRUE((*out)->Put(name, bytes).ok()) << name;
  };
  std::vector<json> file_actions = {v2test::AddLine("b.parquet", 1, 1),
                                    v2test::RemoveLine("a.parquet")};
  std::string sidecar = parquet_bytes(file_actions, true);
  std::vector<json> top = V2Table::TopLevel({v2test::SidecarLine("s.parquet", sidecar.size())});
  std::vector<json> inline_actions = V2Table::TopLevel({});
  inline_actions.insert(inline_actions.end(), file_actions.begin(), file_actions.end());
  seed("json_uuid_with_sidecar.bin", v2test::JsonLines(top), sidecar, 0);
  seed("json_uuid_inline_actions.bin", v2test::JsonLines(inline_actions), "", 0);
  seed("parquet_uuid_with_sidecar.bin", parquet_bytes(top, false), sidecar, 1);
  seed("parquet_classic_v2_with_sidecar.bin", parquet_bytes(top, false), sidecar, 2);
}

// Found by delta_checkpoint_fuzzer: a Parquet checkpoint's cells may hold any
// bytes, and a metaData.configuration value, partition value or map key that
// is not a string was dumped to text with nlohmann-json, which threw on
// invalid UTF-8 (std::terminate).
TEST(AddCheckpointAction, NonStringValuesWithInvalidUtf8DoNotThrow) {
  json bad = {{"nested", std::string("\xe2(c")}};
  json metadata = v2test::MetadataLine();
  metadata["metaData"]["configuration"] = {{"k", bad}};
  json add = v2test::AddLine("a.parquet", 1, 1);
  add["add"]["partitionValues"] = {{"p", bad}};
  CheckpointContent content;
  ASSERT_TRUE(AddCheckpointAction(metadata, &content).ok());
  ASSERT_TRUE(AddCheckpointAction(add, &content).ok());
  ASSERT_EQ(content.actions.size(), 2u);
  EXPECT_NE(content.actions[0].metadata.configuration.at("k").find("nested"), std::string::npos);
  EXPECT_TRUE(content.actions[1].add.partition_values.at("p").has_value());
}

TEST(ClassifyLogFile, RecognizesUuidNamedCheckpoints) {
  LogFile json_cp =
      ClassifyLogFile("00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json");
  EXPECT_EQ(json_cp.kind, LogFile::Kind::kUuidCheckpoint);
  EXPECT_EQ(json_cp.version, 10);
  EXPECT_TRUE(json_cp.json);
  LogFile parquet_cp = ClassifyLogFile(
      "00000000000000000020.checkpoint.80A083E8-7026-4E79-81BE-64BD76C43A11.parquet");
  EXPECT_EQ(parquet_cp.kind, LogFile::Kind::kUuidCheckpoint);
  EXPECT_FALSE(parquet_cp.json);
  for (const char* other : {
           "00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.crc",
           "00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a1.json",
           "00000000000000000010.checkpoint.80a083e8x7026-4e79-81be-64bd76c43a11.json",
           "00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a1g.parquet",
           "00000000000000000010.checkpoint.json",
       }) {
    EXPECT_EQ(ClassifyLogFile(other).kind, LogFile::Kind::kOther) << other;
  }
}

TEST(SidecarKey, ResolvesUnderTheLogsSidecarDirectory) {
  EXPECT_EQ(SidecarKey("t/_delta_log", "a.parquet").value(), "t/_delta_log/_sidecars/a.parquet");
  EXPECT_EQ(SidecarKey("_delta_log", "a%20b.parquet").value(), "_delta_log/_sidecars/a b.parquet");
  EXPECT_EQ(SidecarKey("t/_delta_log", "s3://b/x/t/_delta_log/_sidecars/a.parquet").value(),
            "t/_delta_log/_sidecars/a.parquet");
  EXPECT_EQ(SidecarKey("t/_delta_log", "s3://b/x/t/_delta_log/a.parquet").status().message(),
            "sidecar path s3://b/x/t/_delta_log/a.parquet is not in _delta_log/_sidecars/");
  EXPECT_FALSE(SidecarKey("t/_delta_log", "").ok());
  EXPECT_FALSE(SidecarKey("t/_delta_log", "a/../../b.parquet").ok());
  EXPECT_FALSE(SidecarKey("t/_delta_log", "a//b.parquet").ok());
}

TEST(PreferLastCheckpoint, IgnoresAnythingItCannotUse) {
  auto file = [](const std::string& name, LogFile::Kind kind) {
    LogFile f;
    f.key = "_delta_log/" + name;
    f.kind = kind;
    return f;
  };
  std::vector<CheckpointSet> candidates = {
      {3,
       {file(std::string("00000000000000000003.checkpoint.") + kUuidA + ".json",
             LogFile::Kind::kUuidCheckpoint)}},
      {3, {file("00000000000000000003.checkpoint.parquet", LogFile::Kind::kCheckpoint)}}};
  auto order = [&](const std::string& text) {
    std::vector<CheckpointSet> c = candidates;
    PreferLastCheckpoint(text, &c);
    return c[0].parts[0].kind;
  };
  EXPECT_EQ(order("{not json"), LogFile::Kind::kUuidCheckpoint);
  EXPECT_EQ(order(R"({"version":2})"), LogFile::Kind::kUuidCheckpoint);
  EXPECT_EQ(order(R"({"version":"3"})"), LogFile::Kind::kUuidCheckpoint);
  EXPECT_EQ(order(R"({"version":3})"), LogFile::Kind::kCheckpoint);  // classic, no v2Checkpoint
  EXPECT_EQ(order(R"({"version":3,"parts":4})"), LogFile::Kind::kUuidCheckpoint);
}

}  // namespace
}  // namespace rs::delta
