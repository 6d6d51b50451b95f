// Deletion vectors (src/delta/deletion_vector.cc and their use in scan.cc):
// Z85, the RoaringBitmapArray, the three storage types, several DVs in one
// file, 64-bit row indices, row-group pruning, and the errors of a damaged DV.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "delta/deletion_vector_internal.h"
#include "delta/dv_test_writer.h"
#include "delta/table.h"

namespace rs::delta {
namespace {

namespace fs = std::filesystem;
using testing::CommitDeletionVectors;
using testing::DvFile;
using testing::InlineDv;
using testing::SerializeRoaringBitmapArray;

TEST(Z85Test, DecodesTheSpecExampleAndRoundTrips) {
  // ZeroMQ RFC 32's test vector.
  auto bytes = Z85Decode("HelloWorld");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, std::string("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8));
  EXPECT_EQ(Z85Encode(*bytes), "HelloWorld");
}

TEST(Z85Test, RejectsBadLengthAndCharacters) {
  EXPECT_EQ(Z85Decode("Hello").status().code(), StatusCode::kOk);
  EXPECT_EQ(Z85Decode("Hell").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Z85Decode("Hell~").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Z85Decode("#####").status().code(), StatusCode::kCorruption);  // > 2^32
}

TEST(DeletedRowsTest, ParsesBucketsOf64BitRowIndices) {
  std::vector<uint64_t> rows = {0, 5, 70000, 196608, (uint64_t{1} << 32) + 7, uint64_t{5} << 32};
  auto parsed = DeletedRows::Parse(SerializeRoaringBitmapArray(rows));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->cardinality(), rows.size());
  for (uint64_t r : rows) EXPECT_TRUE(parsed->Contains(r)) << r;
  EXPECT_FALSE(parsed->Contains(7));
  EXPECT_FALSE(parsed->Contains(uint64_t{2} << 32));
  EXPECT_EQ(parsed->Max(), uint64_t{5} << 32);
  std::vector<uint8_t> keep(10, 1);
  parsed->ClearDeleted((uint64_t{1} << 32), keep.data(), keep.size());
  EXPECT_EQ(keep, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 1, 0, 1, 1}));
}

TEST(DeletedRowsTest, RunContainersAndEmptyArrays) {
  std::vector<uint64_t> rows;
  for (uint64_t r = 1000; r < 9000; ++r) rows.push_back(r);  // becomes a run container
  auto parsed = DeletedRows::Parse(SerializeRoaringBitmapArray(rows));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->cardinality(), 8000u);
  auto empty = DeletedRows::Parse(SerializeRoaringBitmapArray({}));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->cardinality(), 0u);
}

TEST(DeletedRowsTest, MalformedInputIsCorruptionNamingWhat) {
  std::string good = SerializeRoaringBitmapArray({1, 2, uint64_t{3} << 32});
  struct Case {
    std::string bytes;
    std::string says;
  };
  std::string bad_magic = good;
  bad_magic[0] ^= 1;
  std::string swapped = SerializeRoaringBitmapArray({uint64_t{3} << 32});
  std::vector<Case> cases = {
      {bad_magic, "magic"},
      {good.substr(0, good.size() - 3), "malformed"},
      {good + "x", "after its 2 bitmaps"},
      {good.substr(0, 8), "at least 12"},
  };
  // Keys must ascend: bucket 3 then bucket 0.
  std::string a = SerializeRoaringBitmapArray({uint64_t{3} << 32});
  std::string b = SerializeRoaringBitmapArray({1});
  std::string descending = a.substr(0, 4);
  testing::PutLE(&descending, 2, 8);
  descending += a.substr(12) + b.substr(12);
  cases.push_back({descending, "key 0 after 3"});
  for (const Case& c : cases) {
    auto parsed = DeletedRows::Parse(c.bytes);
    ASSERT_FALSE(parsed.ok()) << c.says;
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(parsed.status().message().find(c.says), std::string::npos)
        << parsed.status().message();
  }
}

// The Spark-written conformance table's DVs, read by the same code as the
// test writer's: its v1 DV deletes row 0 (col1 = 0) of part=0's file.
TEST(DeletionVectorConformanceTest, SparkWrittenDvFileReads) {
  const char* dir = std::getenv("RS_CONFORMANCE_DIR");
  ASSERT_NE(dir, nullptr) << "RS_CONFORMANCE_DIR is not set";
  std::string root = std::string(dir) + "/delta/dv-partitioned-with-checkpoint";
  auto store = std::shared_ptr<storage::Storage>(storage::OpenStorage(root, {}).value());
  AddFile f;
  f.path = "part=0/part-00000-8387c699-30b1-4734-a791-9278d560ec19.c000.snappy.parquet";
  DeletionVectorDescriptor dv;
  dv.storage_type = 'u';
  dv.path_or_inline_dv = "0X9F0q2<2yJ-f)Gm2!e0";
  dv.offset = 1;
  dv.size_bytes = 34;
  dv.cardinality = 1;
  f.deletion_vector = dv;
  auto key = DeletionVectorKey(*store, "", dv);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(fs::exists(root + "/" + *key)) << *key;
  auto rows = LoadDeletionVector(*store, "", f);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->cardinality(), 1u);
  EXPECT_TRUE(rows->Contains(0));
  // The same rows through the test writer serialize to the same bytes.
  std::string file = store->Get(*key).value();
  EXPECT_EQ(file.substr(5, 34), SerializeRoaringBitmapArray({0}));
}

// A local table of 4 files (partitions a..d) of 1000 rows each, in many row
// groups; value = row index in the file.
class DvTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("dv_table_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = storage::OpenStorage(dir_.string(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::shared_ptr<storage::Storage>(std::move(store).value());
    table_ = std::move(Table::Open(store_, "t")).value();
    Field part{"part", DataType::Primitive(TypeId::kString), false};
    Field value{"value", DataType::Primitive(TypeId::kLong), false};
    CommitOptions options;
    options.data_files.row_group_bytes = 1024;
    std::vector<std::string> parts = {"a", "b", "c", "d"};
    auto tx = table_->BeginOverwrite({part, value}, {"part"}, parts, options).value();
    for (const std::string& p : parts) {
      RecordBatch b;
      b.schema = {part, value};
      b.columns = {ColumnVector::Make(part), ColumnVector::Make(value)};
      for (int64_t i = 0; i < kRows; ++i) {
        b.columns[0].As<std::string>().push_back(p);
        b.columns[1].As<int64_t>().push_back(i);
      }
      b.num_rows = kRows;
      ASSERT_TRUE(tx.WritePartition(p, b).ok());
    }
    ASSERT_TRUE(tx.Commit().ok());
    Snapshot s = table_->LoadSnapshot().value();
    for (const AddFile& f : s.files) paths_[f.partition_values.at("part").value()] = f.path;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // part -> sorted values the scan returns.
  std::map<std::string, std::vector<int64_t>> ScanValues(const ScanOptions& options = {}) {
    std::map<std::string, std::vector<int64_t>> out;
    auto s = table_->LoadSnapshot();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    auto b = table_->Scan(*s, options);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) return out;
    int pi = b->FindColumn("part"), vi = b->FindColumn("value");
    for (size_t i = 0; i < b->num_rows; ++i) {
      out[b->columns[pi].As<std::string>()[i]].push_back(b->columns[vi].As<int64_t>()[i]);
    }
    return out;
  }

  static std::vector<int64_t> Without(const std::vector<uint64_t>& deleted, int64_t from = 0) {
    std::vector<int64_t> out;
    for (int64_t i = from; i < kRows; ++i) {
      if (std::find(deleted.begin(), deleted.end(), static_cast<uint64_t>(i)) == deleted.end()) {
        out.push_back(i);
      }
    }
    return out;
  }

  static constexpr int64_t kRows = 1000;
  fs::path dir_;
  std::shared_ptr<storage::Storage> store_;
  std::optional<Table> table_;
  std::map<std::string, std::string> paths_;
};

TEST_F(DvTableTest, AllThreeStorageTypesAndTwoDvsInOneFile) {
  std::vector<uint64_t> del_a = {0, 1, 499, 999};
  std::vector<uint64_t> del_b = {10, 600};
  std::vector<uint64_t> del_c = {3};
  std::vector<uint64_t> del_d = {998, 500};
  DvFile shared(1, "ab");  // two DVs, two offsets, one file with a random prefix
  DeletionVectorDescriptor dv_a = shared.Add(del_a);
  DeletionVectorDescriptor dv_b = shared.Add(del_b);
  ASSERT_TRUE(shared.WriteTo(*table_).ok());
  ASSERT_NE(dv_a.offset, dv_b.offset);
  DvFile absolute(2, "");
  DeletionVectorDescriptor dv_d = absolute.Add(del_d);
  ASSERT_TRUE(absolute.WriteTo(*table_).ok());
  dv_d.storage_type = 'p';
  dv_d.path_or_inline_dv = "file://" + (dir_ / "t" / absolute.RelativePath()).string();
  ASSERT_TRUE(CommitDeletionVectors(*table_, {{paths_["a"], dv_a},
                                              {paths_["b"], dv_b},
                                              {paths_["c"], InlineDv(del_c)},
                                              {paths_["d"], dv_d}})
                  .ok());
  auto values = ScanValues();
  EXPECT_EQ(values["a"], Without(del_a));
  EXPECT_EQ(values["b"], Without(del_b));
  EXPECT_EQ(values["c"], Without(del_c));
  EXPECT_EQ(values["d"], Without(del_d));
  Snapshot s = table_->LoadSnapshot().value();
  EXPECT_EQ(table_->CountRows(s).value(), 4 * kRows - 4 - 2 - 1 - 2);
}

// Row groups skipped by statistics must not shift the DV's row indices.
TEST_F(DvTableTest, RowGroupPruningKeepsRowIndicesRight) {
  std::vector<uint64_t> deleted = {2, 700, 701, 950};
  ASSERT_TRUE(CommitDeletionVectors(*table_, {{paths_["a"], InlineDv(deleted)}}).ok());
  ScanOptions options;
  options.ranges = {ColumnRange{"value", Value::Int(600), Value::Null()}};
  auto values = ScanValues(options);
  EXPECT_EQ(values["a"], Without(deleted, 600));
  EXPECT_EQ(values["b"], Without({}, 600));
  // Only partition columns projected: no data column is read at all.
  ScanOptions parts_only;
  parts_only.columns = {"part"};
  auto s = table_->LoadSnapshot().value();
  EXPECT_EQ(table_->Scan(s, parts_only).value().num_rows, static_cast<size_t>(4 * kRows - 4));
}

// The reader drops deleted rows while decoding: DVs covering whole row
// groups, every row of a file, and runs across row group boundaries, with and
// without row-group pruning.
TEST_F(DvTableTest, DvsCoveringWholeRowGroupsAndWholeFiles) {
  std::vector<uint64_t> all, groups, scattered;
  for (uint64_t i = 0; i < kRows; ++i) all.push_back(i);
  for (uint64_t i = 0; i < 400; ++i) groups.push_back(i);    // the first row groups
  for (uint64_t i = 550; i < 820; ++i) groups.push_back(i);  // runs across group boundaries
  for (uint64_t i = 5; i < kRows; i += 9) scattered.push_back(i);
  ASSERT_TRUE(CommitDeletionVectors(*table_, {{paths_["a"], InlineDv(all)},
                                              {paths_["b"], InlineDv(groups)},
                                              {paths_["c"], InlineDv(scattered)}})
                  .ok());
  auto values = ScanValues();
  EXPECT_EQ(values.count("a"), 0u);
  EXPECT_EQ(values["b"], Without(groups));
  EXPECT_EQ(values["c"], Without(scattered));
  EXPECT_EQ(values["d"], Without({}));
  ScanOptions options;
  options.ranges = {ColumnRange{"value", Value::Int(300), Value::Int(899)}};
  auto ranged = ScanValues(options);
  auto in_range = [](std::vector<int64_t> v) {
    std::erase_if(v, [](int64_t x) { return x < 300 || x > 899; });
    return v;
  };
  EXPECT_EQ(ranged.count("a"), 0u);
  EXPECT_EQ(ranged["b"], in_range(Without(groups)));
  EXPECT_EQ(ranged["c"], in_range(Without(scattered)));
  ScanOptions parts_only;
  parts_only.columns = {"part"};
  auto s = table_->LoadSnapshot().value();
  EXPECT_EQ(table_->Scan(s, parts_only).value().num_rows,
            static_cast<size_t>(4 * kRows) - all.size() - groups.size() - scattered.size());
}

TEST_F(DvTableTest, DamagedDvsAreErrorsNamingTheDataFileAndTheDv) {
  DvFile file(3, "");
  DeletionVectorDescriptor dv = file.Add({4, 5});
  ASSERT_TRUE(CommitDeletionVectors(*table_, {{paths_["a"], dv}}).ok());
  Snapshot s = table_->LoadSnapshot().value();
  std::string dv_name = "deletion vector u:" + dv.path_or_inline_dv + "@1";
  auto expect = [&](StatusCode code, const std::string& says) {
    auto b = table_->Scan(s);
    ASSERT_FALSE(b.ok()) << says;
    EXPECT_EQ(b.status().code(), code) << b.status().ToString();
    for (const std::string& part : {paths_["a"], dv_name, says}) {
      EXPECT_NE(b.status().message().find(part), std::string::npos) << b.status().message();
    }
  };
  expect(StatusCode::kNotFound, "is missing");
  std::string bytes = file.bytes();
  bytes[8] ^= 0x10;  // inside the bitmap
  ASSERT_TRUE(table_->store().Put(table_->Key(file.RelativePath()), bytes).ok());
  expect(StatusCode::kCorruption, "checksum");
  ASSERT_TRUE(
      table_->store().Put(table_->Key(file.RelativePath()), file.bytes().substr(0, 20)).ok());
  expect(StatusCode::kCorruption, "ends at byte 20");
  std::string resized = file.bytes();
  resized[4] += 1;  // the stored size
  ASSERT_TRUE(table_->store().Put(table_->Key(file.RelativePath()), resized).ok());
  expect(StatusCode::kCorruption, "sizeInBytes is");
  ASSERT_TRUE(file.WriteTo(*table_).ok());
  s.files[0].deletion_vector->cardinality = 3;
  expect(StatusCode::kCorruption, "holds 2 row indices, cardinality is 3");
}

// Our checkpoints carry the DVs (or deleted rows would come back), and vacuum
// keeps the DV file of a live add however old it is.
TEST_F(DvTableTest, CheckpointsAndVacuumKeepDeletionVectors) {
  DvFile file(6, "cp");
  std::vector<uint64_t> deleted = {0, 999};
  DeletionVectorDescriptor dv = file.Add(deleted);
  ASSERT_TRUE(file.WriteTo(*table_).ok());
  ASSERT_TRUE(
      CommitDeletionVectors(*table_, {{paths_["a"], dv}, {paths_["b"], InlineDv({5})}}).ok());
  Snapshot s = table_->LoadSnapshot().value();
  ASSERT_TRUE(table_->WriteCheckpoint(s).ok());
  Snapshot from_checkpoint = table_->LoadSnapshot().value();
  ASSERT_EQ(from_checkpoint.checkpoint_version, s.version);
  ASSERT_TRUE(from_checkpoint.files[0].deletion_vector.has_value());
  EXPECT_EQ(from_checkpoint.files[0].deletion_vector->path_or_inline_dv, dv.path_or_inline_dv);
  EXPECT_EQ(from_checkpoint.files[0].deletion_vector->offset, dv.offset);
  EXPECT_EQ(from_checkpoint.files[1].deletion_vector->storage_type, 'i');
  auto values = ScanValues();
  EXPECT_EQ(values["a"], Without(deleted));
  EXPECT_EQ(values["b"], Without({5}));
  VacuumOptions vacuum;
  vacuum.retain_hours = 0;
  vacuum.force = true;
  vacuum.now_ms = int64_t{1} << 60;  // everything is old
  auto result = table_->Vacuum(vacuum);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  for (const std::string& key : result->deleted_keys) {
    EXPECT_EQ(key.find("deletion_vector_"), std::string::npos) << key;
  }
  EXPECT_EQ(ScanValues()["a"], Without(deleted));
}

TEST_F(DvTableTest, AbsolutePathOutsideTheTableIsUnimplemented) {
  DvFile file(4, "");
  DeletionVectorDescriptor dv = file.Add({1});
  dv.storage_type = 'p';
  dv.path_or_inline_dv = "s3://elsewhere/dv.bin";
  ASSERT_TRUE(CommitDeletionVectors(*table_, {{paths_["a"], dv}}).ok());
  auto b = table_->Scan(table_->LoadSnapshot().value());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kUnimplemented) << b.status().ToString();
  EXPECT_NE(b.status().message().find(paths_["a"]), std::string::npos) << b.status().message();
}

}  // namespace
}  // namespace rs::delta
