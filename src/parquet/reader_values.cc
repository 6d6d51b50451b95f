#include <cmath>
#include <cstring>
#include <string>

#include "parquet/decoding_internal.h"
#include "parquet/reader_values_internal.h"

namespace rs::parquet {
namespace {

using format::Encoding;
using format::Type;

constexpr int64_t kUnixEpochJulianDay = 2440588;
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;

Status Unsupported(Encoding::type encoding, const LeafInfo& leaf) {
  return Status::Unimplemented("encoding " + EncodingName(encoding) + " is not supported for " +
                               format::to_string(leaf.physical) + " values");
}

// Resizes `v` for `count` more values of `width` bytes after checking the
// input holds them, so no allocation follows an unchecked count.
template <typename T>
Status DecodeFixed(std::string_view data, size_t count, std::vector<T>* v) {
  if (count > data.size() / sizeof(T)) {
    return Status::Corruption("PLAIN: " + std::to_string(count) + " values of " +
                              std::to_string(sizeof(T)) + " bytes need more than the " +
                              std::to_string(data.size()) + " bytes present");
  }
  v->resize(count);
  return DecodePlainFixed(data, count, sizeof(T), v->data());
}

template <typename T>
Status DecodeSplit(std::string_view data, size_t count, std::vector<T>* v) {
  if (count > data.size() / sizeof(T)) {
    return DecodeByteStreamSplit(data, count, sizeof(T), nullptr);  // reports the shortfall
  }
  v->resize(count);
  return DecodeByteStreamSplit(data, count, sizeof(T), reinterpret_cast<uint8_t*>(v->data()));
}

Status DecodeBooleans(Encoding::type encoding, std::string_view data, size_t count,
                      PhysicalValues* out) {
  if (encoding == Encoding::PLAIN) {
    if ((count + 7) / 8 > data.size()) return DecodePlainBool(data, count, nullptr);
    out->bools.resize(count);
    return DecodePlainBool(data, count, out->bools.data());
  }
  // RLE booleans carry a 4-byte length prefix (Encodings.md).
  ByteCursor cur(data);
  std::string_view len_bytes, runs;
  RS_RETURN_IF_ERROR_CTX(cur.ReadBytes(4, &len_bytes), "RLE booleans length");
  uint32_t len = 0;
  std::memcpy(&len, len_bytes.data(), 4);
  RS_RETURN_IF_ERROR_CTX(cur.ReadBytes(len, &runs), "RLE booleans");
  // Each run header yields at most 2^63 values, but a byte cannot encode more
  // than 8 bit-packed booleans or one RLE run; bound by input before resizing.
  out->bools.resize(count);
  return DecodeRleHybrid<uint8_t>(runs, 1, count, 1, out->bools.data());
}

Status DecodeFixedLen(Encoding::type encoding, std::string_view data, size_t count,
                      const LeafInfo& leaf, PhysicalValues* out) {
  const size_t width = static_cast<size_t>(leaf.type_length);
  switch (encoding) {
    case Encoding::PLAIN:
      return DecodePlainFixedLenByteArray(data, count, width, &out->bytes);
    case Encoding::DELTA_BYTE_ARRAY:
      RS_RETURN_IF_ERROR(DecodeDeltaByteArray(data, count, &out->arena, &out->bytes));
      for (const auto& v : out->bytes) {
        if (v.size() != width) {
          return Status::Corruption("DELTA_BYTE_ARRAY: value of " + std::to_string(v.size()) +
                                    " bytes in a FIXED_LEN_BYTE_ARRAY(" + std::to_string(width) +
                                    ") column");
        }
      }
      return Status::OK();
    case Encoding::BYTE_STREAM_SPLIT: {
      if (count > data.size() / width) return DecodeByteStreamSplit(data, count, width, nullptr);
      out->arena.resize(count * width);
      RS_RETURN_IF_ERROR(DecodeByteStreamSplit(data, count, width,
                                               reinterpret_cast<uint8_t*>(out->arena.data())));
      return DecodePlainFixedLenByteArray(out->arena, count, width, &out->bytes);
    }
    default:
      return Unsupported(encoding, leaf);
  }
}

Status DecodeInts(Encoding::type encoding, std::string_view data, size_t count,
                  const LeafInfo& leaf, PhysicalValues* out) {
  const bool is32 = leaf.physical == Type::INT32;
  switch (encoding) {
    case Encoding::PLAIN:
      return is32 ? DecodeFixed(data, count, &out->i32) : DecodeFixed(data, count, &out->i64);
    case Encoding::DELTA_BINARY_PACKED:
      return is32 ? DecodeDeltaBinaryPacked<int32_t>(data, count, count, &out->i32)
                  : DecodeDeltaBinaryPacked<int64_t>(data, count, count, &out->i64);
    case Encoding::BYTE_STREAM_SPLIT:
      return is32 ? DecodeSplit(data, count, &out->i32) : DecodeSplit(data, count, &out->i64);
    default:
      return Unsupported(encoding, leaf);
  }
}

// Big-endian two's complement to int64; fails when it does not fit.
bool BytesToInt64(std::string_view b, int64_t* out) {
  if (b.empty()) {
    *out = 0;
    return true;
  }
  const bool negative = static_cast<uint8_t>(b[0]) & 0x80;
  const uint8_t fill = negative ? 0xff : 0x00;
  size_t start = 0;
  while (b.size() - start > 8) {
    if (static_cast<uint8_t>(b[start]) != fill) return false;
    ++start;
  }
  uint64_t v = negative ? ~uint64_t{0} : 0;
  for (size_t i = start; i < b.size(); ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  *out = static_cast<int64_t>(v);
  return (static_cast<uint8_t>(b[start]) & 0x80) == (negative ? 0x80 : 0) || b.size() - start < 8;
}

// The shortest big-endian two's complement form of the same number.
std::string MinimalTwosComplement(std::string_view b) {
  if (b.empty()) return std::string(1, '\0');
  size_t start = 0;
  while (b.size() - start > 1) {
    const uint8_t first = static_cast<uint8_t>(b[start]);
    const uint8_t next = static_cast<uint8_t>(b[start + 1]);
    if ((first == 0x00 && !(next & 0x80)) || (first == 0xff && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return std::string(b.substr(start));
}

Status AppendDecimalBytes(const std::vector<std::string_view>& in, const LeafInfo& leaf,
                          ColumnVector* out) {
  const int precision = leaf.type.precision;
  if (precision > 18) {
    auto& dst = out->As<std::string>();
    for (const auto& b : in) dst.push_back(MinimalTwosComplement(b));
    return Status::OK();
  }
  for (const auto& b : in) {
    int64_t v = 0;
    if (!BytesToInt64(b, &v) || (precision <= 9 && (v < INT32_MIN || v > INT32_MAX))) {
      return Status::Corruption("decimal value of " + std::to_string(b.size()) +
                                " bytes does not fit precision " + std::to_string(precision));
    }
    if (precision <= 9) {
      out->As<int32_t>().push_back(static_cast<int32_t>(v));
    } else {
      out->As<int64_t>().push_back(v);
    }
  }
  return Status::OK();
}

float HalfToFloat(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
  }
  return (h & 0x8000) ? -magnitude : magnitude;
}

Status AppendTimestamps(const PhysicalValues& in, const LeafInfo& leaf, ColumnVector* out) {
  auto& dst = out->As<int64_t>();
  dst.reserve(dst.size() + std::max(in.i64.size(), in.bytes.size()));
  switch (leaf.conversion) {
    case Conversion::kMillisToMicros:
      for (int64_t v : in.i64) {
        int64_t micros = 0;
        if (__builtin_mul_overflow(v, int64_t{1000}, &micros)) {
          return Status::Corruption("timestamp " + std::to_string(v) + " ms overflows microseconds");
        }
        dst.push_back(micros);
      }
      return Status::OK();
    case Conversion::kNanosToMicros:
      for (int64_t v : in.i64) dst.push_back(v / 1000 - ((v % 1000) < 0 ? 1 : 0));
      return Status::OK();
    default:  // kInt96ToMicros
      for (const auto& b : in.bytes) {
        int64_t nanos = 0;
        uint32_t julian_day = 0;
        std::memcpy(&nanos, b.data(), 8);
        std::memcpy(&julian_day, b.data() + 8, 4);
        dst.push_back((static_cast<int64_t>(julian_day) - kUnixEpochJulianDay) * kMicrosPerDay +
                      nanos / 1000);
      }
      return Status::OK();
  }
}

template <typename T>
void AppendAll(const std::vector<T>& in, std::vector<T>* out) {
  out->insert(out->end(), in.begin(), in.end());
}

Status AppendUnconverted(const PhysicalValues& in, const LeafInfo& leaf, ColumnVector* out) {
  switch (leaf.physical) {
    case Type::BOOLEAN:
      AppendAll(in.bools, &out->As<uint8_t>());
      break;
    case Type::INT32:
      AppendAll(in.i32, &out->As<int32_t>());
      break;
    case Type::INT64:
      AppendAll(in.i64, &out->As<int64_t>());
      break;
    case Type::FLOAT:
      AppendAll(in.f32, &out->As<float>());
      break;
    case Type::DOUBLE:
      AppendAll(in.f64, &out->As<double>());
      break;
    default: {
      auto& dst = out->As<std::string>();
      dst.reserve(dst.size() + in.bytes.size());
      for (const auto& b : in.bytes) dst.emplace_back(b);
    }
  }
  return Status::OK();
}

}  // namespace

void PhysicalValues::Clear() {
  bools.clear();
  i32.clear();
  i64.clear();
  f32.clear();
  f64.clear();
  bytes.clear();
}

std::string EncodingName(Encoding::type encoding) { return format::to_string(encoding); }

Status DecodePhysical(Encoding::type encoding, std::string_view data, size_t count,
                      const LeafInfo& leaf, PhysicalValues* out) {
  switch (leaf.physical) {
    case Type::BOOLEAN:
      if (encoding != Encoding::PLAIN && encoding != Encoding::RLE) return Unsupported(encoding, leaf);
      return DecodeBooleans(encoding, data, count, out);
    case Type::INT32:
    case Type::INT64:
      return DecodeInts(encoding, data, count, leaf, out);
    case Type::INT96:
      if (encoding != Encoding::PLAIN) return Unsupported(encoding, leaf);
      return DecodePlainFixedLenByteArray(data, count, 12, &out->bytes);
    case Type::FLOAT:
    case Type::DOUBLE: {
      const bool f = leaf.physical == Type::FLOAT;
      if (encoding == Encoding::PLAIN) {
        return f ? DecodeFixed(data, count, &out->f32) : DecodeFixed(data, count, &out->f64);
      }
      if (encoding == Encoding::BYTE_STREAM_SPLIT) {
        return f ? DecodeSplit(data, count, &out->f32) : DecodeSplit(data, count, &out->f64);
      }
      return Unsupported(encoding, leaf);
    }
    case Type::BYTE_ARRAY:
      if (encoding == Encoding::PLAIN) return DecodePlainByteArray(data, count, &out->bytes);
      if (encoding == Encoding::DELTA_LENGTH_BYTE_ARRAY) {
        return DecodeDeltaLengthByteArray(data, count, &out->bytes);
      }
      if (encoding == Encoding::DELTA_BYTE_ARRAY) {
        return DecodeDeltaByteArray(data, count, &out->arena, &out->bytes);
      }
      return Unsupported(encoding, leaf);
    case Type::FIXED_LEN_BYTE_ARRAY:
      return DecodeFixedLen(encoding, data, count, leaf, out);
    default:
      break;
  }
  return Unsupported(encoding, leaf);
}

Status AppendConverted(const PhysicalValues& in, const LeafInfo& leaf, ColumnVector* out) {
  switch (leaf.conversion) {
    case Conversion::kNone:
      return AppendUnconverted(in, leaf, out);
    case Conversion::kUInt32ToInt64:
      for (int32_t v : in.i32) out->As<int64_t>().push_back(static_cast<uint32_t>(v));
      return Status::OK();
    case Conversion::kInt32ToInt64:
      for (int32_t v : in.i32) out->As<int64_t>().push_back(v);
      return Status::OK();
    case Conversion::kInt64ToInt32:
      for (int64_t v : in.i64) {
        if (v < INT32_MIN || v > INT32_MAX) {
          return Status::Corruption("decimal value " + std::to_string(v) + " exceeds precision " +
                                    std::to_string(leaf.type.precision));
        }
        out->As<int32_t>().push_back(static_cast<int32_t>(v));
      }
      return Status::OK();
    case Conversion::kUInt64ToDecimal:
      for (int64_t v : in.i64) {
        char be[9] = {0};
        for (int i = 0; i < 8; ++i) be[8 - i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
        out->As<std::string>().push_back(MinimalTwosComplement(std::string_view(be, 9)));
      }
      return Status::OK();
    case Conversion::kMillisToMicros:
    case Conversion::kNanosToMicros:
    case Conversion::kInt96ToMicros:
      return AppendTimestamps(in, leaf, out);
    case Conversion::kBytesToDecimal:
      return AppendDecimalBytes(in.bytes, leaf, out);
    case Conversion::kHalfToFloat:
      for (const auto& b : in.bytes) {
        uint16_t h = 0;
        std::memcpy(&h, b.data(), 2);
        out->As<float>().push_back(HalfToFloat(h));
      }
      return Status::OK();
  }
  return Status::Internal("unknown conversion");
}

void AppendGathered(const ColumnVector& dictionary, const uint32_t* indices, size_t count,
                    ColumnVector* out) {
  std::visit(
      [&](const auto& dict) {
        using Vec = std::decay_t<decltype(dict)>;
        auto& dst = std::get<Vec>(out->values);
        const size_t base = dst.size();
        dst.resize(base + count);
        for (size_t i = 0; i < count; ++i) dst[base + i] = dict[indices[i]];
      },
      dictionary.values);
}

bool CanDecodePlainDirect(const LeafInfo& leaf) {
  return leaf.conversion == Conversion::kNone &&
         (leaf.physical == Type::INT32 || leaf.physical == Type::INT64 ||
          leaf.physical == Type::FLOAT || leaf.physical == Type::DOUBLE);
}

Status AppendPlainDirect(std::string_view data, size_t count, const LeafInfo& leaf,
                         ColumnVector* out) {
  return std::visit(
      [&](auto& dst) -> Status {
        using T = typename std::decay_t<decltype(dst)>::value_type;
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, uint8_t>) {
          if (count > data.size() / sizeof(T)) {
            return DecodePlainFixed(data, count, sizeof(T), nullptr);  // reports the shortfall
          }
          const size_t base = dst.size();
          dst.resize(base + count);
          return DecodePlainFixed(data, count, sizeof(T), dst.data() + base);
        } else {
          (void)leaf;
          return Status::Internal("PLAIN direct decode on a non-numeric column");
        }
      },
      out->values);
}

}  // namespace rs::parquet
