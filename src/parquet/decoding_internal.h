// Decoders for the Parquet value and level encodings (Encodings.md of the
// Parquet format): PLAIN, the RLE/bit-packed hybrid, DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
//
// Every decoder works on a bounded input span and fails with Corruption when
// the input ends early or a length is absurd; no decoder allocates from a
// length it has not checked against the bytes that remain. Messages name the
// encoding; callers prefix the file, column and page.
//
// Variable-length outputs are string_views into either the input (PLAIN,
// DELTA_LENGTH_BYTE_ARRAY) or a caller-owned arena (DELTA_BYTE_ARRAY): the
// caller keeps those buffers alive while the views are used.
#ifndef RS_PARQUET_DECODING_INTERNAL_H_
#define RS_PARQUET_DECODING_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rs::parquet {

// A cursor over a byte span for varints and fixed-width little-endian reads.
class ByteCursor {
 public:
  explicit ByteCursor(std::string_view data) : data_(data) {}

  [[nodiscard]] Status ReadUleb128(uint64_t* out);
  [[nodiscard]] Status ReadZigZag(int64_t* out);
  [[nodiscard]] Status ReadBytes(size_t n, std::string_view* out);
  [[nodiscard]] Status Skip(size_t n);

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  const uint8_t* current() const {
    return reinterpret_cast<const uint8_t*>(data_.data()) + pos_;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Number of bits needed to store values in [0, max_value].
int BitWidthFor(uint64_t max_value);

// Unpacks `count` values of `bit_width` bits (LSB first, the Parquet bit-packed
// order) from `in`, which holds at least ceil(count * bit_width / 8) bytes.
// REQUIRES: 0 <= bit_width <= 8 * sizeof(T).
template <typename T>
void UnpackBits(const uint8_t* in, size_t in_bytes, int bit_width, size_t count, T* out);

// Decodes exactly `count` values of the RLE/bit-packed hybrid encoding (no
// length prefix) with `bit_width` bits each. T is uint8_t, uint16_t or uint32_t.
// `max_value` bounds every value (levels: the maximum level; dictionary
// indices: dictionary size - 1), checked here so callers index safely.
template <typename T>
[[nodiscard]] Status DecodeRleHybrid(std::string_view data, int bit_width, size_t count,
                                     uint32_t max_value, T* out);

// PLAIN fixed-width values (INT32, INT64, INT96, FLOAT, DOUBLE): copies
// count * width bytes. `consumed` (optional) receives the bytes used.
[[nodiscard]] Status DecodePlainFixed(std::string_view data, size_t count, size_t width,
                                      void* out, size_t* consumed = nullptr);

// PLAIN BOOLEAN: bit-packed, LSB first.
[[nodiscard]] Status DecodePlainBool(std::string_view data, size_t count, uint8_t* out);

// PLAIN BYTE_ARRAY: 4-byte little-endian length, then the bytes. Appends.
[[nodiscard]] Status DecodePlainByteArray(std::string_view data, size_t count,
                                          std::vector<std::string_view>* out,
                                          size_t* consumed = nullptr);

// PLAIN FIXED_LEN_BYTE_ARRAY of `type_length` bytes each. Appends.
[[nodiscard]] Status DecodePlainFixedLenByteArray(std::string_view data, size_t count,
                                                  size_t type_length,
                                                  std::vector<std::string_view>* out);

// DELTA_BINARY_PACKED into int32_t or int64_t. Decodes the value count the
// header declares, which must lie in [min_count, max_count]; `out` is resized
// to it. `consumed` receives the encoded length (the values that follow, in
// DELTA_LENGTH_BYTE_ARRAY, start there).
template <typename T>
[[nodiscard]] Status DecodeDeltaBinaryPacked(std::string_view data, size_t min_count,
                                             size_t max_count, std::vector<T>* out,
                                             size_t* consumed = nullptr);

// DELTA_LENGTH_BYTE_ARRAY: lengths (DELTA_BINARY_PACKED) then concatenated bytes.
[[nodiscard]] Status DecodeDeltaLengthByteArray(std::string_view data, size_t count,
                                                std::vector<std::string_view>* out);

// DELTA_BYTE_ARRAY: prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY.
// The reconstructed values are written into `arena` (cleared and sized once,
// so the appended views stay valid while `arena` lives unmodified).
[[nodiscard]] Status DecodeDeltaByteArray(std::string_view data, size_t count,
                                          std::string* arena,
                                          std::vector<std::string_view>* out);

// BYTE_STREAM_SPLIT of `count` values of `width` bytes into `out`
// (count * width bytes, values in little-endian order).
[[nodiscard]] Status DecodeByteStreamSplit(std::string_view data, size_t count, size_t width,
                                           uint8_t* out);

// How many of bytes[0, n) are 0, eight at a time (a byte loop is not
// vectorized at -O2, and keep masks are counted per page of every column).
size_t CountZeroBytes(const uint8_t* bytes, size_t n);

}  // namespace rs::parquet

#endif  // RS_PARQUET_DECODING_INTERNAL_H_
