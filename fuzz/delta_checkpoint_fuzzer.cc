// Fuzzes the Delta checkpoint read path (src/delta/checkpoint_read.cc,
// checkpoint.cc): a log whose checkpoint and sidecar bytes come from the fuzzer.
//
// Input (FuzzedDataProvider): the last byte picks the checkpoint's form --
// a UUID-named JSON, a UUID-named Parquet or a classic-named Parquet
// checkpoint of version 1 (byte % 3); the input from the start up to the
// first backslash followed by another character is that file's bytes
// (ConsumeRandomLengthString: "\\" stands for one backslash), and the rest
// is the Parquet sidecar file _delta_log/_sidecars/s.parquet. The log
// around them is fixed and complete:
//   0.json: protocol (3, 7, v2Checkpoint), metaData (id long), add a.parquet
//   1.json: add b.parquet, remove a.parquet
// so replaying the JSON commits alone gives the snapshot {b.parquet}.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - loading the snapshot never crashes nor lets an exception escape;
//   - it never fails but with Unimplemented (a checkpoint may legitimately
//     carry a protocol we refuse): a damaged checkpoint or sidecar is skipped,
//     since the JSON commits cover the whole log;
//   - a skipped checkpoint leaves no trace: the snapshot then comes from the
//     JSON commits (checkpoint_version unset) and holds exactly b.parquet.
// Seeds: fuzz/corpus/delta_checkpoint_fuzzer/, written by the test
// CheckpointFuzzSeeds.WrittenWhenAsked (tests/delta/checkpoint_read_test.cc):
//   RS_WRITE_FUZZ_SEEDS=fuzz/corpus/delta_checkpoint_fuzzer
//   build/tests/delta/delta_unit_tests --gtest_filter=CheckpointFuzzSeeds.*
// (the variable set for the test program).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "delta/table.h"
#include "fuzz_check.h"
#include "storage/storage.h"

namespace rs::delta {
namespace {

constexpr const char* kSchema =
    R"({\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]})";

const std::string& Commit0() {
  static const std::string text =
      std::string(R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,)"
                  R"("readerFeatures":["v2Checkpoint"],"writerFeatures":["v2Checkpoint"]}})") +
      "\n" + R"({"metaData":{"id":"m","format":{"provider":"parquet"},"schemaString":")" + kSchema +
      R"(","partitionColumns":[],"configuration":{}}})" + "\n" +
      R"({"add":{"path":"a.parquet","partitionValues":{},"size":1,"modificationTime":1,)"
      R"("dataChange":true}})" +
      "\n";
  return text;
}

const char* kCommit1 =
    R"({"add":{"path":"b.parquet","partitionValues":{},"size":1,"modificationTime":2,)"
    R"("dataChange":true}})"
    "\n"
    R"({"remove":{"path":"a.parquet","deletionTimestamp":3,"dataChange":true}})"
    "\n";

const char* kCheckpointNames[] = {
    "t/_delta_log/00000000000000000001.checkpoint.00000000-0000-4000-8000-000000000001.json",
    "t/_delta_log/00000000000000000001.checkpoint.00000000-0000-4000-8000-000000000001.parquet",
    "t/_delta_log/00000000000000000001.checkpoint.parquet",
};

}  // namespace
}  // namespace rs::delta

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rs::delta;
  FuzzedDataProvider in(data, size);
  const char* checkpoint_key = in.PickValueInArray(kCheckpointNames);
  std::string checkpoint = in.ConsumeRandomLengthString(size);
  std::string sidecar = in.ConsumeRemainingBytesAsString();

  std::shared_ptr<rs::storage::Storage> store(rs::storage::NewMemoryStorage());
  RS_FUZZ_CHECK(store->Put("t/_delta_log/00000000000000000000.json", Commit0()).ok());
  RS_FUZZ_CHECK(store->Put("t/_delta_log/00000000000000000001.json", kCommit1).ok());
  RS_FUZZ_CHECK(store->Put(checkpoint_key, checkpoint).ok());
  RS_FUZZ_CHECK(store->Put("t/_delta_log/_sidecars/s.parquet", sidecar).ok());
  auto table = Table::Open(store, "t");
  RS_FUZZ_CHECK(table.ok());

  auto snapshot = table->LoadSnapshot();
  if (!snapshot.ok()) {
    RS_FUZZ_CHECK(snapshot.status().code() == rs::StatusCode::kUnimplemented);
    return 0;
  }
  RS_FUZZ_CHECK(snapshot->version == 1);
  if (!snapshot->skipped_checkpoints.empty() || !snapshot->checkpoint_version) {
    RS_FUZZ_CHECK(!snapshot->checkpoint_version);
    RS_FUZZ_CHECK(snapshot->files.size() == 1 && snapshot->files[0].path == "b.parquet");
  }
  return 0;
}
