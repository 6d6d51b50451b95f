// Deletion vectors (PROTOCOL.md "Deletion Vectors" and "Deletion Vector
// Format"): which rows of a data file are deleted, read from the log's
// descriptor. docs/delta_log.md ("Deletion vectors") describes the formats.
//
// A DV is a RoaringBitmapArray: magic 1681511377 (int32 LE), the number of
// buckets (int64 LE), then per bucket its key (uint32 LE, the high 32 bits of
// a row index) and a 32-bit Roaring bitmap in the portable format (the low 32
// bits). Stored inline ('i': Z85 text of those bytes) or in a file ('u': a
// UUID-named file under the table root, 'p': an absolute path), where at
// `offset` come its size (int32 BE), the bytes, and their CRC-32 (int32 BE).
#ifndef RS_DELTA_DELETION_VECTOR_INTERNAL_H_
#define RS_DELTA_DELETION_VECTOR_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "delta/table.h"
#include "storage/storage.h"

namespace rs::delta {

inline constexpr uint32_t kRoaringBitmapArrayMagic = 1681511377;

// Z85 (ZeroMQ RFC 32): every 5 characters are 4 bytes, big-endian.
// Corruption when the length is not a multiple of 5 or a character is not Z85.
Result<std::string> Z85Decode(std::string_view text);
// REQUIRES: bytes.size() % 4 == 0.
std::string Z85Encode(std::string_view bytes);

// The deleted row indices of one data file (row index = position in the file,
// counting every row group). An immutable value; copies share the bitmaps.
class DeletedRows {
 public:
  DeletedRows();
  // Parses a serialized RoaringBitmapArray (with its magic number);
  // Corruption naming what is wrong (bad magic, truncated, trailing bytes,
  // keys out of order, a malformed bitmap).
  static Result<DeletedRows> Parse(std::string_view bytes);

  uint64_t cardinality() const { return cardinality_; }
  bool Contains(uint64_t row_index) const;
  // Largest deleted row index; 0 when empty.
  uint64_t Max() const;
  // Sets keep[i] = 0 for every deleted row index first_row + i, i < num_rows.
  void ClearDeleted(uint64_t first_row, uint8_t* keep, size_t num_rows) const;

 private:
  struct Bucket;
  std::shared_ptr<const std::vector<Bucket>> buckets_;  // ascending keys
  uint64_t cardinality_ = 0;
};

// "deletion vector u:<pathOrInlineDv>@<offset>" (inline data shortened), for messages.
std::string DescribeDeletionVector(const DeletionVectorDescriptor& dv);

// The storage key of a DV file ('u' or 'p') of the table at `root` in
// `store`. A 'p' path must lie under the table's location (Describe()), as
// that is the only place the store can read; otherwise Unimplemented.
Result<std::string> DeletionVectorKey(const storage::Storage& store, const std::string& root,
                                      const DeletionVectorDescriptor& dv);

// Reads and checks `file`'s deletion vector (REQUIRES: file.deletion_vector):
// NotFound when its file is missing, Corruption when the stored size, the
// checksum, the bitmap or the cardinality disagree with the descriptor; each
// message names the data file and the DV.
Result<DeletedRows> LoadDeletionVector(storage::Storage& store, const std::string& root,
                                       const AddFile& file);

}  // namespace rs::delta

#endif  // RS_DELTA_DELETION_VECTOR_INTERNAL_H_
