// Column statistics in Parquet's type-defined sort order.
#include <cstring>

#include "parquet/writer_column_internal.h"

namespace rs::parquet {
namespace {

template <typename T>
int Three(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Big-endian two's complement of equal length: the sign byte compares signed.
int CompareSignedBigEndian(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return Three(a.size(), b.size());
  int first = Three(static_cast<int8_t>(a[0]), static_cast<int8_t>(b[0]));
  if (first != 0) return first;
  int rest = std::memcmp(a.data() + 1, b.data() + 1, std::min(a.size(), b.size()) - 1);
  return rest < 0 ? -1 : (rest > 0 ? 1 : 0);
}

}  // namespace

int CompareStat(const Value& a, const Value& b, LeafStorage storage) {
  switch (storage) {
    case LeafStorage::kBool: return Three(a.b, b.b);
    case LeafStorage::kInt32:
    case LeafStorage::kInt64: return Three(a.i, b.i);
    case LeafStorage::kFloat: return Three(a.f, b.f);
    case LeafStorage::kDouble: return Three(a.d, b.d);
    case LeafStorage::kBytes: {
      int c = a.bytes.compare(b.bytes);  // char_traits<char> compares as unsigned char
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case LeafStorage::kFixedBytes: return CompareSignedBigEndian(a.bytes, b.bytes);
  }
  return 0;
}

void LeafStats::Merge(const LeafStats& other, LeafStorage storage) {
  null_count += other.null_count;
  if (other.min && (!min || CompareStat(*other.min, *min, storage) < 0)) min = other.min;
  if (other.max && (!max || CompareStat(*other.max, *max, storage) > 0)) max = other.max;
}

std::string EncodeStat(const Value& v, LeafStorage storage) {
  auto raw = [](const auto& x) {
    return std::string(reinterpret_cast<const char*>(&x), sizeof(x));
  };
  switch (storage) {
    case LeafStorage::kBool: return std::string(1, v.b ? '\1' : '\0');
    case LeafStorage::kInt32: return raw(static_cast<int32_t>(v.i));
    case LeafStorage::kInt64: return raw(v.i);
    case LeafStorage::kFloat: return raw(v.f);
    case LeafStorage::kDouble: return raw(v.d);
    case LeafStorage::kBytes:
    case LeafStorage::kFixedBytes: return v.bytes;
  }
  return {};
}

}  // namespace rs::parquet
