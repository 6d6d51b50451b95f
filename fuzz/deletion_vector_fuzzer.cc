// Fuzzes the deletion-vector decoders in delta/deletion_vector_internal.h:
// DeletedRows::Parse (a RoaringBitmapArray: magic, bucket count, per bucket a
// key and a portable 32-bit Roaring bitmap read by CRoaring) and Z85Decode.
//
// Input: a serialized RoaringBitmapArray (the seed is the bitmap of the
// Spark-written conformance table's DV file); the same bytes are also read as
// Z85 text.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - no decoder crashes; malformed input is a Corruption status;
//   - a parsed DV's Max() is deleted, and ClearDeleted over [Max()-63, Max()]
//     clears exactly the rows Contains() reports;
//   - decoded Z85 re-encodes to the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "delta/deletion_vector_internal.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  rs::Result<rs::delta::DeletedRows> rows = rs::delta::DeletedRows::Parse(bytes);
  if (rows.ok()) {
    if (rows->cardinality() > 0) {
      uint64_t max = rows->Max();
      RS_FUZZ_CHECK(rows->Contains(max));
      uint64_t first = max >= 63 ? max - 63 : 0;
      std::vector<uint8_t> keep(max - first + 1, 1);
      rows->ClearDeleted(first, keep.data(), keep.size());
      for (size_t i = 0; i < keep.size(); ++i) {
        RS_FUZZ_CHECK((keep[i] == 0) == rows->Contains(first + i));
      }
    }
  } else {
    RS_FUZZ_CHECK(rows.status().code() == rs::StatusCode::kCorruption);
  }
  rs::Result<std::string> z85 = rs::delta::Z85Decode(bytes);
  if (z85.ok()) RS_FUZZ_CHECK(rs::delta::Z85Encode(*z85) == bytes);
  return 0;
}
