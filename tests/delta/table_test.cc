// Writing and reading tables in memory: overwrites, conflicts, unknown commit
// outcomes, checkpoints, time travel, vacuum, protocol checks.
#include "delta/table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "delta/log_internal.h"
#include "delta/row_json.h"

namespace rs::delta {
namespace {

Schema SignalSchema() {
  return {{"date", DataType::Primitive(TypeId::kDate), true},
          {"year_month", DataType::Primitive(TypeId::kString), true},
          {"symbol", DataType::Primitive(TypeId::kString), true},
          {"rank", DataType::Primitive(TypeId::kInteger), true},
          {"score", DataType::Primitive(TypeId::kDouble), true}};
}

// `n` rows in month `ym` (YYYY-MM), ranks starting at `first_rank`.
RecordBatch MonthBatch(const std::string& ym, int n, int first_rank = 1) {
  RecordBatch b;
  b.schema = SignalSchema();
  for (const Field& f : b.schema) b.columns.push_back(ColumnVector::Make(f));
  int32_t day0 = *ParseDateDays(ym + "-01");
  for (int i = 0; i < n; ++i) {
    b.columns[0].As<int32_t>().push_back(day0 + i % 28);
    b.columns[1].As<std::string>().push_back(ym);
    b.columns[2].As<std::string>().push_back("SYM" + std::to_string(i));
    b.columns[3].As<int32_t>().push_back(first_rank + i);
    b.columns[4].As<double>().push_back(0.5 * i);
  }
  b.num_rows = n;
  return b;
}

std::string MonthName(int year, int month) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", year, month);
  return buf;
}

int64_t NowForTest() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::shared_ptr<storage::Storage>(storage::NewMemoryStorage());
    table_ = std::move(Table::Open(store_, "lake/signals")).value();
  }

  Result<CommitOutcome> Overwrite(const std::vector<std::pair<std::string, int>>& months,
                                  const std::string& run_id = "run-1",
                                  std::map<std::string, std::string> config = {}) {
    CommitOptions options;
    options.run_id = run_id;
    options.configuration = std::move(config);
    std::vector<std::string> parts;
    for (const auto& m : months) parts.push_back(m.first);
    RS_ASSIGN_OR_RETURN(auto tx, table_->BeginOverwrite(SignalSchema(), {"year_month"}, parts,
                                                        options));
    for (const auto& [ym, n] : months) {
      Status s = tx.WritePartition(ym, MonthBatch(ym, n));
      if (!s.ok()) return s.WithCleanupError(tx.Abandon());
    }
    return tx.Commit();
  }

  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    auto listed = store_->List(prefix);
    for (const auto& o : listed.value()) keys.push_back(o.key);
    return keys;
  }

  std::map<std::string, int64_t> RowsPerMonth(const Snapshot& s) {
    std::map<std::string, int64_t> out;
    RecordBatch b = table_->Scan(s, ScanOptions{{"year_month"}, {}}).value();
    for (const auto& ym : b.columns[0].As<std::string>()) ++out[ym];
    return out;
  }

  std::string ReadCommitText(int64_t version) {
    auto text = store_->Get("lake/signals/_delta_log/" + CommitFileName(version));
    return text.ok() ? *text : "";
  }

  void PutCommit(int64_t version, const std::string& text) {
    ASSERT_TRUE(store_->Put("lake/signals/_delta_log/" + CommitFileName(version), text).ok());
  }

  std::shared_ptr<storage::Storage> store_;
  std::optional<Table> table_;
};

TEST_F(TableTest, FirstOverwriteCreatesTheTable) {
  auto outcome = Overwrite({{"2024-03", 5}, {"2024-04", 3}});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->version, 0);
  EXPECT_EQ(outcome->num_added, 2);
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->protocol.min_reader_version, 1);
  EXPECT_EQ(s->protocol.min_writer_version, 2);
  EXPECT_EQ(s->metadata.partition_columns, std::vector<std::string>{"year_month"});
  EXPECT_EQ(SchemaToString(s->metadata.schema), SchemaToString(SignalSchema()));
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].path.rfind("year_month=2024-03/part-00000-", 0), 0u);
  EXPECT_EQ(s->files[0].num_records, 5);
  EXPECT_EQ(RowsPerMonth(*s), (std::map<std::string, int64_t>{{"2024-03", 5}, {"2024-04", 3}}));
  auto history = table_->History();
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->at(0).operation, "CREATE TABLE");
  EXPECT_EQ(history->at(0).run_id, "run-1");
  EXPECT_EQ(history->at(0).operation_parameters.at("mode"), "Overwrite");
  // Issue 19: the metrics Delta engines record, read back from commitInfo.
  const auto& metrics = history->at(0).operation_metrics;
  EXPECT_EQ(metrics.at("numAddedFiles"), 2);
  EXPECT_EQ(metrics.at("numRemovedFiles"), 0);
  EXPECT_EQ(metrics.at("numOutputRows"), 8);
  EXPECT_EQ(metrics.at("numOutputBytes"), s->files[0].size_bytes + s->files[1].size_bytes);
}

TEST_F(TableTest, ScanReturnsRowsInSchemaOrderWithPartitionValues) {
  ASSERT_TRUE(Overwrite({{"2024-03", 2}}).ok());
  auto s = table_->LoadSnapshot().value();
  RecordBatch b = table_->Scan(s).value();
  ASSERT_EQ(b.num_rows, 2u);
  std::vector<std::string> rows = {RowToJson(b, 0), RowToJson(b, 1)};
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows[0],
            R"({"date":"2024-03-01","year_month":"2024-03","symbol":"SYM0","rank":1,"score":0})");
  EXPECT_EQ(rows[1],
            R"({"date":"2024-03-02","year_month":"2024-03","symbol":"SYM1","rank":2,"score":0.5})");
}

TEST_F(TableTest, OverwriteReplacesOnlyTheGivenPartitions) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}, {"2024-04", 3}}).ok());
  auto outcome = Overwrite({{"2024-03", 2}}, "run-2");
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->version, 1);
  EXPECT_EQ(outcome->num_removed, 1);
  auto s = table_->LoadSnapshot().value();
  EXPECT_EQ(RowsPerMonth(s), (std::map<std::string, int64_t>{{"2024-03", 2}, {"2024-04", 3}}));
  ASSERT_EQ(s.tombstones.size(), 1u);
  EXPECT_EQ(s.tombstones[0].partition_values.at("year_month"), "2024-03");
  EXPECT_TRUE(s.tombstones[0].deletion_timestamp_ms.has_value());
  EXPECT_EQ(table_->History()->at(1).operation, "WRITE");
}

TEST_F(TableTest, OverwriteWithNoRowsEmptiesThePartition) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}, {"2024-04", 3}}).ok());
  ASSERT_TRUE(Overwrite({{"2024-03", 0}}).ok());
  EXPECT_EQ(RowsPerMonth(table_->LoadSnapshot().value()),
            (std::map<std::string, int64_t>{{"2024-04", 3}}));
}

TEST_F(TableTest, RowOutsideThePartitionIsRejectedBeforeWriting) {
  auto tx = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  RecordBatch b = MonthBatch("2024-03", 3);
  b.columns[1].As<std::string>()[2] = "2024-04";
  Status st = tx.WritePartition("2024-03", b);
  EXPECT_EQ(st.message(),
            "overwrite year_month=2024-03: row 2 has year_month=2024-04, outside partition "
            "year_month=2024-03 being written");
  st = tx.WritePartition("2024-05", MonthBatch("2024-05", 1));
  EXPECT_EQ(st.message(),
            "overwrite year_month=2024-05: not among the partitions being replaced (2024-03)");
  EXPECT_TRUE(Keys("lake/").empty());
  EXPECT_TRUE(tx.Abandon().ok());
}

TEST_F(TableTest, SchemaMismatchIsRefused) {
  ASSERT_TRUE(Overwrite({{"2024-03", 1}}).ok());
  Schema other = SignalSchema();
  other[3].type = DataType::Primitive(TypeId::kLong);
  auto tx = table_->BeginOverwrite(other, {"year_month"}, {"2024-03"}, {});
  ASSERT_FALSE(tx.ok());
  EXPECT_EQ(tx.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TableTest, AbandonDeletesWrittenFiles) {
  auto tx = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  ASSERT_TRUE(tx.WritePartition("2024-03", MonthBatch("2024-03", 3)).ok());
  EXPECT_EQ(Keys("lake/").size(), 1u);
  ASSERT_TRUE(tx.Abandon().ok());
  EXPECT_TRUE(Keys("lake/").empty());
}

TEST_F(TableTest, RacingOverwritesOfTheSameMonthConflict) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}}).ok());
  CommitOptions a;
  a.run_id = "run-a";
  CommitOptions b;
  b.run_id = "run-b";
  auto tx_a = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, a).value();
  auto tx_b = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, b).value();
  ASSERT_TRUE(tx_a.WritePartition("2024-03", MonthBatch("2024-03", 1)).ok());
  ASSERT_TRUE(tx_b.WritePartition("2024-03", MonthBatch("2024-03", 2)).ok());
  ASSERT_TRUE(tx_a.Commit().ok());
  auto lost = tx_b.Commit();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kAborted);
  EXPECT_EQ(lost.status().message(),
            "commit overwrite of lake/signals: concurrent overwrite of partition "
            "year_month=2024-03 by version 1 (run run-a): rerun the job");
  auto s = table_->LoadSnapshot().value();
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(RowsPerMonth(s), (std::map<std::string, int64_t>{{"2024-03", 1}}));
  EXPECT_EQ(Keys("lake/signals/year_month=2024-03/").size(), 2u);  // the loser's file is gone
}

TEST_F(TableTest, RacingOverwritesOfDifferentMonthsBothCommit) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}, {"2024-04", 4}}).ok());
  auto tx_a = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  auto tx_b = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-04"}, {}).value();
  ASSERT_TRUE(tx_a.WritePartition("2024-03", MonthBatch("2024-03", 1)).ok());
  ASSERT_TRUE(tx_b.WritePartition("2024-04", MonthBatch("2024-04", 2)).ok());
  ASSERT_TRUE(tx_a.Commit().ok());
  auto second = tx_b.Commit();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(RowsPerMonth(table_->LoadSnapshot().value()),
            (std::map<std::string, int64_t>{{"2024-03", 1}, {"2024-04", 2}}));
}

TEST_F(TableTest, RacingCreatesOfDifferentMonthsBothCommit) {
  auto tx_a = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  auto tx_b = table_->BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-04"}, {}).value();
  ASSERT_TRUE(tx_a.WritePartition("2024-03", MonthBatch("2024-03", 1)).ok());
  ASSERT_TRUE(tx_b.WritePartition("2024-04", MonthBatch("2024-04", 2)).ok());
  ASSERT_TRUE(tx_a.Commit().ok());
  auto second = tx_b.Commit();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto commit1 = ReadCommitText(1);
  EXPECT_EQ(commit1.find("metaData"), std::string::npos);
  EXPECT_EQ(RowsPerMonth(table_->LoadSnapshot().value()),
            (std::map<std::string, int64_t>{{"2024-03", 1}, {"2024-04", 2}}));
}

// A store whose next PutIfAbsent of a commit lands but reports Unavailable.
class FlakyCommitStore : public storage::Storage {
 public:
  explicit FlakyCommitStore(std::shared_ptr<storage::Storage> inner) : inner_(std::move(inner)) {}
  Result<std::string> Get(const std::string& k) override { return inner_->Get(k); }
  Result<std::string> GetRange(const std::string& k, uint64_t o, uint64_t n) override {
    return inner_->GetRange(k, o, n);
  }
  Status Put(const std::string& k, std::string_view d) override { return inner_->Put(k, d); }
  Status PutIfAbsent(const std::string& k, std::string_view d) override {
    Status st = inner_->PutIfAbsent(k, d);
    if (st.ok() && fail_next_ && k.find("_delta_log/") != std::string::npos) {
      fail_next_ = false;
      return Status::Unavailable("put if absent " + k + ": timeout");
    }
    return st;
  }
  Result<std::vector<storage::ObjectInfo>> List(const std::string& p) override {
    return inner_->List(p);
  }
  Status Delete(const std::string& k) override { return inner_->Delete(k); }
  Result<storage::ObjectInfo> Head(const std::string& k) override { return inner_->Head(k); }
  std::string Describe() const override { return "flaky"; }
  bool fail_next_ = true;

 private:
  std::shared_ptr<storage::Storage> inner_;
};

TEST_F(TableTest, UnknownCommitOutcomeIsResolvedFromTheLog) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}}).ok());
  auto flaky = std::make_shared<FlakyCommitStore>(store_);
  auto table = Table::Open(flaky, "lake/signals").value();
  CommitOptions options;
  options.run_id = "run-flaky";
  auto tx = table.BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, options).value();
  ASSERT_TRUE(tx.WritePartition("2024-03", MonthBatch("2024-03", 2)).ok());
  auto outcome = tx.Commit();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_FALSE(flaky->fail_next_);
  EXPECT_EQ(outcome->version, 1);
  EXPECT_EQ(ReadCommitText(2), "");  // committed once, not twice
  EXPECT_NE(ReadCommitText(1).find("run-flaky"), std::string::npos);
}

// A store whose deletes fail (and whose commits succeed), to see Abandon()
// return the failure.
class NoDeleteStore : public FlakyCommitStore {
 public:
  explicit NoDeleteStore(std::shared_ptr<storage::Storage> inner)
      : FlakyCommitStore(std::move(inner)) {
    fail_next_ = false;
  }
  Status Delete(const std::string& k) override {
    return Status::IOError("delete " + k + ": permission denied (injected)");
  }
};

TEST_F(TableTest, Issue24AbandonReturnsAFailedDeleteNamingTheFile) {
  Table table = Table::Open(std::make_shared<NoDeleteStore>(store_), "lake/signals").value();
  auto tx = table.BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  ASSERT_TRUE(tx.WritePartition("2024-03", MonthBatch("2024-03", 2)).ok());
  std::string file = Keys("lake/").at(0);
  Status abandoned = tx.Abandon();
  EXPECT_EQ(abandoned.code(), StatusCode::kIOError);
  EXPECT_NE(abandoned.message().find("abandon overwrite: delete year_month=2024-03/part-00000-"),
            std::string::npos)
      << abandoned.message();
  EXPECT_NE(abandoned.message().find("delete " + file + ": permission denied (injected)"),
            std::string::npos)
      << abandoned.message();
  EXPECT_TRUE(tx.finished());
}

// A store whose _delta_log goes down (503) at the first commit put, until
// Recover(): the data files are written, the commit put (which lands when
// `commit_lands`) and every read of the log fail.
class DownAtCommitStore : public storage::Storage {
 public:
  DownAtCommitStore(std::shared_ptr<storage::Storage> inner, bool commit_lands)
      : inner_(std::move(inner)), commit_lands_(commit_lands) {}
  void Recover() { down_ = false; }
  Result<std::string> Get(const std::string& k) override {
    if (IsDown(k)) return Status::Unavailable("get " + k + ": HTTP 503 (injected)");
    return inner_->Get(k);
  }
  Result<std::string> GetRange(const std::string& k, uint64_t o, uint64_t n) override {
    if (IsDown(k)) return Status::Unavailable("get " + k + ": HTTP 503 (injected)");
    return inner_->GetRange(k, o, n);
  }
  Status Put(const std::string& k, std::string_view d) override { return inner_->Put(k, d); }
  Status PutIfAbsent(const std::string& k, std::string_view d) override {
    if (k.find("_delta_log/") != std::string::npos && !down_) {
      if (commit_lands_) (void)inner_->PutIfAbsent(k, d);
      down_ = true;
    }
    if (IsDown(k)) return Status::Unavailable("put " + k + ": HTTP 503 (injected)");
    return inner_->PutIfAbsent(k, d);
  }
  Result<std::vector<storage::ObjectInfo>> List(const std::string& p) override {
    if (IsDown(p)) return Status::Unavailable("list " + p + ": HTTP 503 (injected)");
    return inner_->List(p);
  }
  Status Delete(const std::string& k) override { return inner_->Delete(k); }
  Result<storage::ObjectInfo> Head(const std::string& k) override { return inner_->Head(k); }
  std::string Describe() const override { return "down-at-commit"; }

 private:
  bool IsDown(const std::string& k) const {
    return down_ && k.find("_delta_log/") != std::string::npos;
  }
  std::shared_ptr<storage::Storage> inner_;
  bool commit_lands_;
  bool down_ = false;
};

// Issue 10: the put of the commit and the read-back both fail. The commit is
// Unavailable with both causes named, and nothing is committed.
TEST_F(TableTest, CommitWithTheLogUnreachableNamesBothCausesAndCommitsNothing) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}}).ok());
  auto down = std::make_shared<DownAtCommitStore>(store_, /*commit_lands=*/false);
  auto table = Table::Open(down, "lake/signals").value();
  auto tx = table.BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  ASSERT_TRUE(tx.WritePartition("2024-03", MonthBatch("2024-03", 2)).ok());
  auto outcome = tx.Commit();
  ASSERT_FALSE(outcome.ok());
  EXPECT_TRUE(outcome.status().IsUnavailable()) << outcome.status().ToString();
  const std::string log = "lake/signals/_delta_log/" + CommitFileName(1);
  const std::string put_error = "put " + log + ": HTTP 503 (injected)";
  const std::string read_error = "read " + log + ": get " + log + ": HTTP 503 (injected)";
  const std::string expected = "commit of version 1: outcome unknown: the put failed (" +
                               put_error + ") and the log entry could not be read back (" +
                               read_error + ")";
  EXPECT_NE(outcome.status().message().find(expected), std::string::npos)
      << outcome.status().message();
  EXPECT_NE(outcome.status().message().find("check `table history` for txnId"), std::string::npos);
  EXPECT_EQ(ReadCommitText(1), "");
  EXPECT_EQ(RowsPerMonth(table_->LoadSnapshot().value()),
            (std::map<std::string, int64_t>{{"2024-03", 5}}));
}

// Issue 10: the commit landed but neither its reply nor the log could be
// read. Its data files must survive the transaction: once the store is back,
// the new version is whole.
TEST_F(TableTest, CommitWithAnUnknownOutcomeKeepsItsDataFiles) {
  ASSERT_TRUE(Overwrite({{"2024-03", 5}}).ok());
  auto down = std::make_shared<DownAtCommitStore>(store_, /*commit_lands=*/true);
  auto table = Table::Open(down, "lake/signals").value();
  auto tx = table.BeginOverwrite(SignalSchema(), {"year_month"}, {"2024-03"}, {}).value();
  ASSERT_TRUE(tx.WritePartition("2024-03", MonthBatch("2024-03", 2)).ok());
  auto outcome = tx.Commit();
  ASSERT_FALSE(outcome.ok());
  EXPECT_TRUE(outcome.status().IsUnavailable()) << outcome.status().ToString();
  EXPECT_TRUE(tx.Abandon().ok());
  down->Recover();
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->version, 1);
  auto rows = table_->Scan(*s);
  ASSERT_TRUE(rows.ok()) << "a data file of the committed version is gone: "
                         << rows.status().ToString();
  EXPECT_EQ(RowsPerMonth(*s), (std::map<std::string, int64_t>{{"2024-03", 2}}));
  EXPECT_EQ(rows->num_rows, 2u);
}

TEST_F(TableTest, CheckpointsAreWrittenEveryIntervalAndRead) {
  std::map<std::string, std::string> config = {{"delta.checkpointInterval", "2"}};
  for (int i = 0; i < 5; ++i) {
    auto outcome = Overwrite({{"2024-0" + std::to_string(1 + i % 3), 2 + i}}, "run", config);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(outcome->checkpoint_written, i == 2 || i == 4) << outcome->checkpoint_error;
  }
  auto last = store_->Get("lake/signals/_delta_log/_last_checkpoint");
  ASSERT_TRUE(last.ok());
  EXPECT_NE(last->find("\"version\":4"), std::string::npos);
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->checkpoint_version, 4);
  EXPECT_EQ(s->metadata.configuration.at("delta.checkpointInterval"), "2");
  EXPECT_EQ(RowsPerMonth(*s),
            (std::map<std::string, int64_t>{{"2024-01", 5}, {"2024-02", 6}, {"2024-03", 4}}));
  // The checkpoint alone gives the same state as replaying the JSON commits.
  for (int v = 0; v <= 4; ++v) {
    ASSERT_TRUE(store_->Delete("lake/signals/_delta_log/" + CommitFileName(v)).ok());
  }
  auto from_checkpoint = table_->LoadSnapshot();
  ASSERT_TRUE(from_checkpoint.ok()) << from_checkpoint.status().ToString();
  EXPECT_EQ(from_checkpoint->files.size(), s->files.size());
  EXPECT_EQ(from_checkpoint->tombstones.size(), s->tombstones.size());
}

TEST_F(TableTest, CorruptCheckpointFallsBackToAnOlderOneOrJson) {
  std::map<std::string, std::string> config = {{"delta.checkpointInterval", "2"}};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Overwrite({{"2024-01", 1 + i}}, "run", config).ok());
  ASSERT_TRUE(store_->Put("lake/signals/_delta_log/" + CheckpointFileName(4), "PAR1junk").ok());
  ASSERT_TRUE(store_->Put("lake/signals/_delta_log/_last_checkpoint", "{not json").ok());
  auto s = table_->LoadSnapshot();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->checkpoint_version, 2);
  EXPECT_EQ(RowsPerMonth(*s), (std::map<std::string, int64_t>{{"2024-01", 5}}));
}

TEST_F(TableTest, MissingCommitIsCorruptionNamingTheVersion) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Overwrite({{"2024-01", 1 + i}}).ok());
  ASSERT_TRUE(store_->Delete("lake/signals/_delta_log/" + CommitFileName(1)).ok());
  auto s = table_->LoadSnapshot();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(
                "log is not contiguous: 00000000000000000001.json (version 1) is missing"),
            std::string::npos)
      << s.status().message();
}

TEST_F(TableTest, TimeTravelByVersionAndTimestamp) {
  ASSERT_TRUE(Overwrite({{"2024-01", 1}}).ok());
  ASSERT_TRUE(Overwrite({{"2024-01", 2}}).ok());
  auto v0 = table_->LoadSnapshot(SnapshotSpec{0, std::nullopt});
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(RowsPerMonth(*v0), (std::map<std::string, int64_t>{{"2024-01", 1}}));
  auto by_time = table_->LoadSnapshot(SnapshotSpec{std::nullopt, v0->commit_timestamp_ms});
  ASSERT_TRUE(by_time.ok());
  EXPECT_LE(by_time->version, 1);
  EXPECT_EQ(table_->LoadSnapshot(SnapshotSpec{std::nullopt, 0}).status().code(),
            StatusCode::kNotFound);
  auto v9 = table_->LoadSnapshot(SnapshotSpec{9, std::nullopt});
  EXPECT_EQ(v9.status().code(), StatusCode::kNotFound);
  EXPECT_NE(v9.status().message().find("version 9 does not exist (latest is 1)"),
            std::string::npos);
}

TEST_F(TableTest, PartitionFilterReadsOnlyThatMonth) {
  std::vector<std::pair<std::string, int>> months;
  for (int m = 1; m <= 12; ++m) months.push_back({MonthName(2023, m), 3});
  ASSERT_TRUE(Overwrite(months).ok());
  auto s = table_->LoadSnapshot().value();
  ScanStats stats;
  ScanOptions options;
  options.ranges.push_back(ParseEqualityFilter(s.metadata.schema, "year_month=2023-07").value());
  RecordBatch b = table_->Scan(s, options, &stats).value();
  EXPECT_EQ(b.num_rows, 3u);
  EXPECT_EQ(stats.files_total, 12);
  EXPECT_EQ(stats.files_read, 1);
  // A data-column filter prunes by file stats and drops rows outside the range.
  options.ranges = {ParseEqualityFilter(s.metadata.schema, "rank=2").value()};
  b = table_->Scan(s, options, &stats).value();
  EXPECT_EQ(b.num_rows, 12u);
  options.ranges = {ParseEqualityFilter(s.metadata.schema, "rank=99").value()};
  b = table_->Scan(s, options, &stats).value();
  EXPECT_EQ(b.num_rows, 0u);
  EXPECT_EQ(stats.files_read, 0);
}

TEST_F(TableTest, MissingDataFileIsNotFoundNamingTheFile) {
  ASSERT_TRUE(Overwrite({{"2024-01", 1}}).ok());
  auto s = table_->LoadSnapshot().value();
  ASSERT_TRUE(store_->Delete(table_->Key(s.files[0].path)).ok());
  auto b = table_->Scan(s);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kNotFound);
  EXPECT_NE(b.status().message().find("data file " + s.files[0].path + " is missing"),
            std::string::npos)
      << b.status().message();
}

TEST_F(TableTest, VacuumDeletesOnlyUnreferencedFilesPastRetention) {
  ASSERT_TRUE(Overwrite({{"2024-01", 1}, {"2024-02", 1}}).ok());
  ASSERT_TRUE(Overwrite({{"2024-01", 2}}).ok());
  ASSERT_TRUE(store_->Put("lake/signals/year_month=2024-01/orphan.parquet", "x").ok());
  VacuumOptions options;
  options.retain_hours = 1;
  EXPECT_EQ(table_->Vacuum(options).status().code(), StatusCode::kInvalidArgument);
  options.retain_hours = 168;
  auto now = table_->Vacuum(options);  // everything is younger than a week
  ASSERT_TRUE(now.ok());
  EXPECT_TRUE(now->deleted_keys.empty());
  options.now_ms = NowForTest() + int64_t{200} * 3600 * 1000;
  options.dry_run = true;
  auto dry = table_->Vacuum(options);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_EQ(dry->deleted_keys.size(), 2u);  // the removed file and the orphan
  EXPECT_EQ(Keys("lake/signals/year_month=2024-01/").size(), 3u);
  options.dry_run = false;
  auto done = table_->Vacuum(options);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->deleted_keys, dry->deleted_keys);
  EXPECT_EQ(Keys("lake/signals/year_month=2024-01/").size(), 1u);
  EXPECT_EQ(RowsPerMonth(table_->LoadSnapshot().value()),
            (std::map<std::string, int64_t>{{"2024-01", 2}, {"2024-02", 1}}));
}

// Issue 19: vacuum honours delta.deletedFileRetentionDuration.
TEST_F(TableTest, Issue19VacuumUsesTheTablesDeletedFileRetention) {
  std::map<std::string, std::string> config = {
      {"delta.deletedFileRetentionDuration", "interval 2 hours"}};
  ASSERT_TRUE(Overwrite({{"2024-01", 1}}, "run-1", config).ok());
  ASSERT_TRUE(Overwrite({{"2024-01", 2}}, "run-2").ok());
  VacuumOptions options;
  options.clean_log = false;
  options.now_ms = NowForTest() + int64_t{3} * 3600 * 1000;  // 3 hours later
  auto done = table_->Vacuum(options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->retain_hours, 2);
  EXPECT_EQ(done->deleted_keys.size(), 1u);  // the removed file, 3 hours old
  options.retain_hours = 1;                  // below the table's: refused unless forced
  EXPECT_EQ(table_->Vacuum(options).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIntervalHours("interval 1 week").value(), 168);
  EXPECT_EQ(ParseIntervalHours("30 days").value(), 720);
  EXPECT_EQ(ParseIntervalHours("interval 90 minutes").value(), 1.5);
  EXPECT_EQ(ParseIntervalHours("interval seven days").status().code(),
            StatusCode::kInvalidArgument);
}

// Issue 19: the log does not grow forever: vacuum deletes log files older
// than delta.logRetentionDuration below a checkpoint the table loads from.
TEST_F(TableTest, Issue19VacuumRemovesExpiredLogFilesBelowALoadableCheckpoint) {
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Overwrite({{"2024-01", 1 + i % 3}}).ok());
  auto before = table_->LoadSnapshot().value();
  ASSERT_EQ(before.version, 11);
  ASSERT_EQ(before.checkpoint_version, 10);
  VacuumOptions options;
  options.now_ms = NowForTest() + int64_t{10} * 24 * 3600 * 1000;  // within 30 days: kept
  auto kept = table_->Vacuum(options);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(kept->deleted_log_keys.empty());
  options.now_ms = NowForTest() + int64_t{31} * 24 * 3600 * 1000;
  options.dry_run = true;
  auto dry = table_->Vacuum(options);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->log_kept_from_version, 10);
  EXPECT_EQ(dry->deleted_log_keys.size(), 10u);  // commits 0..9
  options.dry_run = false;
  auto done = table_->Vacuum(options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->deleted_log_keys, dry->deleted_log_keys);
  auto after = table_->LoadSnapshot();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->version, 11);
  EXPECT_EQ(RowsPerMonth(*after), RowsPerMonth(before));
  SnapshotSpec at10, at5;
  at10.version = 10;
  at5.version = 5;
  EXPECT_TRUE(table_->LoadSnapshot(at10).ok());
  EXPECT_FALSE(table_->LoadSnapshot(at5).ok());  // time travel below the cut is gone
}

TEST_F(TableTest, UnsupportedReaderFeaturesAreRejectedByName) {
  std::string md =
      R"({"metaData":{"id":"x","format":{"provider":"parquet"},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":[],"configuration":{}}})";
  PutCommit(
      0,
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["variantType-preview"],"writerFeatures":["variantType-preview"]}})"
      "\n" +
          md + "\n");
  auto s = table_->LoadSnapshot();
  EXPECT_EQ(s.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(
      s.status().message().find("table requires unsupported reader feature: variantType-preview"),
      std::string::npos)
      << s.status().message();
  PutCommit(1, R"({"protocol":{"minReaderVersion":2,"minWriterVersion":5}})");
  EXPECT_TRUE(table_->LoadSnapshot().ok());  // reader 2 is column mapping, which we read
  PutCommit(2, R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["timestampNtz"],"writerFeatures":[]}})");
  EXPECT_TRUE(table_->LoadSnapshot().ok());
}

}  // namespace
}  // namespace rs::delta
