// Deletion vector formats: Z85 and the RoaringBitmapArray, whose 32-bit
// bitmaps CRoaring reads (PROTOCOL.md "Deletion Vector Format").
#include <fmt/format.h>
#include <roaring/roaring.h>

#include <array>

#include "delta/deletion_vector_internal.h"

namespace rs::delta {

struct DvRoaringDeleter {
  void operator()(const roaring_bitmap_t* r) const { roaring_bitmap_free(r); }
};
using RoaringPtr = std::unique_ptr<roaring_bitmap_t, DvRoaringDeleter>;

namespace {

constexpr std::string_view kZ85Chars =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// Z85 character -> digit, 0xFF for characters outside the alphabet.
const std::array<uint8_t, 256>& Z85Digits() {
  static const std::array<uint8_t, 256> kDigits = [] {
    std::array<uint8_t, 256> d;
    d.fill(0xFF);
    for (size_t i = 0; i < kZ85Chars.size(); ++i) d[static_cast<uint8_t>(kZ85Chars[i])] = i;
    return d;
  }();
  return kDigits;
}

uint32_t LoadLE32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint32_t LoadBE32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// CRoaring's safe deserializer bounds its reads, but does not check that array
// values ascend or that runs stay inside their container; an iteration that
// must see strictly ascending values catches both.
bool ValuesAscend(const roaring_bitmap_t* r, uint64_t* count) {
  roaring_uint32_iterator_t it;
  roaring_init_iterator(r, &it);
  uint64_t n = 0;
  int64_t previous = -1;
  for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
    if (static_cast<int64_t>(it.current_value) <= previous) return false;
    previous = it.current_value;
    ++n;
  }
  *count = n;
  return true;
}

}  // namespace

Result<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) {
    return Status::Corruption(
        fmt::format("Z85 text of {} characters (not a multiple of 5)", text.size()));
  }
  const auto& digits = Z85Digits();
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) {
      uint8_t d = digits[static_cast<uint8_t>(text[i + j])];
      if (d == 0xFF) {
        return Status::Corruption(fmt::format("Z85 text has invalid character 0x{:02x} at {}",
                                              static_cast<uint8_t>(text[i + j]), i + j));
      }
      v = v * 85 + d;
    }
    if (v > 0xFFFFFFFFull) {
      return Status::Corruption(fmt::format("Z85 group at {} exceeds 32 bits", i));
    }
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
  }
  return out;
}

std::string Z85Encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() / 4 * 5);
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    uint32_t v = LoadBE32(bytes.data() + i);
    char group[5];
    for (int j = 4; j >= 0; --j) {
      group[j] = kZ85Chars[v % 85];
      v /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

struct DeletedRows::Bucket {
  uint32_t key = 0;
  RoaringPtr bitmap;
};

DeletedRows::DeletedRows() : buckets_(std::make_shared<std::vector<Bucket>>()) {}

Result<DeletedRows> DeletedRows::Parse(std::string_view bytes) {
  if (bytes.size() < 12) {
    return Status::Corruption(
        fmt::format("RoaringBitmapArray of {} bytes (at least 12)", bytes.size()));
  }
  uint32_t magic = LoadLE32(bytes.data());
  if (magic != kRoaringBitmapArrayMagic) {
    return Status::Corruption(
        fmt::format("RoaringBitmapArray magic {} (expected {})", magic, kRoaringBitmapArrayMagic));
  }
  uint64_t count = LoadLE32(bytes.data() + 4) | (uint64_t{LoadLE32(bytes.data() + 8)} << 32);
  size_t pos = 12;
  // Every bucket takes at least its key and an 8-byte bitmap header.
  if (count > (bytes.size() - pos) / 12) {
    return Status::Corruption(
        fmt::format("RoaringBitmapArray of {} bytes cannot hold {} bitmaps", bytes.size(), count));
  }
  auto buckets = std::make_shared<std::vector<Bucket>>();
  DeletedRows rows;
  for (uint64_t i = 0; i < count; ++i) {
    if (bytes.size() - pos < 4) {
      return Status::Corruption(fmt::format("RoaringBitmapArray bitmap {} truncated", i));
    }
    uint32_t key = LoadLE32(bytes.data() + pos);
    pos += 4;
    if (!buckets->empty() && key <= buckets->back().key) {
      return Status::Corruption(fmt::format("RoaringBitmapArray bitmap {}: key {} after {}", i, key,
                                            buckets->back().key));
    }
    const char* data = bytes.data() + pos;
    size_t available = bytes.size() - pos;
    size_t used = roaring_bitmap_portable_deserialize_size(data, available);
    RoaringPtr bitmap(used == 0 ? nullptr : roaring_bitmap_portable_deserialize_safe(data, used));
    uint64_t n = 0;
    if (!bitmap || !ValuesAscend(bitmap.get(), &n)) {
      return Status::Corruption(fmt::format(
          "RoaringBitmapArray bitmap {} (key {}) at byte {} is malformed", i, key, pos));
    }
    pos += used;
    rows.cardinality_ += n;
    buckets->push_back(Bucket{key, std::move(bitmap)});
  }
  if (pos != bytes.size()) {
    return Status::Corruption(fmt::format("RoaringBitmapArray has {} bytes after its {} bitmaps",
                                          bytes.size() - pos, count));
  }
  rows.buckets_ = std::move(buckets);
  return rows;
}

bool DeletedRows::Contains(uint64_t row_index) const {
  uint32_t key = static_cast<uint32_t>(row_index >> 32);
  for (const Bucket& b : *buckets_) {
    if (b.key == key)
      return roaring_bitmap_contains(b.bitmap.get(), static_cast<uint32_t>(row_index));
  }
  return false;
}

uint64_t DeletedRows::Max() const {
  for (auto it = buckets_->rbegin(); it != buckets_->rend(); ++it) {
    if (!roaring_bitmap_is_empty(it->bitmap.get())) {
      return (uint64_t{it->key} << 32) | roaring_bitmap_maximum(it->bitmap.get());
    }
  }
  return 0;
}

void DeletedRows::ClearDeleted(uint64_t first_row, uint8_t* keep, size_t num_rows) const {
  uint64_t end = first_row + num_rows;
  for (const Bucket& b : *buckets_) {
    uint64_t base = uint64_t{b.key} << 32;
    if (base + (uint64_t{1} << 32) <= first_row || base >= end) continue;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(b.bitmap.get(), &it);
    uint32_t low = first_row > base ? static_cast<uint32_t>(first_row - base) : 0;
    if (!roaring_move_uint32_iterator_equalorlarger(&it, low)) continue;
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
      uint64_t row = base + it.current_value;
      if (row >= end) break;
      keep[row - first_row] = 0;
    }
  }
}

}  // namespace rs::delta
