#include "parquet/encoding_writer_internal.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace rs::parquet::encode {
namespace {

static_assert(std::endian::native == std::endian::little,
              "PLAIN encoding copies values as they sit in memory");

constexpr size_t kMinRleRun = 8;
constexpr size_t kGroup = 8;

// Packs values LSB first, bit_width bits each, into whole bytes, written in
// place (the string grows once): a byte-wise push_back here was the largest
// single cost of the write profile.
template <typename T>
void AppendBitPacked(const T* values, size_t count, int bit_width, std::string* out) {
  const size_t at = out->size();
  out->resize(at + (count * static_cast<size_t>(bit_width) + 7) / 8);
  auto* p = reinterpret_cast<unsigned char*>(out->data() + at);
  uint64_t buffer = 0;
  int buffered_bits = 0;  // below 32 between values; bit_width is at most 32
  for (size_t i = 0; i < count; ++i) {
    buffer |= static_cast<uint64_t>(static_cast<uint32_t>(values[i])) << buffered_bits;
    buffered_bits += bit_width;
    if (buffered_bits >= 32) {
      p[0] = static_cast<unsigned char>(buffer);
      p[1] = static_cast<unsigned char>(buffer >> 8);
      p[2] = static_cast<unsigned char>(buffer >> 16);
      p[3] = static_cast<unsigned char>(buffer >> 24);
      p += 4;
      buffer >>= 32;
      buffered_bits -= 32;
    }
  }
  for (; buffered_bits > 0; buffered_bits -= 8) {
    *p++ = static_cast<unsigned char>(buffer);
    buffer >>= 8;
  }
}

// A literal run of `count` values; count is a multiple of 8 except at the
// end of the stream, where the group is padded with zeros.
template <typename T>
void AppendLiteralRun(const T* values, size_t count, int bit_width, std::string* out) {
  size_t groups = (count + kGroup - 1) / kGroup;
  AppendUleb128((static_cast<uint64_t>(groups) << 1) | 1, out);
  size_t whole = count - count % kGroup;
  AppendBitPacked(values, whole, bit_width, out);
  if (whole < count) {
    T padded[kGroup] = {};
    std::memcpy(padded, values + whole, (count - whole) * sizeof(T));
    AppendBitPacked(padded, kGroup, bit_width, out);
  }
}

template <typename T>
void AppendRepeatedRun(T value, size_t count, int bit_width, std::string* out) {
  AppendUleb128(static_cast<uint64_t>(count) << 1, out);
  uint32_t v = static_cast<uint32_t>(value);
  for (int bytes = (bit_width + 7) / 8; bytes > 0; --bytes) {
    out->push_back(static_cast<char>(v & 0xff));
    v >>= 8;
  }
}

template <typename T>
size_t RunLength(const T* values, size_t pos, size_t count) {
  size_t end = pos + 1;
  while (end < count && values[end] == values[pos]) ++end;
  return end - pos;
}

}  // namespace

int BitWidth(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - std::countl_zero(max_value);
}

void AppendUleb128(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Literal values accumulate from literal_start; when a long run begins, the
// literal part is rounded up to a multiple of 8 with values borrowed from the
// run (a literal run may only be padded at the very end of the stream).
template <typename T>
void AppendRleHybrid(const T* values, size_t count, int bit_width, std::string* out) {
  assert(bit_width >= 0 && bit_width <= 32);
  size_t literal_start = 0;
  size_t pos = 0;
  while (pos < count) {
    size_t run = RunLength(values, pos, count);
    if (run < kMinRleRun) {
      pos += run;
      continue;
    }
    size_t literal = pos - literal_start;
    if (literal > 0) {
      size_t borrow = (kGroup - literal % kGroup) % kGroup;
      AppendLiteralRun(values + literal_start, literal + borrow, bit_width, out);
      pos += borrow;
      run -= borrow;
    }
    if (run > 0) AppendRepeatedRun(values[pos], run, bit_width, out);
    pos += run;
    literal_start = pos;
  }
  if (literal_start < count) {
    AppendLiteralRun(values + literal_start, count - literal_start, bit_width, out);
  }
}

template <typename T>
void AppendLevels(const T* levels, size_t count, int bit_width, std::string* out) {
  size_t length_at = out->size();
  out->append(4, '\0');
  AppendRleHybrid(levels, count, bit_width, out);
  uint32_t length = static_cast<uint32_t>(out->size() - length_at - 4);
  std::memcpy(out->data() + length_at, &length, 4);
}

template void AppendRleHybrid<int16_t>(const int16_t*, size_t, int, std::string*);
template void AppendRleHybrid<uint32_t>(const uint32_t*, size_t, int, std::string*);
template void AppendLevels<int16_t>(const int16_t*, size_t, int, std::string*);

void AppendPlainBooleans(const uint8_t* values, size_t count, std::string* out) {
  size_t at = out->size();
  out->append((count + 7) / 8, '\0');
  char* bytes = out->data() + at;
  for (size_t i = 0; i < count; ++i) {
    if (values[i] != 0) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (1 << (i % 8)));
  }
}

void AppendPlainFixed(const void* values, size_t count, size_t width, std::string* out) {
  out->append(static_cast<const char*>(values), count * width);
}

void AppendPlainByteArray(std::string_view value, std::string* out) {
  uint32_t length = static_cast<uint32_t>(value.size());
  char prefix[4];
  std::memcpy(prefix, &length, 4);
  out->append(prefix, 4);
  out->append(value.data(), value.size());
}

}  // namespace rs::parquet::encode
