// Physical value decoding by encoding, and conversion of physical values to
// the output representation (columnar.h) of a leaf's logical type.
#ifndef RS_PARQUET_READER_VALUES_INTERNAL_H_
#define RS_PARQUET_READER_VALUES_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"
#include "gen-cpp/parquet_types.h"
#include "parquet/schema_reader_internal.h"

namespace rs::parquet {

// Decoded values of one page in their physical form; the vector used is the
// one of the leaf's physical type (INT96 and byte arrays go to `bytes`).
// Byte views point into the page buffer or into `arena`.
struct PhysicalValues {
  std::vector<uint8_t> bools;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<std::string_view> bytes;
  std::string arena;

  void Clear();
};

// Decodes `count` values of `leaf`'s physical type with `encoding`.
[[nodiscard]] Status DecodePhysical(format::Encoding::type encoding, std::string_view data,
                                    size_t count, const LeafInfo& leaf, PhysicalValues* out);

// Appends `in` converted per leaf.conversion to `out` (of leaf.type's representation).
[[nodiscard]] Status AppendConverted(const PhysicalValues& in, const LeafInfo& leaf,
                                     ColumnVector* out);

// Appends dictionary[indices[i]] for each index. REQUIRES: indices < dictionary size
// and both columns share one representation.
void AppendGathered(const ColumnVector& dictionary, const uint32_t* indices, size_t count,
                    ColumnVector* out);

// PLAIN values of a fixed-width physical type appended straight to `out`, when
// the leaf needs no conversion. Returns false (and does nothing) otherwise.
bool CanDecodePlainDirect(const LeafInfo& leaf);
[[nodiscard]] Status AppendPlainDirect(std::string_view data, size_t count, const LeafInfo& leaf,
                                       ColumnVector* out);

std::string EncodingName(format::Encoding::type encoding);

}  // namespace rs::parquet

#endif  // RS_PARQUET_READER_VALUES_INTERNAL_H_
