// Deletion vector formats: Z85 and the RoaringBitmapArray, whose 32-bit
// bitmaps CRoaring reads (PROTOCOL.md "Deletion Vector Format").
#include <fmt/format.h>
#include <roaring/roaring.h>

#include <array>
#include <optional>

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

uint16_t LoadLE16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}

constexpr uint32_t kCookieNoRuns = 12346;  // RoaringFormatSpec SERIAL_COOKIE_NO_RUNCONTAINER
constexpr uint32_t kCookieRuns = 12347;    // SERIAL_COOKIE (low 16 bits)

// Checks a portable 32-bit Roaring bitmap (RoaringFormatSpec) completely:
// header, keys ascending, offsets, and each container's values ascending and
// matching its cardinality. CRoaring 0.2.66's "safe" deserializer bounds its
// reads but trusts the rest (a fuzzed run container without runs crashed it),
// so it only ever sees bytes that passed this. Returns the bitmap's size and
// adds its cardinality to *cardinality; nullopt with *why when malformed.
std::optional<size_t> CheckPortableBitmap(std::string_view in, uint64_t* cardinality,
                                          std::string* why) {
  auto fail = [why](std::string text) -> std::optional<size_t> {
    *why = std::move(text);
    return std::nullopt;
  };
  if (in.size() < 4) return fail("no cookie");
  uint32_t cookie = LoadLE32(in.data());
  size_t pos = 4, count = 0;
  std::string_view run_flags;
  if ((cookie & 0xFFFF) == kCookieRuns) {
    count = (cookie >> 16) + 1;
    run_flags = in.substr(pos, (count + 7) / 8);
    if (run_flags.size() != (count + 7) / 8) return fail("truncated run flags");
    pos += run_flags.size();
  } else if (cookie == kCookieNoRuns) {
    if (in.size() < 8) return fail("truncated container count");
    count = LoadLE32(in.data() + 4);
    pos = 8;
    if (count > 65536) return fail(fmt::format("{} containers (at most 65536)", count));
  } else {
    return fail(fmt::format("cookie {} (expected {} or {})", cookie, kCookieNoRuns, kCookieRuns));
  }
  bool has_offsets = run_flags.empty() || count >= 4;
  size_t header = count * 4 + (has_offsets ? count * 4 : 0);
  if (in.size() - pos < header) return fail("truncated container headers");
  const char* keys = in.data() + pos;
  const char* offsets = keys + count * 4;
  pos += header;
  for (size_t c = 0; c < count; ++c) {
    uint32_t key = LoadLE16(keys + 4 * c);
    uint32_t card = uint32_t{LoadLE16(keys + 4 * c + 2)} + 1;
    if (c > 0 && key <= LoadLE16(keys + 4 * (c - 1))) return fail("container keys out of order");
    if (has_offsets && LoadLE32(offsets + 4 * c) != pos) {
      return fail(fmt::format("container {} offset {} (it starts at {})", c,
                              LoadLE32(offsets + 4 * c), pos));
    }
    bool is_run = !run_flags.empty() && (static_cast<uint8_t>(run_flags[c / 8]) >> (c % 8)) & 1;
    uint32_t seen = 0;
    if (is_run) {
      if (in.size() - pos < 2) return fail("truncated run count");
      uint32_t runs = LoadLE16(in.data() + pos);
      pos += 2;
      if (in.size() - pos < size_t{runs} * 4) return fail("truncated runs");
      int64_t previous_end = -1;
      for (uint32_t r = 0; r < runs; ++r) {
        uint32_t start = LoadLE16(in.data() + pos + 4 * r);
        uint32_t length = LoadLE16(in.data() + pos + 4 * r + 2);
        if (static_cast<int64_t>(start) <= previous_end || start + length > 0xFFFF) {
          return fail(fmt::format("container {}: run {} overlaps or overflows", c, r));
        }
        previous_end = start + length;
        seen += length + 1;
      }
      pos += size_t{runs} * 4;
    } else if (card <= 4096) {
      if (in.size() - pos < size_t{card} * 2) return fail("truncated array container");
      int64_t previous = -1;
      for (uint32_t v = 0; v < card; ++v) {
        uint16_t value = LoadLE16(in.data() + pos + 2 * v);
        if (value <= previous) return fail(fmt::format("container {}: values out of order", c));
        previous = value;
      }
      seen = card;
      pos += size_t{card} * 2;
    } else {
      if (in.size() - pos < 8192) return fail("truncated bitset container");
      for (size_t w = 0; w < 8192; ++w) {
        seen += static_cast<uint32_t>(__builtin_popcount(static_cast<uint8_t>(in[pos + w])));
      }
      pos += 8192;
    }
    if (seen != card) {
      return fail(fmt::format("container {} holds {} values, its header says {}", c, seen, card));
    }
    *cardinality += card;
  }
  return pos;
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
    uint64_t n = 0;
    std::string why;
    std::optional<size_t> used = CheckPortableBitmap(bytes.substr(pos), &n, &why);
    RoaringPtr bitmap(used ? roaring_bitmap_portable_deserialize_safe(bytes.data() + pos, *used)
                           : nullptr);
    if (!bitmap || roaring_bitmap_get_cardinality(bitmap.get()) != n) {
      return Status::Corruption(
          fmt::format("RoaringBitmapArray bitmap {} (key {}) at byte {} is malformed: {}", i, key,
                      pos, used ? "CRoaring rejected it" : why));
    }
    pos += *used;
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
  if (num_rows == 0) return;
  // Inclusive bounds, so that row index 2^64-1 (key 2^32-1) does not overflow.
  uint64_t last = first_row + (num_rows - 1);
  for (const Bucket& b : *buckets_) {
    if (b.key < (first_row >> 32) || b.key > (last >> 32)) continue;
    uint64_t base = uint64_t{b.key} << 32;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(b.bitmap.get(), &it);
    uint32_t low = first_row > base ? static_cast<uint32_t>(first_row - base) : 0;
    if (!roaring_move_uint32_iterator_equalorlarger(&it, low)) continue;
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
      uint64_t row = base + it.current_value;
      if (row > last) break;
      keep[row - first_row] = 0;
    }
  }
}

}  // namespace rs::delta
