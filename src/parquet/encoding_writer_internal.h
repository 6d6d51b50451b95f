// Encoders for the writer (Parquet Encodings.md): the RLE/bit-packed hybrid
// used for levels and dictionary indices, and PLAIN for every physical type.
//
// Encoders append to a caller-owned std::string, so pages are built in one
// buffer without intermediate copies.
#ifndef RS_PARQUET_ENCODING_WRITER_INTERNAL_H_
#define RS_PARQUET_ENCODING_WRITER_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rs::parquet::encode {

// Bits needed for values in [0, max_value]; 0 for max_value 0.
int BitWidth(uint64_t max_value);

// Appends `value` as ULEB-128 (the hybrid's run headers).
void AppendUleb128(uint64_t value, std::string* out);

// Appends values (each < 2^bit_width) as an RLE/bit-packed hybrid stream
// without length prefix. Runs of 8 or more equal values become RLE runs;
// the rest are bit-packed in groups of 8, the last group zero-padded.
// REQUIRES: 0 <= bit_width <= 32.
template <typename T>
void AppendRleHybrid(const T* values, size_t count, int bit_width, std::string* out);

// As AppendRleHybrid, preceded by the stream's byte length as a 4-byte
// little-endian integer: the data page v1 layout of levels.
template <typename T>
void AppendLevels(const T* levels, size_t count, int bit_width, std::string* out);

// PLAIN encodings.
void AppendPlainBooleans(const uint8_t* values, size_t count, std::string* out);
void AppendPlainFixed(const void* values, size_t count, size_t width, std::string* out);
void AppendPlainByteArray(std::string_view value, std::string* out);

}  // namespace rs::parquet::encode

#endif  // RS_PARQUET_ENCODING_WRITER_INTERNAL_H_
