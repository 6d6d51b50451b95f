// Fuzzes the Parquet page decoders (parquet/decoding_internal.h) and page
// decompressors (parquet/compression_internal.h).
//
// Input layout (FuzzedDataProvider): the parameters are taken from the END of
// the input: the last byte picks the decoder, the bytes before it its
// parameters (value count, bit width, value width, codec, ...); the front of
// the input is the encoded page. Value counts are capped the way the
// reader caps them by the page header, so no decoder is asked for more output
// than a page could declare.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - no decoder crashes, reads out of bounds or hits undefined behaviour;
//   - RLE/bit-packed hybrid: refuses bit widths outside 0..min(32, bits of T);
//     on success every value is <= max_value and equals a bit-by-bit reference
//     decode, and the reference succeeds exactly when the decoder does;
//   - PLAIN fixed, PLAIN BOOLEAN and BYTE_STREAM_SPLIT equal reference decodes;
//   - PLAIN / DELTA_LENGTH byte arrays are views inside the input; DELTA_BYTE_ARRAY
//     views tile the arena; DELTA_BINARY_PACKED yields a count in [min, max] and
//     consumes no more than its input;
//   - compression: every supported codec round-trips the data, and a successful
//     decompression has exactly the requested size.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "parquet/compression_internal.h"
#include "parquet/decoding_internal.h"

namespace rs::parquet {
namespace {

constexpr size_t kMaxValues = 1 << 14;
constexpr size_t kMaxUncompressedBytes = 1 << 20;

bool Inside(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() &&
         inner.data() + inner.size() <= outer.data() + outer.size();
}

// Bit `bit` of `data`, LSB first (the Parquet bit-packing order).
uint64_t BitAt(std::string_view data, size_t bit) {
  return (static_cast<uint8_t>(data[bit / 8]) >> (bit % 8)) & 1;
}

uint64_t ReferenceUnpack(std::string_view data, size_t first_bit, int bit_width) {
  uint64_t v = 0;
  for (int b = 0; b < bit_width; ++b) v |= BitAt(data, first_bit + b) << b;
  return v;
}

// Straightforward RLE/bit-packed hybrid decoder written from Encodings.md,
// with the decoder's documented leniency: the last bit-packed run may omit the
// padding of its final group.
bool ReferenceRleHybrid(std::string_view data, int bit_width, size_t count, uint32_t max_value,
                        std::vector<uint64_t>* out) {
  ByteCursor cur(data);
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  while (out->size() < count) {
    uint64_t header = 0;
    if (!cur.ReadUleb128(&header).ok()) return false;
    const size_t want = count - out->size();
    if (header & 1) {
      const uint64_t groups = header >> 1;
      const std::string_view rest(reinterpret_cast<const char*>(cur.current()), cur.remaining());
      // Saturating arithmetic: a declared run longer than the input is legal
      // as long as the values still wanted are present.
      const uint64_t take = groups >= want ? want : std::min<uint64_t>(want, groups * 8);
      if (bit_width > 0 && take * bit_width > rest.size() * 8) return false;
      for (uint64_t i = 0; i < take; ++i) {
        const uint64_t v = ReferenceUnpack(rest, i * bit_width, bit_width);
        if (v > max_value) return false;
        out->push_back(v);
      }
      uint64_t run_bytes = 0;
      if (bit_width > 0) {
        run_bytes = groups >= rest.size() ? rest.size()
                                          : std::min<uint64_t>(groups * bit_width, rest.size());
      }
      if (!cur.Skip(run_bytes).ok()) return false;
    } else {
      std::string_view raw;
      if (!cur.ReadBytes(value_bytes, &raw).ok()) return false;
      uint64_t v = 0;
      for (size_t i = 0; i < raw.size(); ++i) v |= uint64_t{static_cast<uint8_t>(raw[i])} << (8 * i);
      if (v > max_value) return false;
      out->insert(out->end(), std::min<uint64_t>(want, header >> 1), v);
    }
  }
  return true;
}

template <typename T>
void FuzzRleHybrid(FuzzedDataProvider& in) {
  const int bit_width = in.ConsumeIntegralInRange<int>(-1, 40);
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const uint32_t max_value = static_cast<uint32_t>(
      in.ConsumeIntegralInRange<uint64_t>(0, std::numeric_limits<T>::max()));
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<T> out(count);
  const Status st = DecodeRleHybrid<T>(data, bit_width, count, max_value, out.data());
  if (bit_width < 0 || bit_width > 32 || bit_width > static_cast<int>(8 * sizeof(T))) {
    RS_FUZZ_CHECK(!st.ok());
    return;
  }
  std::vector<uint64_t> expected;
  const bool ref_ok = ReferenceRleHybrid(data, bit_width, count, max_value, &expected);
  RS_FUZZ_CHECK(st.ok() == ref_ok);
  if (!st.ok()) return;
  for (size_t i = 0; i < count; ++i) {
    RS_FUZZ_CHECK(out[i] <= max_value);
    RS_FUZZ_CHECK(out[i] == expected[i]);
  }
}

void FuzzPlainFixed(FuzzedDataProvider& in) {
  static constexpr size_t kWidths[] = {0, 1, 4, 8, 12, 16};
  const size_t width = in.PickValueInArray(kWidths);
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<uint8_t> out(count * width);
  size_t consumed = 0;
  const Status st = DecodePlainFixed(data, count, width, out.data(), &consumed);
  RS_FUZZ_CHECK(st.ok() == (width > 0 && count * width <= data.size()));
  if (!st.ok()) return;
  RS_FUZZ_CHECK(consumed == count * width);
  RS_FUZZ_CHECK(out.empty() || std::memcmp(out.data(), data.data(), out.size()) == 0);
}

void FuzzPlainBool(FuzzedDataProvider& in) {
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<uint8_t> out(count);
  const Status st = DecodePlainBool(data, count, out.data());
  RS_FUZZ_CHECK(st.ok() == ((count + 7) / 8 <= data.size()));
  if (!st.ok()) return;
  for (size_t i = 0; i < count; ++i) RS_FUZZ_CHECK(out[i] == BitAt(data, i));
}

void FuzzPlainByteArray(FuzzedDataProvider& in) {
  const bool fixed = in.ConsumeBool();
  const size_t type_length = in.ConsumeIntegralInRange<size_t>(0, 32);
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<std::string_view> out;
  size_t consumed = 0;
  const Status st = fixed ? DecodePlainFixedLenByteArray(data, count, type_length, &out)
                          : DecodePlainByteArray(data, count, &out, &consumed);
  if (!st.ok()) return;
  RS_FUZZ_CHECK(out.size() == count);
  RS_FUZZ_CHECK(consumed <= data.size());
  for (std::string_view v : out) {
    RS_FUZZ_CHECK(Inside(v, data));
    if (fixed) RS_FUZZ_CHECK(v.size() == type_length);
  }
}

template <typename T>
void FuzzDeltaBinaryPacked(FuzzedDataProvider& in) {
  const size_t max_count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const size_t min_count = in.ConsumeIntegralInRange<size_t>(0, max_count);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<T> out;
  size_t consumed = 0;
  const Status st = DecodeDeltaBinaryPacked<T>(data, min_count, max_count, &out, &consumed);
  if (!st.ok()) return;
  RS_FUZZ_CHECK(out.size() >= min_count && out.size() <= max_count);
  RS_FUZZ_CHECK(consumed <= data.size());
}

void FuzzDeltaLengthByteArray(FuzzedDataProvider& in) {
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<std::string_view> out;
  if (!DecodeDeltaLengthByteArray(data, count, &out).ok()) return;
  RS_FUZZ_CHECK(out.size() == count);
  for (std::string_view v : out) RS_FUZZ_CHECK(Inside(v, data));
}

void FuzzDeltaByteArray(FuzzedDataProvider& in) {
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::string arena = "stale contents the decoder must clear";
  std::vector<std::string_view> out;
  if (!DecodeDeltaByteArray(data, count, &arena, &out).ok()) return;
  RS_FUZZ_CHECK(out.size() == count);
  size_t total = 0;
  for (std::string_view v : out) {
    RS_FUZZ_CHECK(Inside(v, arena));
    RS_FUZZ_CHECK(v.empty() || v.data() == arena.data() + total);
    total += v.size();
  }
  RS_FUZZ_CHECK(total == arena.size());
}

void FuzzByteStreamSplit(FuzzedDataProvider& in) {
  const size_t width = in.ConsumeIntegralInRange<size_t>(0, 16);
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, kMaxValues);
  const std::string data = in.ConsumeRemainingBytesAsString();
  std::vector<uint8_t> out(count * width);
  const Status st = DecodeByteStreamSplit(data, count, width, out.data());
  RS_FUZZ_CHECK(st.ok() == (width > 0 && count * width <= data.size()));
  if (!st.ok()) return;
  for (size_t i = 0; i < count; ++i) {
    for (size_t b = 0; b < width; ++b) {
      RS_FUZZ_CHECK(out[i * width + b] == static_cast<uint8_t>(data[b * count + i]));
    }
  }
}

void FuzzVarints(FuzzedDataProvider& in) {
  const std::string data = in.ConsumeRemainingBytesAsString();
  ByteCursor cur(data);
  for (size_t i = 0; cur.remaining() > 0; ++i) {
    const size_t before = cur.position();
    uint64_t u = 0;
    int64_t z = 0;
    const Status st = (i % 2 == 0) ? cur.ReadUleb128(&u) : cur.ReadZigZag(&z);
    RS_FUZZ_CHECK(cur.position() <= data.size());
    if (!st.ok()) return;
    RS_FUZZ_CHECK(cur.position() > before && cur.position() - before <= 10);
  }
}

void FuzzDecompress(FuzzedDataProvider& in) {
  const auto codec = static_cast<Codec>(in.ConsumeIntegralInRange<int>(0, 8));
  const size_t expected = in.ConsumeIntegralInRange<size_t>(0, kMaxUncompressedBytes);
  const std::string data = in.ConsumeRemainingBytesAsString();
  Decompressor decompressor(codec);
  std::string out;
  const Status st = decompressor.Decompress(data, expected, &out);
  if (!IsSupportedCodec(codec)) RS_FUZZ_CHECK(!st.ok());
  if (st.ok()) RS_FUZZ_CHECK(out.size() == expected);
}

void FuzzRoundTrip(FuzzedDataProvider& in) {
  static constexpr Codec kCodecs[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip,
                                      Codec::kZstd, Codec::kLz4Raw};
  const Codec codec = in.PickValueInArray(kCodecs);
  const int level = in.ConsumeIntegralInRange<int>(0, 3);
  const std::string data = in.ConsumeRemainingBytesAsString();
  Compressor compressor(codec, level);
  std::string compressed;
  RS_FUZZ_CHECK(compressor.Compress(data, &compressed).ok());
  Decompressor decompressor(codec);
  std::string restored = "stale";
  RS_FUZZ_CHECK(decompressor.Decompress(compressed, data.size(), &restored).ok());
  RS_FUZZ_CHECK(restored == data);
  // A wrong declared size must be refused, never silently accepted.
  RS_FUZZ_CHECK(!decompressor.Decompress(compressed, data.size() + 1, &restored).ok());
}

}  // namespace
}  // namespace rs::parquet

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rs::parquet;  // NOLINT: fuzz entry point
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 15)) {
    case 0: FuzzRleHybrid<uint8_t>(in); break;
    case 1: FuzzRleHybrid<uint16_t>(in); break;
    case 2: FuzzRleHybrid<uint32_t>(in); break;
    case 3: FuzzPlainFixed(in); break;
    case 4: FuzzPlainBool(in); break;
    case 5: FuzzPlainByteArray(in); break;
    case 6: FuzzDeltaBinaryPacked<int32_t>(in); break;
    case 7: FuzzDeltaBinaryPacked<int64_t>(in); break;
    case 8: FuzzDeltaLengthByteArray(in); break;
    case 9: FuzzDeltaByteArray(in); break;
    case 10: FuzzByteStreamSplit(in); break;
    case 11: FuzzVarints(in); break;
    case 12: FuzzDecompress(in); break;
    default: FuzzRoundTrip(in); break;
  }
  return 0;
}
