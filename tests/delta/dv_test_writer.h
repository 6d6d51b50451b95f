// A test-only deletion-vector writer following PROTOCOL.md "Deletion Vector
// Format" (we have no Spark): serializes RoaringBitmapArrays, writes DV files
// (several DVs per file), builds 'u', 'i' and 'p' descriptors, and commits
// them onto a table's add actions. Its output is checked against the
// Spark-written conformance table by reading both with the same reader.
#ifndef RS_TESTS_DELTA_DV_TEST_WRITER_H_
#define RS_TESTS_DELTA_DV_TEST_WRITER_H_

#include <roaring/roaring.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "delta/deletion_vector_internal.h"
#include "delta/log_internal.h"
#include "delta/table.h"

namespace rs::delta::testing {

inline void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline void PutBE32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// The RoaringBitmapArray of `rows` (any order, 64-bit row indices).
inline std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& rows) {
  std::map<uint32_t, std::vector<uint32_t>> buckets;
  for (uint64_t r : rows)
    buckets[static_cast<uint32_t>(r >> 32)].push_back(static_cast<uint32_t>(r));
  std::string out;
  PutLE(&out, kRoaringBitmapArrayMagic, 4);
  PutLE(&out, buckets.size(), 8);
  for (const auto& [key, low] : buckets) {
    roaring_bitmap_t* bitmap = roaring_bitmap_of_ptr(low.size(), low.data());
    roaring_bitmap_run_optimize(bitmap);
    std::string bytes(roaring_bitmap_portable_size_in_bytes(bitmap), '\0');
    roaring_bitmap_portable_serialize(bitmap, bytes.data());
    roaring_bitmap_free(bitmap);
    PutLE(&out, key, 4);
    out += bytes;
  }
  return out;
}

inline uint32_t Crc32(const std::string& data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// The canonical text of 16 UUID bytes.
inline std::string UuidOf(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[(static_cast<uint8_t>(bytes[i]) >> 4) & 0xF];
    out += kHex[static_cast<uint8_t>(bytes[i]) & 0xF];
  }
  return out;
}

// One DV file holding several DVs: version byte 1, then per DV its size
// (int32 BE), the RoaringBitmapArray and its CRC-32 (int32 BE).
class DvFile {
 public:
  // `uuid_seed` picks the UUID bytes; `prefix` is the random prefix ("" or "ab").
  DvFile(uint8_t uuid_seed, std::string prefix) : prefix_(std::move(prefix)) {
    for (int i = 0; i < 16; ++i) uuid_bytes_.push_back(static_cast<char>(uuid_seed * 16 + i + 1));
    bytes_.push_back('\x01');
  }
  // Appends a DV of `rows`; returns its 'u' descriptor.
  DeletionVectorDescriptor Add(const std::vector<uint64_t>& rows) {
    std::string data = SerializeRoaringBitmapArray(rows);
    DeletionVectorDescriptor d;
    d.storage_type = 'u';
    d.path_or_inline_dv = prefix_ + Z85Encode(uuid_bytes_);
    d.offset = static_cast<int32_t>(bytes_.size());
    d.size_bytes = static_cast<int32_t>(data.size());
    d.cardinality = static_cast<int64_t>(CountDistinct(rows));
    PutBE32(&bytes_, static_cast<uint32_t>(data.size()));
    bytes_ += data;
    PutBE32(&bytes_, Crc32(data));
    return d;
  }
  // Path relative to the table root.
  std::string RelativePath() const {
    std::string name = "deletion_vector_" + UuidOf(uuid_bytes_) + ".bin";
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }
  const std::string& bytes() const { return bytes_; }
  Status WriteTo(const Table& table) const {
    return table.store().Put(table.Key(RelativePath()), bytes_);
  }

  static size_t CountDistinct(std::vector<uint64_t> rows) {
    std::sort(rows.begin(), rows.end());
    return static_cast<size_t>(std::unique(rows.begin(), rows.end()) - rows.begin());
  }

 private:
  std::string prefix_;
  std::string uuid_bytes_;
  std::string bytes_;
};

// An inline ('i') descriptor of `rows`.
inline DeletionVectorDescriptor InlineDv(const std::vector<uint64_t>& rows) {
  std::string data = SerializeRoaringBitmapArray(rows);
  DeletionVectorDescriptor d;
  d.storage_type = 'i';
  d.size_bytes = static_cast<int32_t>(data.size());
  d.cardinality = static_cast<int64_t>(DvFile::CountDistinct(rows));
  data.resize((data.size() + 3) / 4 * 4, '\0');
  d.path_or_inline_dv = Z85Encode(data);
  return d;
}

// Commits, as the next version, each listed file's add again with its DV
// (and a remove of the add it replaces), raising the protocol to reader 3 /
// writer 7 with the deletionVectors feature.
inline Status CommitDeletionVectors(const Table& table,
                                    const std::map<std::string, DeletionVectorDescriptor>& dvs) {
  RS_ASSIGN_OR_RETURN(Snapshot s, table.LoadSnapshot());
  std::string text;
  Action protocol;
  protocol.kind = Action::Kind::kProtocol;
  protocol.protocol.min_reader_version = 3;
  protocol.protocol.min_writer_version = 7;
  protocol.protocol.reader_features = std::vector<std::string>{"deletionVectors"};
  protocol.protocol.writer_features = std::vector<std::string>{"deletionVectors"};
  text += ActionToJson(protocol) + "\n";
  for (const AddFile& f : s.files) {
    auto it = dvs.find(f.path);
    if (it == dvs.end()) continue;
    Action remove;
    remove.kind = Action::Kind::kRemove;
    remove.remove.path = f.path;
    remove.remove.deletion_timestamp_ms = 1;
    remove.remove.partition_values = f.partition_values;
    remove.remove.size_bytes = f.size_bytes;
    text += ActionToJson(remove) + "\n";
    Action add;
    add.kind = Action::Kind::kAdd;
    add.add = f;
    add.add.deletion_vector = it->second;
    text += ActionToJson(add) + "\n";
  }
  std::string key = table.Key(std::string(kLogDir) + "/" + CommitFileName(s.version + 1));
  return table.store().PutIfAbsent(key, text);
}

}  // namespace rs::delta::testing

#endif  // RS_TESTS_DELTA_DV_TEST_WRITER_H_
