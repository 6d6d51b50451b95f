// SortedDictionary(): each thread encodes a contiguous slice of rows with its
// own open-addressing table (local ids in first-seen order); the slices'
// distinct values are merged and sorted, and a final parallel pass maps local
// ids to sorted ids. One hash lookup per row (none inside runs of equal values).
#include "common/dictionary.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include "common/parallel.h"

namespace rs {
namespace {

// A string of at most 16 bytes as two words (fixed-size loads, possibly
// overlapping: with the length, they determine the string).
struct Words {
  uint64_t lo = 0, hi = 0;
};

Words ShortWords(std::string_view s) {
  Words w;
  const char* p = s.data();
  size_t n = s.size();
  if (n >= 8) {
    std::memcpy(&w.lo, p, 8);
    std::memcpy(&w.hi, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w.lo = a;
    w.hi = b;
  } else if (n > 0) {
    w.lo = static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) << 8 |
           static_cast<uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
  }
  return w;
}

// Hash of a string; short strings (symbols, strategy names) are read as two
// words instead of going through the byte-at-a-time general hash.
uint64_t HashOf(std::string_view s) {
  if (s.size() > 16) return std::hash<std::string_view>{}(s);
  Words w = ShortWords(s);
  uint64_t h = (w.lo ^ (static_cast<uint64_t>(s.size()) << 56)) * 0x9E3779B97F4A7C15ULL;
  h ^= (w.hi + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 32);
}

// a == b; short strings compare as two words, without a library call.
bool Equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return std::memcmp(a.data(), b.data(), a.size()) == 0;
  Words x = ShortWords(a), y = ShortWords(b);
  return x.lo == y.lo && x.hi == y.hi;
}

// Open addressing with linear probing, string_view keys into the caller's
// column (which outlives the table), dense ids in first-insertion order.
class LocalIndex {
 public:
  LocalIndex() { Rehash(64); }

  int32_t FindOrInsert(std::string_view key) {
    uint64_t h = HashOf(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = {key, h, static_cast<int32_t>(keys_.size())};
        keys_.push_back(key);
        if (keys_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
        return static_cast<int32_t>(keys_.size() - 1);
      }
      if (slot.hash == h && Equal(slot.key, key)) return slot.id;
    }
  }

  const std::vector<std::string_view>& keys() const { return keys_; }

 private:
  struct Slot {
    std::string_view key;
    uint64_t hash = 0;
    int32_t id = -1;
  };

  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& s : old) {
      if (s.id < 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].id >= 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<std::string_view> keys_;
  size_t mask_ = 0;
};

}  // namespace

std::vector<std::string> SortedDictionary(const std::vector<std::string>& values, int threads,
                                          std::vector<int32_t>* ids) {
  size_t n = values.size();
  ids->resize(n);
  size_t slices = static_cast<size_t>(std::max(threads, 1));
  size_t grain = std::max<size_t>((n + slices - 1) / slices, 1);
  slices = n == 0 ? 0 : (n + grain - 1) / grain;
  std::vector<LocalIndex> local(slices);
  ParallelForChunks(n, grain, threads, [&](size_t lo, size_t hi) {
    LocalIndex& index = local[lo / grain];
    for (size_t row = lo; row < hi; ++row) {
      bool same = row > lo && Equal(values[row], values[row - 1]);
      (*ids)[row] = same ? (*ids)[row - 1] : index.FindOrInsert(values[row]);
    }
  });

  std::vector<std::string_view> all;
  for (const LocalIndex& index : local) {
    all.insert(all.end(), index.keys().begin(), index.keys().end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());

  std::vector<std::vector<int32_t>> to_sorted(slices);
  for (size_t s = 0; s < slices; ++s) {
    for (std::string_view key : local[s].keys()) {
      auto it = std::lower_bound(all.begin(), all.end(), key);
      to_sorted[s].push_back(static_cast<int32_t>(it - all.begin()));
    }
  }
  ParallelForChunks(n, grain, threads, [&](size_t lo, size_t hi) {
    const std::vector<int32_t>& map = to_sorted[lo / grain];
    for (size_t row = lo; row < hi; ++row) (*ids)[row] = map[(*ids)[row]];
  });
  return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace rs
