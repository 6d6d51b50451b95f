#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "parquet/encoding_writer_internal.h"
#include "parquet/metadata_internal.h"
#include "parquet/writer_column_internal.h"

namespace rs::parquet {
namespace {

// Statistics longer than this are left out of the footer (not truncated).
constexpr size_t kMaxFooterStatBytes = 4096;

// After this many values of a chunk, a dictionary holding more than 3 in 4
// of them is given up: its entries cost what the plain values would and the
// indices come on top (scores and percentiles: nearly every value distinct),
// so hashing the rest of the chunk would buy a larger file.
constexpr size_t kDictionaryProbeValues = 16384;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Distinct values of a chunk in insertion order. Map nodes never move, so
// `entries` may point at the keys.
class Dictionary {
 public:
  uint32_t Insert(std::string_view value) {
    if (last_ != nullptr && *last_ == value) return last_index_;
    auto it = map_.find(value);
    if (it == map_.end()) {
      it = map_.emplace(std::string(value), static_cast<uint32_t>(entries_.size())).first;
      entries_.push_back(&it->first);
      plain_bytes_ += 4 + static_cast<int64_t>(value.size());
    }
    last_ = &it->first;
    last_index_ = it->second;
    return it->second;
  }
  void Clear() {
    map_.clear();
    entries_.clear();
    plain_bytes_ = 0;
    last_ = nullptr;
  }
  const std::vector<const std::string*>& entries() const { return entries_; }
  int64_t plain_bytes() const { return plain_bytes_; }

 private:
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> map_;
  std::vector<const std::string*> entries_;
  int64_t plain_bytes_ = 0;
  const std::string* last_ = nullptr;
  uint32_t last_index_ = 0;
};

// Distinct fixed-width values (INT32, INT64, FLOAT, DOUBLE) by bit pattern,
// in insertion order. Consecutive repeats (dates, counts) skip the hash. An
// open-addressing table of entry numbers (linear probing, at most half
// full): a node-based map allocated and freed a node per distinct value, a
// quarter of the CPU time of a whole run at 1,000 symbols.
class NumericDictionary {
 public:
  uint32_t Insert(uint64_t bits) {
    if (has_last_ && bits == last_) return last_index_;
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    size_t i = Slot(bits);
    uint32_t index;
    for (;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) {  // not there: the next entry number
        index = static_cast<uint32_t>(entries_.size());
        entries_.push_back(bits);
        slots_[i] = index + 1;
        break;
      }
      if (entries_[slot - 1] == bits) {
        index = slot - 1;
        break;
      }
    }
    has_last_ = true;
    last_ = bits;
    last_index_ = index;
    return index;
  }
  void Clear() {
    if (!entries_.empty()) std::fill(slots_.begin(), slots_.end(), 0);
    entries_.clear();
    has_last_ = false;
  }
  const std::vector<uint64_t>& entries() const { return entries_; }

 private:
  // Fibonacci hashing: the top bits of the product, spread for any pattern.
  size_t Slot(uint64_t bits) const {
    return static_cast<size_t>((bits * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Grow() {
    const size_t size = slots_.empty() ? 256 : slots_.size() * 2;
    shift_ = 64 - std::countr_zero(size);
    slots_.assign(size, 0);
    const size_t mask = size - 1;
    for (size_t e = 0; e < entries_.size(); ++e) {
      size_t i = Slot(entries_[e]);
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<uint32_t>(e + 1);
    }
  }

  std::vector<uint32_t> slots_;  // entry number + 1; 0 = free
  int shift_ = 64;
  std::vector<uint64_t> entries_;
  bool has_last_ = false;
  uint64_t last_ = 0;
  uint32_t last_index_ = 0;
};

template <typename T>
uint64_t ToBits(T v) {
  if constexpr (sizeof(T) == 4) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return b;
  } else {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }
}

template <typename T>
T FromBits(uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof(T));  // little-endian: the low bytes
  return v;
}

size_t FixedWidth(LeafStorage s) {
  switch (s) {
    case LeafStorage::kInt32:
    case LeafStorage::kFloat: return 4;
    case LeafStorage::kInt64:
    case LeafStorage::kDouble: return 8;
    default: return 0;
  }
}

Value::Kind ExpectedKind(LeafStorage s) {
  switch (s) {
    case LeafStorage::kBool: return Value::Kind::kBool;
    case LeafStorage::kInt32:
    case LeafStorage::kInt64: return Value::Kind::kInt;
    case LeafStorage::kFloat: return Value::Kind::kFloat;
    case LeafStorage::kDouble: return Value::Kind::kDouble;
    default: return Value::Kind::kBytes;
  }
}

}  // namespace

struct ColumnChunkWriter::State {
  LeafColumn leaf;
  int64_t page_bytes;
  int64_t dictionary_limit;
  bool has_levels;
  bool dictionary_allowed;
  bool dict_mode;

  std::vector<int16_t> def;
  std::vector<int16_t> rep;
  std::vector<uint8_t> bools;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<float> f32;
  std::vector<double> f64;
  std::string heap;           // PLAIN-mode bytes, concatenated
  std::vector<uint64_t> ends; // end offset of each value in heap (kBytes)
  Dictionary dict;             // kBytes
  NumericDictionary num_dict;  // fixed-width numbers
  std::vector<uint32_t> indices;

  // Scratch buffers reused across pages.
  std::string page;
  std::string compressed;

  size_t NumValues() const;
  size_t NumEntries() const { return has_levels ? def.size() : NumValues(); }
  void AppendBytes(std::string_view v);
  template <typename T>
  std::vector<T>& Vec();
  template <typename T>
  void AppendNumbers(const std::vector<T>& src, const std::vector<uint8_t>& validity, size_t begin,
                     size_t end);
  template <typename T>
  void AppendNumber(T v);
  template <typename T>
  void NumbersToPlain();
  template <typename T>
  std::vector<T> NumericValues() const;
  size_t DictSize() const {
    return leaf.storage == LeafStorage::kBytes ? dict.entries().size() : num_dict.entries().size();
  }
  int64_t DictPlainBytes() const {
    return leaf.storage == LeafStorage::kBytes
               ? dict.plain_bytes()
               : static_cast<int64_t>(num_dict.entries().size() * FixedWidth(leaf.storage));
  }
  bool DictionaryNotWorthIt() const {
    return DictPlainBytes() > dictionary_limit ||
           (indices.size() == kDictionaryProbeValues && DictSize() * 4 > indices.size() * 3);
  }
  Status AppendFixedBytes(std::string_view v);
  void FallBackToPlain();
  void Reset();

  // Flush steps.
  struct PageRange {
    size_t entry_begin, entry_end, value_begin, value_end;
  };
  std::string_view BytesAt(size_t i) const;
  LeafStats Stats() const;
  std::vector<PageRange> PlanPages(bool use_dict, int dict_bits) const;
  void EncodePage(const PageRange& r, bool use_dict, int dict_bits);
  Status WritePage(Compressor* compressor, format::PageHeader* header, std::string* file,
                   format::ColumnMetaData* meta);
};

size_t ColumnChunkWriter::State::NumValues() const {
  switch (leaf.storage) {
    case LeafStorage::kBool: return bools.size();
    case LeafStorage::kInt32: return dict_mode ? indices.size() : i32.size();
    case LeafStorage::kInt64: return dict_mode ? indices.size() : i64.size();
    case LeafStorage::kFloat: return dict_mode ? indices.size() : f32.size();
    case LeafStorage::kDouble: return dict_mode ? indices.size() : f64.size();
    case LeafStorage::kBytes: return dict_mode ? indices.size() : ends.size();
    case LeafStorage::kFixedBytes: return heap.size() / static_cast<size_t>(leaf.type_length);
  }
  return 0;
}

void ColumnChunkWriter::State::AppendBytes(std::string_view v) {
  if (dict_mode) {
    indices.push_back(dict.Insert(v));
    if (DictionaryNotWorthIt()) FallBackToPlain();
    return;
  }
  heap.append(v.data(), v.size());
  ends.push_back(heap.size());
}

// Decimals wider than 18 digits arrive as big-endian two's complement of any
// length; the column stores exactly type_length bytes, sign-extended.
Status ColumnChunkWriter::State::AppendFixedBytes(std::string_view v) {
  const size_t width = static_cast<size_t>(leaf.type_length);
  const bool negative = !v.empty() && (static_cast<uint8_t>(v[0]) & 0x80) != 0;
  const char fill = negative ? '\xff' : '\0';
  while (v.size() > width && v[0] == fill &&
         ((static_cast<uint8_t>(v[1]) & 0x80) != 0) == negative) {
    v.remove_prefix(1);
  }
  if (v.size() > width) {
    return Status::InvalidArgument("column " + leaf.path.back() + ": decimal of " +
                                   std::to_string(v.size()) + " bytes exceeds precision " +
                                   std::to_string(leaf.type.precision));
  }
  heap.append(width - v.size(), fill);
  heap.append(v.data(), v.size());
  return Status::OK();
}

template <> std::vector<int32_t>& ColumnChunkWriter::State::Vec<int32_t>() { return i32; }
template <> std::vector<int64_t>& ColumnChunkWriter::State::Vec<int64_t>() { return i64; }
template <> std::vector<float>& ColumnChunkWriter::State::Vec<float>() { return f32; }
template <> std::vector<double>& ColumnChunkWriter::State::Vec<double>() { return f64; }

template <typename T>
void ColumnChunkWriter::State::AppendNumber(T v) {
  if (!dict_mode) {
    Vec<T>().push_back(v);
    return;
  }
  indices.push_back(num_dict.Insert(ToBits(v)));
  if (DictionaryNotWorthIt()) FallBackToPlain();
}

template <typename T>
std::vector<T> ColumnChunkWriter::State::NumericValues() const {
  std::vector<T> out;
  out.reserve(num_dict.entries().size());
  for (uint64_t bits : num_dict.entries()) out.push_back(FromBits<T>(bits));
  return out;
}

template <typename T>
void ColumnChunkWriter::State::NumbersToPlain() {
  std::vector<T>& dst = Vec<T>();
  dst.reserve(indices.size());
  for (uint32_t index : indices) dst.push_back(FromBits<T>(num_dict.entries()[index]));
}

void ColumnChunkWriter::State::FallBackToPlain() {
  dict_mode = false;
  switch (leaf.storage) {
    case LeafStorage::kInt32: NumbersToPlain<int32_t>(); break;
    case LeafStorage::kInt64: NumbersToPlain<int64_t>(); break;
    case LeafStorage::kFloat: NumbersToPlain<float>(); break;
    case LeafStorage::kDouble: NumbersToPlain<double>(); break;
    default: break;
  }
  num_dict.Clear();
  if (leaf.storage != LeafStorage::kBytes) {
    indices.clear();
    return;
  }
  heap.clear();
  ends.clear();
  ends.reserve(indices.size());
  for (uint32_t index : indices) {
    const std::string& s = *dict.entries()[index];
    heap.append(s);
    ends.push_back(heap.size());
  }
  indices.clear();
  dict.Clear();
}

void ColumnChunkWriter::State::Reset() {
  def.clear();
  rep.clear();
  bools.clear();
  i32.clear();
  i64.clear();
  f32.clear();
  f64.clear();
  heap.clear();
  ends.clear();
  indices.clear();
  dict.Clear();
  num_dict.Clear();
  dict_mode = dictionary_allowed;
}

ColumnChunkWriter::ColumnChunkWriter(const LeafColumn& leaf, const WriterOptions& options)
    : s_(std::make_unique<State>()) {
  s_->leaf = leaf;
  s_->page_bytes = std::max<int64_t>(options.page_bytes, 1);
  s_->dictionary_limit = options.dictionary_bytes_limit;
  s_->has_levels = leaf.max_def > 0 || leaf.max_rep > 0;
  // Booleans gain nothing; wide decimals stay PLAIN to keep one fixed-bytes path.
  s_->dictionary_allowed = options.dictionary_enabled && leaf.storage != LeafStorage::kBool &&
                           leaf.storage != LeafStorage::kFixedBytes;
  s_->dict_mode = s_->dictionary_allowed;
}

ColumnChunkWriter::~ColumnChunkWriter() = default;
ColumnChunkWriter::ColumnChunkWriter(ColumnChunkWriter&&) noexcept = default;

namespace {

template <typename T>
void AppendTyped(const std::vector<T>& src, const std::vector<uint8_t>& validity, size_t begin,
                 size_t end, std::vector<T>* dst) {
  if (validity.empty()) {
    dst->insert(dst->end(), src.begin() + static_cast<ptrdiff_t>(begin),
                src.begin() + static_cast<ptrdiff_t>(end));
    return;
  }
  for (size_t r = begin; r < end; ++r) {
    if (validity[r] != 0) dst->push_back(src[r]);
  }
}

}  // namespace

template <typename T>
void ColumnChunkWriter::State::AppendNumbers(const std::vector<T>& src,
                                             const std::vector<uint8_t>& validity, size_t begin,
                                             size_t end) {
  if (!dict_mode) {
    AppendTyped(src, validity, begin, end, &Vec<T>());
    return;
  }
  for (size_t r = begin; r < end; ++r) {
    if (validity.empty() || validity[r] != 0) AppendNumber(src[r]);
  }
}

Status ColumnChunkWriter::AppendFlat(const ColumnVector& column, size_t begin, size_t end) {
  State& s = *s_;
  const auto& validity = column.validity;
  if (s.has_levels) {
    if (validity.empty()) {
      s.def.insert(s.def.end(), end - begin, s.leaf.max_def);
    } else {
      for (size_t r = begin; r < end; ++r) s.def.push_back(validity[r] != 0 ? s.leaf.max_def : 0);
    }
  }
  switch (s.leaf.storage) {
    case LeafStorage::kBool: AppendTyped(column.As<uint8_t>(), validity, begin, end, &s.bools); break;
    case LeafStorage::kInt32: s.AppendNumbers(column.As<int32_t>(), validity, begin, end); break;
    case LeafStorage::kInt64: s.AppendNumbers(column.As<int64_t>(), validity, begin, end); break;
    case LeafStorage::kFloat: s.AppendNumbers(column.As<float>(), validity, begin, end); break;
    case LeafStorage::kDouble: s.AppendNumbers(column.As<double>(), validity, begin, end); break;
    case LeafStorage::kBytes: {
      const auto& v = column.As<std::string>();
      for (size_t r = begin; r < end; ++r) {
        if (validity.empty() || validity[r] != 0) s.AppendBytes(v[r]);
      }
      break;
    }
    case LeafStorage::kFixedBytes: {
      const auto& v = column.As<std::string>();
      for (size_t r = begin; r < end; ++r) {
        if (validity.empty() || validity[r] != 0) RS_RETURN_IF_ERROR(s.AppendFixedBytes(v[r]));
      }
      break;
    }
  }
  return Status::OK();
}

Status ColumnChunkWriter::AppendValue(int16_t rep, const Value& value) {
  State& s = *s_;
  if (value.kind != ExpectedKind(s.leaf.storage)) {
    std::string path;
    for (const auto& p : s.leaf.path) path += (path.empty() ? "" : ".") + p;
    return Status::InvalidArgument("field " + path + ": got a " + std::string(KindName(value.kind)) +
                                   " value, expected " + std::string(KindName(ExpectedKind(s.leaf.storage))));
  }
  switch (s.leaf.storage) {
    case LeafStorage::kBool: s.bools.push_back(value.b ? 1 : 0); break;
    case LeafStorage::kInt32: s.AppendNumber(static_cast<int32_t>(value.i)); break;
    case LeafStorage::kInt64: s.AppendNumber(value.i); break;
    case LeafStorage::kFloat: s.AppendNumber(value.f); break;
    case LeafStorage::kDouble: s.AppendNumber(value.d); break;
    case LeafStorage::kBytes: s.AppendBytes(value.bytes); break;
    case LeafStorage::kFixedBytes: RS_RETURN_IF_ERROR(s.AppendFixedBytes(value.bytes)); break;
  }
  if (s.has_levels) s.def.push_back(s.leaf.max_def);
  if (s.leaf.max_rep > 0) s.rep.push_back(rep);
  return Status::OK();
}

void ColumnChunkWriter::AppendNull(int16_t def, int16_t rep) {
  s_->def.push_back(def);
  if (s_->leaf.max_rep > 0) s_->rep.push_back(rep);
}

int64_t ColumnChunkWriter::EstimatedBytes() const {
  const State& s = *s_;
  int64_t levels = static_cast<int64_t>(s.def.size() + s.rep.size()) / 4;
  switch (s.leaf.storage) {
    case LeafStorage::kBool: return levels + static_cast<int64_t>(s.bools.size()) / 8;
    case LeafStorage::kBytes:
      if (s.dict_mode) {
        int bits = std::max(1, encode::BitWidth(s.dict.entries().size()));
        return levels + s.dict.plain_bytes() +
               static_cast<int64_t>(s.indices.size()) * bits / 8;
      }
      return levels + static_cast<int64_t>(s.heap.size() + 4 * s.ends.size());
    case LeafStorage::kFixedBytes: return levels + static_cast<int64_t>(s.heap.size());
    default:
      if (s.dict_mode) {
        int bits = std::max(1, encode::BitWidth(s.DictSize()));
        return levels + s.DictPlainBytes() + static_cast<int64_t>(s.indices.size()) * bits / 8;
      }
      return levels + static_cast<int64_t>(s.NumValues() * FixedWidth(s.leaf.storage));
  }
}

// ---------------------------------------------------------------------------
// Statistics of the buffered chunk

namespace {

template <typename T>
void IntegerMinMax(const std::vector<T>& v, LeafStats* st) {
  if (v.empty()) return;
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  st->min = Value::Int(*lo);
  st->max = Value::Int(*hi);
}

// NaN is skipped; a zero minimum is written as -0.0 and a zero maximum as
// +0.0, so readers filtering on either zero keep the chunk.
template <typename T>
bool FloatMinMax(const std::vector<T>& v, T* lo, T* hi) {
  bool any = false;
  for (T x : v) {
    if (std::isnan(x)) continue;
    if (!any || x < *lo) *lo = x;
    if (!any || x > *hi) *hi = x;
    any = true;
  }
  if (!any) return false;
  if (*lo == 0) *lo = -T(0);
  if (*hi == 0) *hi = T(0);
  return true;
}

template <typename Get>
void BytesMinMax(size_t n, Get get, LeafStorage storage, LeafStats* st) {
  if (n == 0) return;
  std::string_view lo = get(0), hi = get(0);
  Value a, b;
  a.kind = b.kind = Value::Kind::kBytes;
  for (size_t i = 1; i < n; ++i) {
    std::string_view x = get(i);
    if (storage == LeafStorage::kBytes) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      continue;
    }
    a.bytes.assign(x);
    b.bytes.assign(lo);
    if (CompareStat(a, b, storage) < 0) lo = x;
    b.bytes.assign(hi);
    if (CompareStat(a, b, storage) > 0) hi = x;
  }
  st->min = Value::Bytes(std::string(lo));
  st->max = Value::Bytes(std::string(hi));
}

}  // namespace

std::string_view ColumnChunkWriter::State::BytesAt(size_t i) const {
  if (leaf.storage == LeafStorage::kFixedBytes) {
    size_t w = static_cast<size_t>(leaf.type_length);
    return std::string_view(heap).substr(i * w, w);
  }
  if (dict_mode) return *dict.entries()[indices[i]];
  size_t begin = i == 0 ? 0 : ends[i - 1];
  return std::string_view(heap).substr(begin, ends[i] - begin);
}

LeafStats ColumnChunkWriter::State::Stats() const {
  LeafStats st;
  st.null_count = static_cast<int64_t>(NumEntries() - NumValues());
  switch (leaf.storage) {
    case LeafStorage::kBool:
      if (!bools.empty()) {
        bool any_false = std::find(bools.begin(), bools.end(), 0) != bools.end();
        bool any_true = std::find_if(bools.begin(), bools.end(), [](uint8_t b) { return b != 0; }) !=
                        bools.end();
        st.min = Value::Bool(!any_false);
        st.max = Value::Bool(any_true);
      }
      break;
    // In dictionary mode the distinct values are the dictionary entries.
    case LeafStorage::kInt32: IntegerMinMax(dict_mode ? NumericValues<int32_t>() : i32, &st); break;
    case LeafStorage::kInt64: IntegerMinMax(dict_mode ? NumericValues<int64_t>() : i64, &st); break;
    case LeafStorage::kFloat: {
      float lo = 0, hi = 0;
      if (FloatMinMax(dict_mode ? NumericValues<float>() : f32, &lo, &hi)) {
        st.min = Value::Float(lo), st.max = Value::Float(hi);
      }
      break;
    }
    case LeafStorage::kDouble: {
      double lo = 0, hi = 0;
      if (FloatMinMax(dict_mode ? NumericValues<double>() : f64, &lo, &hi)) {
        st.min = Value::Double(lo), st.max = Value::Double(hi);
      }
      break;
    }
    case LeafStorage::kBytes:
      if (dict_mode) {
        const auto& e = dict.entries();
        BytesMinMax(e.size(), [&](size_t i) { return std::string_view(*e[i]); }, leaf.storage, &st);
      } else {
        BytesMinMax(NumValues(), [&](size_t i) { return BytesAt(i); }, leaf.storage, &st);
      }
      break;
    case LeafStorage::kFixedBytes:
      BytesMinMax(NumValues(), [&](size_t i) { return BytesAt(i); }, leaf.storage, &st);
      break;
  }
  return st;
}

// ---------------------------------------------------------------------------
// Pages

// Splits the chunk into pages of about page_bytes of values. Pages start at
// record boundaries (repetition level 0), as readers of nested data expect.
std::vector<ColumnChunkWriter::State::PageRange> ColumnChunkWriter::State::PlanPages(
    bool use_dict, int dict_bits) const {
  const size_t entries = NumEntries();
  const int64_t budget_bits = page_bytes * 8;
  int64_t fixed_bits = 0;
  if (use_dict) {
    fixed_bits = dict_bits;
  } else if (leaf.storage == LeafStorage::kBool) {
    fixed_bits = 1;
  } else if (leaf.storage == LeafStorage::kFixedBytes) {
    fixed_bits = int64_t{leaf.type_length} * 8;
  } else if (leaf.storage != LeafStorage::kBytes) {
    fixed_bits = static_cast<int64_t>(FixedWidth(leaf.storage)) * 8;
  }
  std::vector<PageRange> pages;
  size_t e = 0, v = 0;
  while (e < entries) {
    PageRange r{e, e, v, v};
    int64_t bits = 0;
    while (r.entry_end < entries) {
      bool present = !has_levels || def[r.entry_end] == leaf.max_def;
      ++r.entry_end;
      if (present) {
        bits += fixed_bits > 0 ? fixed_bits
                               : (4 + static_cast<int64_t>(BytesAt(r.value_end).size())) * 8;
        ++r.value_end;
      }
      if (bits >= budget_bits && (rep.empty() || r.entry_end == entries || rep[r.entry_end] == 0)) {
        break;
      }
    }
    pages.push_back(r);
    e = r.entry_end;
    v = r.value_end;
  }
  return pages;
}

void ColumnChunkWriter::State::EncodePage(const PageRange& r, bool use_dict, int dict_bits) {
  page.clear();
  const size_t n_entries = r.entry_end - r.entry_begin;
  const size_t n_values = r.value_end - r.value_begin;
  if (leaf.max_rep > 0) {
    encode::AppendLevels(rep.data() + r.entry_begin, n_entries, encode::BitWidth(leaf.max_rep),
                         &page);
  }
  if (leaf.max_def > 0) {
    encode::AppendLevels(def.data() + r.entry_begin, n_entries, encode::BitWidth(leaf.max_def),
                         &page);
  }
  if (use_dict) {
    page.push_back(static_cast<char>(dict_bits));
    encode::AppendRleHybrid(indices.data() + r.value_begin, n_values, dict_bits, &page);
    return;
  }
  switch (leaf.storage) {
    case LeafStorage::kBool:
      encode::AppendPlainBooleans(bools.data() + r.value_begin, n_values, &page);
      break;
    case LeafStorage::kInt32: encode::AppendPlainFixed(i32.data() + r.value_begin, n_values, 4, &page); break;
    case LeafStorage::kInt64: encode::AppendPlainFixed(i64.data() + r.value_begin, n_values, 8, &page); break;
    case LeafStorage::kFloat: encode::AppendPlainFixed(f32.data() + r.value_begin, n_values, 4, &page); break;
    case LeafStorage::kDouble: encode::AppendPlainFixed(f64.data() + r.value_begin, n_values, 8, &page); break;
    case LeafStorage::kBytes:
      for (size_t i = r.value_begin; i < r.value_end; ++i) encode::AppendPlainByteArray(BytesAt(i), &page);
      break;
    case LeafStorage::kFixedBytes:
      for (size_t i = r.value_begin; i < r.value_end; ++i) page.append(BytesAt(i));
      break;
  }
}

// Compresses `page`, then appends header and body to `file`, counting sizes.
Status ColumnChunkWriter::State::WritePage(Compressor* compressor, format::PageHeader* header,
                                           std::string* file, format::ColumnMetaData* meta) {
  if (page.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::InvalidArgument("page of " + std::to_string(page.size()) +
                                   " bytes exceeds the 2 GiB Parquet limit");
  }
  RS_RETURN_IF_ERROR(compressor->Compress(page, &compressed));
  header->__set_uncompressed_page_size(static_cast<int32_t>(page.size()));
  header->__set_compressed_page_size(static_cast<int32_t>(compressed.size()));
  size_t before = file->size();
  RS_RETURN_IF_ERROR(SerializeThrift(*header, file));
  int64_t header_bytes = static_cast<int64_t>(file->size() - before);
  file->append(compressed);
  meta->total_uncompressed_size += header_bytes + static_cast<int64_t>(page.size());
  meta->total_compressed_size += header_bytes + static_cast<int64_t>(compressed.size());
  return Status::OK();
}

namespace {

format::Statistics FooterStatistics(const LeafStats& st, const LeafColumn& leaf) {
  format::Statistics out;
  out.__set_null_count(st.null_count);
  if (!st.min || !st.max) return out;
  std::string lo = EncodeStat(*st.min, leaf.storage);
  std::string hi = EncodeStat(*st.max, leaf.storage);
  if (lo.size() > kMaxFooterStatBytes || hi.size() > kMaxFooterStatBytes) return out;
  out.__set_min_value(lo);
  out.__set_max_value(hi);
  // The deprecated fields assume signed comparison: only where that is the order.
  if (leaf.signed_order && leaf.storage != LeafStorage::kFixedBytes) {
    out.__set_min(lo);
    out.__set_max(hi);
  }
  return out;
}

format::PageEncodingStats EncodingStat(format::PageType::type type, format::Encoding::type enc,
                                       int32_t count) {
  format::PageEncodingStats s;
  s.__set_page_type(type);
  s.__set_encoding(enc);
  s.__set_count(count);
  return s;
}

}  // namespace

Status ColumnChunkWriter::Flush(Compressor* compressor, std::string* file,
                                format::ColumnChunk* chunk, LeafStats* stats) {
  State& s = *s_;
  *stats = s.Stats();
  const bool use_dict = s.dict_mode && s.DictSize() > 0;
  const int dict_bits = use_dict ? std::max(1, encode::BitWidth(s.DictSize() - 1)) : 0;
  format::ColumnMetaData meta;
  meta.__set_type(s.leaf.physical_type);
  meta.__set_path_in_schema(s.leaf.path);
  meta.__set_codec(static_cast<format::CompressionCodec::type>(compressor->codec()));
  meta.__set_num_values(static_cast<int64_t>(s.NumEntries()));
  const int64_t chunk_start = static_cast<int64_t>(file->size());
  std::vector<format::PageEncodingStats> encoding_stats;
  if (use_dict) {
    s.page.clear();
    if (s.leaf.storage == LeafStorage::kBytes) {
      for (const std::string* e : s.dict.entries()) encode::AppendPlainByteArray(*e, &s.page);
    } else {
      const size_t width = FixedWidth(s.leaf.storage);
      for (uint64_t bits : s.num_dict.entries()) encode::AppendPlainFixed(&bits, 1, width, &s.page);
    }
    format::PageHeader header;
    header.__set_type(format::PageType::DICTIONARY_PAGE);
    format::DictionaryPageHeader dict_header;
    dict_header.__set_num_values(static_cast<int32_t>(s.DictSize()));
    dict_header.__set_encoding(format::Encoding::PLAIN);
    header.__set_dictionary_page_header(dict_header);
    meta.__set_dictionary_page_offset(chunk_start);
    RS_RETURN_IF_ERROR(s.WritePage(compressor, &header, file, &meta));
    encoding_stats.push_back(
        EncodingStat(format::PageType::DICTIONARY_PAGE, format::Encoding::PLAIN, 1));
  }
  meta.__set_data_page_offset(static_cast<int64_t>(file->size()));
  const auto value_encoding = use_dict ? format::Encoding::RLE_DICTIONARY : format::Encoding::PLAIN;
  std::vector<State::PageRange> pages = s.PlanPages(use_dict, dict_bits);
  for (const State::PageRange& r : pages) {
    s.EncodePage(r, use_dict, dict_bits);
    format::PageHeader header;
    header.__set_type(format::PageType::DATA_PAGE);
    format::DataPageHeader data_header;
    data_header.__set_num_values(static_cast<int32_t>(r.entry_end - r.entry_begin));
    data_header.__set_encoding(value_encoding);
    data_header.__set_definition_level_encoding(format::Encoding::RLE);
    data_header.__set_repetition_level_encoding(format::Encoding::RLE);
    header.__set_data_page_header(data_header);
    RS_RETURN_IF_ERROR(s.WritePage(compressor, &header, file, &meta));
  }
  encoding_stats.push_back(EncodingStat(format::PageType::DATA_PAGE, value_encoding,
                                        static_cast<int32_t>(pages.size())));
  std::vector<format::Encoding::type> encodings = {format::Encoding::PLAIN};
  if (use_dict) encodings.push_back(format::Encoding::RLE_DICTIONARY);
  if (s.has_levels) encodings.push_back(format::Encoding::RLE);
  meta.__set_encodings(encodings);
  meta.__set_encoding_stats(encoding_stats);
  meta.__set_statistics(FooterStatistics(*stats, s.leaf));
  chunk->__set_file_offset(chunk_start);
  chunk->__set_meta_data(meta);
  s.Reset();
  return Status::OK();
}

}  // namespace rs::parquet
