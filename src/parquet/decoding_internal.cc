#include "parquet/decoding_internal.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace rs::parquet {
namespace {

// Largest DELTA_BINARY_PACKED block we accept; writers use 128..1024.
constexpr uint64_t kMaxDeltaBlockSize = uint64_t{1} << 20;
// Cap on the bytes DELTA_BYTE_ARRAY may reconstruct from one page: shared
// prefixes let a small page expand quadratically.
constexpr uint64_t kMaxDeltaByteArrayBytes = uint64_t{1} << 31;

Status Truncated(std::string_view encoding, std::string_view what) {
  return Status::Corruption(std::string(encoding) + ": input ends inside " + std::string(what));
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;  // little-endian hosts only (x86-64, aarch64)
}

// Reads up to 8 bytes at `byte` of `in`, zero-padding past `in_bytes`.
inline uint64_t Load64Safe(const uint8_t* in, size_t in_bytes, size_t byte) {
  if (byte + 8 <= in_bytes) return Load64(in + byte);
  uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (byte < in_bytes) std::memcpy(buf, in + byte, in_bytes - byte);
  return Load64(buf);
}

template <typename T>
Status CheckMax(const T* values, size_t count, uint32_t max_value, std::string_view encoding) {
  T max_seen = 0;
  for (size_t i = 0; i < count; ++i) max_seen = std::max(max_seen, values[i]);
  if (max_seen > max_value) {
    return Status::Corruption(std::string(encoding) + ": value " + std::to_string(max_seen) +
                              " exceeds the maximum " + std::to_string(max_value));
  }
  return Status::OK();
}

}  // namespace

Status ByteCursor::ReadUleb128(uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Status::Corruption("varint: input ends inside a varint");
    const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = result;
      return Status::OK();
    }
  }
  return Status::Corruption("varint: longer than 10 bytes");
}

Status ByteCursor::ReadZigZag(int64_t* out) {
  uint64_t raw = 0;
  RS_RETURN_IF_ERROR(ReadUleb128(&raw));
  *out = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  return Status::OK();
}

Status ByteCursor::ReadBytes(size_t n, std::string_view* out) {
  if (n > remaining()) return Status::Corruption("input ends inside a " + std::to_string(n) + "-byte field");
  *out = data_.substr(pos_, n);
  pos_ += n;
  return Status::OK();
}

Status ByteCursor::Skip(size_t n) {
  std::string_view ignored;
  return ReadBytes(n, &ignored);
}

int BitWidthFor(uint64_t max_value) {
  int width = 0;
  while (width < 64 && (max_value >> width) != 0) ++width;
  return width;
}

template <typename T>
void UnpackBits(const uint8_t* in, size_t in_bytes, int bit_width, size_t count, T* out) {
  if (bit_width == 0) {
    std::fill(out, out + count, T{0});
    return;
  }
  const uint64_t mask = bit_width >= 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
  const size_t fast_end = in_bytes >= 16 ? (in_bytes - 16) * 8 / bit_width : 0;
  size_t i = 0;
  if (bit_width <= 56) {
    // Fast path: every value lies within one unaligned 8-byte load.
    const size_t end = std::min(count, fast_end);
    for (; i < end; ++i) {
      const size_t bit = i * bit_width;
      out[i] = static_cast<T>((Load64(in + (bit >> 3)) >> (bit & 7)) & mask);
    }
  }
  for (; i < count; ++i) {
    const size_t bit = i * bit_width;
    const size_t byte = bit >> 3;
    const int shift = static_cast<int>(bit & 7);
    uint64_t v = Load64Safe(in, in_bytes, byte) >> shift;
    if (shift + bit_width > 64) {
      v |= Load64Safe(in, in_bytes, byte + 8) << (64 - shift);
    }
    out[i] = static_cast<T>(v & mask);
  }
}

template void UnpackBits<uint8_t>(const uint8_t*, size_t, int, size_t, uint8_t*);
template void UnpackBits<uint16_t>(const uint8_t*, size_t, int, size_t, uint16_t*);
template void UnpackBits<uint32_t>(const uint8_t*, size_t, int, size_t, uint32_t*);
template void UnpackBits<uint64_t>(const uint8_t*, size_t, int, size_t, uint64_t*);

template <typename T>
Status DecodeRleHybrid(std::string_view data, int bit_width, size_t count, uint32_t max_value,
                       T* out) {
  constexpr std::string_view kEnc = "RLE/bit-packed hybrid";
  if (bit_width < 0 || bit_width > 32 || bit_width > static_cast<int>(8 * sizeof(T))) {
    return Status::Corruption(std::string(kEnc) + ": bit width " + std::to_string(bit_width) +
                              " out of range");
  }
  ByteCursor cur(data);
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  const bool check_packed = bit_width > 0 && ((uint64_t{1} << bit_width) - 1) > max_value;
  size_t produced = 0;
  while (produced < count) {
    uint64_t header = 0;
    RS_RETURN_IF_ERROR_CTX(cur.ReadUleb128(&header), kEnc);
    const size_t want = count - produced;
    if (header & 1) {
      // Clamped so the products below cannot overflow; a real run is far shorter.
      const uint64_t groups = std::min<uint64_t>(header >> 1, uint64_t{1} << 40);
      uint64_t run_bytes = groups * static_cast<uint64_t>(bit_width);
      uint64_t run_values = groups * 8;
      if (run_bytes > cur.remaining()) {
        // The final run may omit the padding bytes of its last group.
        run_bytes = cur.remaining();
        run_values = run_bytes * 8 / static_cast<uint64_t>(bit_width);
        if (run_values < want) return Truncated(kEnc, "a bit-packed run");
      }
      const size_t take = static_cast<size_t>(std::min<uint64_t>(want, run_values));
      UnpackBits<T>(cur.current(), run_bytes, bit_width, take, out + produced);
      if (check_packed) RS_RETURN_IF_ERROR(CheckMax(out + produced, take, max_value, kEnc));
      RS_RETURN_IF_ERROR_CTX(cur.Skip(run_bytes), kEnc);
      produced += take;
    } else {
      const uint64_t run = header >> 1;
      std::string_view raw;
      if (!cur.ReadBytes(value_bytes, &raw).ok()) return Truncated(kEnc, "an RLE run");
      uint32_t value = 0;
      std::memcpy(&value, raw.data(), raw.size());
      if (value > max_value) {
        return Status::Corruption(std::string(kEnc) + ": value " + std::to_string(value) +
                                  " exceeds the maximum " + std::to_string(max_value));
      }
      const size_t take = static_cast<size_t>(std::min<uint64_t>(want, run));
      std::fill(out + produced, out + produced + take, static_cast<T>(value));
      produced += take;
    }
  }
  return Status::OK();
}

template Status DecodeRleHybrid<uint8_t>(std::string_view, int, size_t, uint32_t, uint8_t*);
template Status DecodeRleHybrid<uint16_t>(std::string_view, int, size_t, uint32_t, uint16_t*);
template Status DecodeRleHybrid<uint32_t>(std::string_view, int, size_t, uint32_t, uint32_t*);

Status DecodePlainFixed(std::string_view data, size_t count, size_t width, void* out,
                        size_t* consumed) {
  if (width == 0 || count > data.size() / width) {
    return Status::Corruption("PLAIN: " + std::to_string(count) + " values of " +
                              std::to_string(width) + " bytes need more than the " +
                              std::to_string(data.size()) + " bytes present");
  }
  if (count > 0) std::memcpy(out, data.data(), count * width);
  if (consumed != nullptr) *consumed = count * width;
  return Status::OK();
}

Status DecodePlainBool(std::string_view data, size_t count, uint8_t* out) {
  if ((count + 7) / 8 > data.size()) {
    return Status::Corruption("PLAIN: " + std::to_string(count) + " booleans need more than the " +
                              std::to_string(data.size()) + " bytes present");
  }
  UnpackBits<uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size(), 1, count, out);
  return Status::OK();
}

Status DecodePlainByteArray(std::string_view data, size_t count,
                            std::vector<std::string_view>* out, size_t* consumed) {
  // Each value takes at least its 4-byte length.
  if (count > data.size() / 4) {
    return Status::Corruption("PLAIN: " + std::to_string(count) +
                              " byte arrays cannot fit in " + std::to_string(data.size()) + " bytes");
  }
  out->reserve(out->size() + count);
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (data.size() - pos < 4) return Truncated("PLAIN", "a byte array length");
    uint32_t len = 0;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (len > data.size() - pos) {
      return Status::Corruption("PLAIN: byte array length " + std::to_string(len) +
                                " exceeds the " + std::to_string(data.size() - pos) +
                                " bytes left");
    }
    out->emplace_back(data.data() + pos, len);
    pos += len;
  }
  if (consumed != nullptr) *consumed = pos;
  return Status::OK();
}

Status DecodePlainFixedLenByteArray(std::string_view data, size_t count, size_t type_length,
                                    std::vector<std::string_view>* out) {
  if (type_length == 0 || count > data.size() / type_length) {
    return Status::Corruption("PLAIN: " + std::to_string(count) + " fixed-length values of " +
                              std::to_string(type_length) + " bytes need more than the " +
                              std::to_string(data.size()) + " bytes present");
  }
  out->reserve(out->size() + count);
  for (size_t i = 0; i < count; ++i) out->emplace_back(data.data() + i * type_length, type_length);
  return Status::OK();
}

template <typename T>
Status DecodeDeltaBinaryPacked(std::string_view data, size_t min_count, size_t max_count,
                               std::vector<T>* out, size_t* consumed) {
  constexpr std::string_view kEnc = "DELTA_BINARY_PACKED";
  ByteCursor cur(data);
  uint64_t block_size = 0, miniblocks = 0, total = 0;
  int64_t first = 0;
  RS_RETURN_IF_ERROR_CTX(cur.ReadUleb128(&block_size), kEnc);
  RS_RETURN_IF_ERROR_CTX(cur.ReadUleb128(&miniblocks), kEnc);
  RS_RETURN_IF_ERROR_CTX(cur.ReadUleb128(&total), kEnc);
  RS_RETURN_IF_ERROR_CTX(cur.ReadZigZag(&first), kEnc);
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxDeltaBlockSize ||
      miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::Corruption(std::string(kEnc) + ": invalid block layout (block size " +
                              std::to_string(block_size) + ", " + std::to_string(miniblocks) +
                              " miniblocks)");
  }
  if (total < min_count || total > max_count) {
    return Status::Corruption(std::string(kEnc) + ": header declares " + std::to_string(total) +
                              " values, expected " + std::to_string(min_count) +
                              (min_count == max_count ? "" : ".." + std::to_string(max_count)));
  }
  out->resize(total);
  const size_t per_mini = block_size / miniblocks;
  std::vector<uint64_t> deltas(std::min<uint64_t>(per_mini, total));
  uint64_t last = static_cast<uint64_t>(first);
  size_t n = 0;
  if (total > 0) (*out)[n++] = static_cast<T>(first);
  while (n < total) {
    int64_t min_delta = 0;
    std::string_view widths;
    RS_RETURN_IF_ERROR_CTX(cur.ReadZigZag(&min_delta), kEnc);
    if (!cur.ReadBytes(miniblocks, &widths).ok()) return Truncated(kEnc, "miniblock bit widths");
    for (size_t mb = 0; mb < miniblocks && n < total; ++mb) {
      const int width = static_cast<uint8_t>(widths[mb]);
      if (width > static_cast<int>(8 * sizeof(T))) {
        return Status::Corruption(std::string(kEnc) + ": miniblock bit width " +
                                  std::to_string(width) + " exceeds the value type");
      }
      const size_t bytes = per_mini * width / 8;
      if (bytes > cur.remaining()) return Truncated(kEnc, "a miniblock");
      const size_t take = std::min(per_mini, total - n);
      UnpackBits<uint64_t>(cur.current(), bytes, width, take, deltas.data());
      for (size_t i = 0; i < take; ++i) {
        last += static_cast<uint64_t>(min_delta) + deltas[i];
        (*out)[n++] = static_cast<T>(last);
      }
      RS_RETURN_IF_ERROR_CTX(cur.Skip(bytes), kEnc);
    }
  }
  if (consumed != nullptr) *consumed = cur.position();
  return Status::OK();
}

template Status DecodeDeltaBinaryPacked<int32_t>(std::string_view, size_t, size_t,
                                                 std::vector<int32_t>*, size_t*);
template Status DecodeDeltaBinaryPacked<int64_t>(std::string_view, size_t, size_t,
                                                 std::vector<int64_t>*, size_t*);

Status DecodeDeltaLengthByteArray(std::string_view data, size_t count,
                                  std::vector<std::string_view>* out) {
  std::vector<int32_t> lengths;
  size_t pos = 0;
  RS_RETURN_IF_ERROR_CTX(DecodeDeltaBinaryPacked<int32_t>(data, count, count, &lengths, &pos),
                         "DELTA_LENGTH_BYTE_ARRAY lengths");
  out->reserve(out->size() + count);
  for (int32_t len : lengths) {
    if (len < 0 || static_cast<size_t>(len) > data.size() - pos) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: length " + std::to_string(len) +
                                " exceeds the " + std::to_string(data.size() - pos) +
                                " bytes left");
    }
    out->emplace_back(data.data() + pos, static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
  }
  return Status::OK();
}

Status DecodeDeltaByteArray(std::string_view data, size_t count, std::string* arena,
                            std::vector<std::string_view>* out) {
  constexpr std::string_view kEnc = "DELTA_BYTE_ARRAY";
  std::vector<int32_t> prefixes;
  size_t pos = 0;
  RS_RETURN_IF_ERROR_CTX(DecodeDeltaBinaryPacked<int32_t>(data, count, count, &prefixes, &pos),
                         "DELTA_BYTE_ARRAY prefix lengths");
  std::vector<std::string_view> suffixes;
  RS_RETURN_IF_ERROR_CTX(DecodeDeltaLengthByteArray(data.substr(pos), count, &suffixes), kEnc);
  uint64_t total = 0;
  uint64_t previous = 0;
  for (size_t i = 0; i < count; ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > previous) {
      return Status::Corruption(std::string(kEnc) + ": prefix length " +
                                std::to_string(prefixes[i]) + " of value " + std::to_string(i) +
                                " exceeds the previous value's length " + std::to_string(previous));
    }
    previous = static_cast<uint64_t>(prefixes[i]) + suffixes[i].size();
    total += previous;
    if (total > kMaxDeltaByteArrayBytes) {
      return Status::Corruption(std::string(kEnc) + ": values expand beyond " +
                                std::to_string(kMaxDeltaByteArrayBytes) + " bytes");
    }
  }
  arena->clear();
  arena->resize(total);
  out->reserve(out->size() + count);
  char* dst = arena->data();
  const char* prev = dst;
  for (size_t i = 0; i < count; ++i) {
    const size_t prefix = static_cast<size_t>(prefixes[i]);
    std::memmove(dst, prev, prefix);
    std::memcpy(dst + prefix, suffixes[i].data(), suffixes[i].size());
    out->emplace_back(dst, prefix + suffixes[i].size());
    prev = dst;
    dst += prefix + suffixes[i].size();
  }
  return Status::OK();
}

Status DecodeByteStreamSplit(std::string_view data, size_t count, size_t width, uint8_t* out) {
  if (width == 0 || count > data.size() / width) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(count) + " values of " +
                              std::to_string(width) + " bytes need more than the " +
                              std::to_string(data.size()) + " bytes present");
  }
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t b = 0; b < width; ++b) {
    const uint8_t* stream = in + b * count;
    for (size_t i = 0; i < count; ++i) out[i * width + b] = stream[i];
  }
  return Status::OK();
}

size_t CountZeroBytes(const uint8_t* bytes, size_t n) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  size_t zeros = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes + i, 8);
    // The high bit of each byte of `nonzero` is set exactly when that byte is not 0.
    const uint64_t nonzero = (word | ((word & kLow7) + kLow7)) & ~kLow7;
    zeros += 8 - static_cast<size_t>(__builtin_popcountll(nonzero));
  }
  for (; i < n; ++i) zeros += bytes[i] == 0;
  return zeros;
}

}  // namespace rs::parquet
