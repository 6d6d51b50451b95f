#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "parquet/compression_internal.h"
#include "parquet/decoding_internal.h"
#include "parquet/metadata_internal.h"
#include "parquet/reader_column_internal.h"
#include "parquet/reader_values_internal.h"

namespace rs::parquet {
namespace {

using format::Encoding;
using format::PageHeader;
using format::PageType;

bool IsDictionaryEncoding(Encoding::type e) {
  return e == Encoding::PLAIN_DICTIONARY || e == Encoding::RLE_DICTIONARY;
}

Status CheckCrc(const PageHeader& header, std::string_view body) {
  if (!header.__isset.crc) return Status::OK();
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  if (crc == static_cast<uint32_t>(header.crc)) return Status::OK();
  return Status::Corruption("CRC mismatch (stored " +
                            std::to_string(static_cast<uint32_t>(header.crc)) + ", computed " +
                            std::to_string(crc) + ")");
}

size_t CountDefined(const uint8_t* def, size_t n, int max_def) {
  size_t defined = 0;
  for (size_t i = 0; i < n; ++i) defined += def[i] == max_def;
  return defined;
}

// Moves the elements of `values` from `first` on whose keep byte is set
// (keep[i] for element first + i, i < n) to the front of that tail, in order,
// and drops the rest. Run by run: deleted rows are usually few.
template <typename T>
void KeepTail(std::vector<T>* values, size_t first, const uint8_t* keep, size_t n) {
  T* v = values->data() + first;
  size_t out = 0;
  size_t i = 0;
  while (i < n) {
    const void* zero = std::memchr(keep + i, 0, n - i);
    const size_t end = zero ? static_cast<size_t>(static_cast<const uint8_t*>(zero) - keep) : n;
    if (out != i) std::move(v + i, v + end, v + out);
    out += end - i;
    i = end;
    while (i < n && !keep[i]) ++i;
  }
  values->resize(first + out);
}

// Decodes the pages of one column chunk. Invariant: out_->def/rep hold
// out_->num_entries levels (when their maximum is non-zero) and out_->values
// one value per entry at the maximum definition level, counting only the
// entries of rows the selection keeps.
class ChunkDecoder {
 public:
  ChunkDecoder(const format::ColumnMetaData& meta, const LeafInfo& leaf,
               const RowSelection& selection, LeafData* out)
      : meta_(meta),
        leaf_(leaf),
        selection_(selection),
        out_(out),
        decompressor_(static_cast<Codec>(meta.codec)) {}

  Status Run(std::string_view chunk, int64_t chunk_offset);
  // Decodes the dictionary page at the front of `page`; nullopt when the
  // page there is not a dictionary page.
  Result<std::optional<ColumnVector>> DictionaryOnly(std::string_view page, int64_t page_offset);

 private:
  Status Page(const PageHeader& header, std::string_view body);
  Status Uncompress(std::string_view body, size_t size, std::string_view* out);
  Status DictionaryPage(const PageHeader& header, std::string_view body);
  Status DataPageV1(const PageHeader& header, std::string_view body);
  Status DataPageV2(const PageHeader& header, std::string_view body);
  Status Levels(std::string_view data, int max_level, size_t n, std::vector<uint8_t>* levels);
  Status LevelsV1(ByteCursor* cur, Encoding::type encoding, int max_level, size_t n,
                  std::vector<uint8_t>* levels);
  Status Values(Encoding::type encoding, std::string_view data, size_t n);
  Result<size_t> BeginEntries(int32_t num_values);
  size_t DefinedSince(size_t first_entry) const;
  Status SelectEntries(size_t first_entry, size_t defined);
  Result<const uint8_t*> EntryKeep(size_t first_entry, size_t n);

  const format::ColumnMetaData& meta_;
  const LeafInfo& leaf_;
  const RowSelection selection_;
  LeafData* out_;
  Decompressor decompressor_;
  std::optional<ColumnVector> dictionary_;
  std::string page_buffer_;
  PhysicalValues physical_;
  std::vector<uint32_t> indices_;
  int64_t entries_read_ = 0;
  // Selection state: rows begun so far in the chunk; whether the current
  // page drops entries, and then which of its defined values stay.
  int64_t rows_begun_ = 0;
  std::vector<uint8_t> entry_keep_;
  bool page_drops_ = false;
  const uint8_t* value_keep_ = nullptr;  // one per defined value of the page
  std::vector<uint8_t> value_keep_buffer_;
};

Status ChunkDecoder::Run(std::string_view chunk, int64_t chunk_offset) {
  if (!IsSupportedCodec(static_cast<Codec>(meta_.codec))) {
    return Status::Unimplemented("compression codec " + format::to_string(meta_.codec) +
                                 " is not supported");
  }
  if (meta_.num_values < 0 || meta_.num_values > kMaxChunkEntries) {
    return Status::Corruption("column chunk declares " + std::to_string(meta_.num_values) +
                              " values (limit " + std::to_string(kMaxChunkEntries) + ")");
  }
  if (leaf_.max_def > 255 || leaf_.max_rep > 255) {
    return Status::Unimplemented("nesting deeper than 255 levels");
  }
  size_t pos = 0;
  while (entries_read_ < meta_.num_values) {
    const std::string page_at = "page at offset " + std::to_string(chunk_offset + pos);
    if (pos >= chunk.size()) {
      return Status::Corruption("column chunk ends after " + std::to_string(entries_read_) +
                                " of " + std::to_string(meta_.num_values) + " values");
    }
    size_t header_size = 0;
    RS_ASSIGN_OR_RETURN_CTX(PageHeader header, DecodePageHeader(chunk.substr(pos), &header_size),
                            page_at);
    pos += header_size;
    const auto body_size = static_cast<size_t>(header.compressed_page_size);
    if (body_size > chunk.size() - pos) {
      return Status::Corruption(page_at + ": compressed size " + std::to_string(body_size) +
                                " exceeds the " + std::to_string(chunk.size() - pos) +
                                " bytes left in the column chunk");
    }
    const std::string_view body = chunk.substr(pos, body_size);
    pos += body_size;
    RS_RETURN_IF_ERROR_CTX(CheckCrc(header, body), page_at);
    RS_RETURN_IF_ERROR_CTX(Page(header, body), page_at);
  }
  return Status::OK();
}

Result<std::optional<ColumnVector>> ChunkDecoder::DictionaryOnly(std::string_view page,
                                                                 int64_t page_offset) {
  const std::string page_at = "page at offset " + std::to_string(page_offset);
  if (!IsSupportedCodec(static_cast<Codec>(meta_.codec))) {
    return Status::Unimplemented("compression codec " + format::to_string(meta_.codec) +
                                 " is not supported");
  }
  size_t header_size = 0;
  RS_ASSIGN_OR_RETURN_CTX(PageHeader header, DecodePageHeader(page, &header_size), page_at);
  if (header.type != PageType::DICTIONARY_PAGE) return std::optional<ColumnVector>();
  const auto body_size = static_cast<size_t>(header.compressed_page_size);
  if (body_size > page.size() - header_size) {
    return Status::Corruption(page_at + ": compressed size " + std::to_string(body_size) +
                              " exceeds the " + std::to_string(page.size() - header_size) +
                              " bytes before the first data page");
  }
  const std::string_view body = page.substr(header_size, body_size);
  RS_RETURN_IF_ERROR_CTX(CheckCrc(header, body), page_at);
  RS_RETURN_IF_ERROR_CTX(DictionaryPage(header, body), page_at);
  return std::move(dictionary_);
}

Status ChunkDecoder::Page(const PageHeader& header, std::string_view body) {
  switch (header.type) {
    case PageType::DICTIONARY_PAGE:
      return DictionaryPage(header, body);
    case PageType::DATA_PAGE:
      return DataPageV1(header, body);
    case PageType::DATA_PAGE_V2:
      return DataPageV2(header, body);
    default:
      return Status::OK();  // index pages and unknown types carry no values
  }
}

Status ChunkDecoder::Uncompress(std::string_view body, size_t size, std::string_view* out) {
  if (meta_.codec == format::CompressionCodec::UNCOMPRESSED) {
    if (body.size() != size) {
      return Status::Corruption("uncompressed page holds " + std::to_string(body.size()) +
                                " bytes, header says " + std::to_string(size));
    }
    *out = body;
    return Status::OK();
  }
  RS_RETURN_IF_ERROR(decompressor_.Decompress(body, size, &page_buffer_));
  *out = page_buffer_;
  return Status::OK();
}

Status ChunkDecoder::DictionaryPage(const PageHeader& header, std::string_view body) {
  if (!header.__isset.dictionary_page_header) {
    return Status::Corruption("dictionary page without a dictionary page header");
  }
  const auto& dict = header.dictionary_page_header;
  if (dict.encoding != Encoding::PLAIN && dict.encoding != Encoding::PLAIN_DICTIONARY) {
    return Status::Unimplemented("dictionary page encoding " + EncodingName(dict.encoding));
  }
  if (dict.num_values < 0 || leaf_.physical == format::Type::BOOLEAN) {
    return Status::Corruption("invalid dictionary page (" + std::to_string(dict.num_values) +
                              " values)");
  }
  std::string_view data;
  RS_RETURN_IF_ERROR(Uncompress(body, static_cast<size_t>(header.uncompressed_page_size), &data));
  physical_.Clear();
  RS_RETURN_IF_ERROR_CTX(DecodePhysical(Encoding::PLAIN, data, static_cast<size_t>(dict.num_values),
                                        leaf_, &physical_),
                         "dictionary page");
  dictionary_ = ColumnVector::Make(Field{leaf_.path, leaf_.type});
  return AppendConverted(physical_, leaf_, &*dictionary_);
}

Result<size_t> ChunkDecoder::BeginEntries(int32_t num_values) {
  if (num_values < 0 || num_values > meta_.num_values - entries_read_) {
    return Status::Corruption("page declares " + std::to_string(num_values) + " values, " +
                              std::to_string(meta_.num_values - entries_read_) +
                              " remain in the column chunk");
  }
  const size_t n = static_cast<size_t>(num_values);
  if (leaf_.max_rep > 0) out_->rep.resize(out_->num_entries + n);
  if (leaf_.max_def > 0) out_->def.resize(out_->num_entries + n);
  entries_read_ += num_values;
  return n;
}

size_t ChunkDecoder::DefinedSince(size_t first_entry) const {
  const size_t n = out_->num_entries - first_entry;
  if (leaf_.max_def == 0) return n;
  return CountDefined(out_->def.data() + first_entry, n, leaf_.max_def);
}

Status ChunkDecoder::Levels(std::string_view data, int max_level, size_t n,
                            std::vector<uint8_t>* levels) {
  return DecodeRleHybrid<uint8_t>(data, BitWidthFor(static_cast<uint64_t>(max_level)), n,
                                  static_cast<uint32_t>(max_level),
                                  levels->data() + out_->num_entries);
}

Status ChunkDecoder::LevelsV1(ByteCursor* cur, Encoding::type encoding, int max_level, size_t n,
                              std::vector<uint8_t>* levels) {
  if (max_level == 0) return Status::OK();
  if (encoding != Encoding::RLE) {
    return Status::Unimplemented("level encoding " + EncodingName(encoding));
  }
  std::string_view len_bytes, data;
  RS_RETURN_IF_ERROR_CTX(cur->ReadBytes(4, &len_bytes), "levels length");
  uint32_t len = 0;
  std::memcpy(&len, len_bytes.data(), 4);
  RS_RETURN_IF_ERROR_CTX(cur->ReadBytes(len, &data), "levels");
  return Levels(data, max_level, n, levels);
}

Status ChunkDecoder::DataPageV1(const PageHeader& header, std::string_view body) {
  if (!header.__isset.data_page_header) {
    return Status::Corruption("data page without a data page header");
  }
  const auto& h = header.data_page_header;
  std::string_view page;
  RS_RETURN_IF_ERROR(Uncompress(body, static_cast<size_t>(header.uncompressed_page_size), &page));
  const size_t first = out_->num_entries;
  RS_ASSIGN_OR_RETURN(size_t n, BeginEntries(h.num_values));
  ByteCursor cur(page);
  RS_RETURN_IF_ERROR_CTX(LevelsV1(&cur, h.repetition_level_encoding, leaf_.max_rep, n, &out_->rep),
                         "repetition levels");
  RS_RETURN_IF_ERROR_CTX(LevelsV1(&cur, h.definition_level_encoding, leaf_.max_def, n, &out_->def),
                         "definition levels");
  out_->num_entries += n;
  std::string_view values;
  RS_RETURN_IF_ERROR(cur.ReadBytes(cur.remaining(), &values));
  const size_t defined = DefinedSince(first);
  RS_RETURN_IF_ERROR(SelectEntries(first, defined));
  return Values(h.encoding, values, defined);
}

Status ChunkDecoder::DataPageV2(const PageHeader& header, std::string_view body) {
  if (!header.__isset.data_page_header_v2) {
    return Status::Corruption("data page v2 without a data page v2 header");
  }
  const auto& h = header.data_page_header_v2;
  const int64_t levels_size =
      int64_t{h.repetition_levels_byte_length} + h.definition_levels_byte_length;
  if (h.repetition_levels_byte_length < 0 || h.definition_levels_byte_length < 0 ||
      levels_size > static_cast<int64_t>(body.size()) ||
      levels_size > header.uncompressed_page_size) {
    return Status::Corruption("data page v2 level lengths (" +
                              std::to_string(h.repetition_levels_byte_length) + ", " +
                              std::to_string(h.definition_levels_byte_length) +
                              ") exceed the page");
  }
  const size_t first = out_->num_entries;
  RS_ASSIGN_OR_RETURN(size_t n, BeginEntries(h.num_values));
  const auto rep_len = static_cast<size_t>(h.repetition_levels_byte_length);
  const auto def_len = static_cast<size_t>(h.definition_levels_byte_length);
  if (leaf_.max_rep > 0) {
    RS_RETURN_IF_ERROR_CTX(Levels(body.substr(0, rep_len), leaf_.max_rep, n, &out_->rep),
                           "repetition levels");
  }
  if (leaf_.max_def > 0) {
    RS_RETURN_IF_ERROR_CTX(Levels(body.substr(rep_len, def_len), leaf_.max_def, n, &out_->def),
                           "definition levels");
  }
  out_->num_entries += n;
  const size_t defined = DefinedSince(first);
  if (h.num_nulls < 0 || static_cast<size_t>(h.num_nulls) != n - defined) {
    return Status::Corruption("data page v2 declares " + std::to_string(h.num_nulls) +
                              " nulls, its levels hold " + std::to_string(n - defined));
  }
  std::string_view values = body.substr(static_cast<size_t>(levels_size));
  const auto values_size = static_cast<size_t>(header.uncompressed_page_size - levels_size);
  if (!h.__isset.is_compressed || h.is_compressed) {
    RS_RETURN_IF_ERROR(Uncompress(values, values_size, &values));
  }
  RS_RETURN_IF_ERROR(SelectEntries(first, defined));
  return Values(h.encoding, values, defined);
}

Status ChunkDecoder::Values(Encoding::type encoding, std::string_view data, size_t n) {
  if (IsDictionaryEncoding(encoding)) {
    if (!dictionary_) return Status::Corruption("dictionary-encoded page without a dictionary page");
    const size_t dict_size = dictionary_->size();
    if (n == 0) return Status::OK();
    if (data.empty() || dict_size == 0) {
      return Status::Corruption("dictionary indices missing (dictionary of " +
                                std::to_string(dict_size) + " values)");
    }
    indices_.resize(n);
    RS_RETURN_IF_ERROR_CTX(
        DecodeRleHybrid<uint32_t>(data.substr(1), static_cast<uint8_t>(data[0]), n,
                                  static_cast<uint32_t>(dict_size - 1), indices_.data()),
        "dictionary indices");
    if (page_drops_) KeepTail(&indices_, 0, value_keep_, n);
    AppendGathered(*dictionary_, indices_.data(), indices_.size(), &out_->values);
    return Status::OK();
  }
  const size_t first_value = out_->values.size();
  if (encoding == Encoding::PLAIN && CanDecodePlainDirect(leaf_)) {
    RS_RETURN_IF_ERROR(AppendPlainDirect(data, n, leaf_, &out_->values));
  } else {
    physical_.Clear();
    RS_RETURN_IF_ERROR(DecodePhysical(encoding, data, n, leaf_, &physical_));
    RS_RETURN_IF_ERROR(AppendConverted(physical_, leaf_, &out_->values));
  }
  // The page's values are still in cache: dropping them here is one short pass.
  if (page_drops_) {
    std::visit([&](auto& v) { KeepTail(&v, first_value, value_keep_, n); }, out_->values.values);
  }
  return Status::OK();
}

// Which entries [first_entry, first_entry + n) belong to kept rows, one byte
// each; null when every one does. An entry with repetition level 0 begins a
// row; without repetition every entry is a row.
Result<const uint8_t*> ChunkDecoder::EntryKeep(size_t first_entry, size_t n) {
  const uint8_t* keep = selection_.keep;
  if (leaf_.max_rep == 0) {
    if (static_cast<int64_t>(n) > selection_.num_rows - rows_begun_) {
      return Status::Corruption("the column chunk holds more than the row group's " +
                                std::to_string(selection_.num_rows) + " rows");
    }
    const uint8_t* rows = keep + rows_begun_;
    rows_begun_ += static_cast<int64_t>(n);
    return std::memchr(rows, 0, n) == nullptr ? nullptr : rows;
  }
  entry_keep_.resize(n);
  bool drops = false;
  const uint8_t* rep = out_->rep.data() + first_entry;
  for (size_t i = 0; i < n; ++i) {
    if (rep[i] == 0) {
      if (rows_begun_ == selection_.num_rows) {
        return Status::Corruption("the column chunk holds more than the row group's " +
                                  std::to_string(selection_.num_rows) + " rows");
      }
      ++rows_begun_;
    } else if (rows_begun_ == 0) {
      return Status::Corruption("the column chunk starts inside a row (repetition level " +
                                std::to_string(rep[i]) + ")");
    }
    entry_keep_[i] = keep[rows_begun_ - 1] != 0;
    drops = drops || !entry_keep_[i];
  }
  return drops ? entry_keep_.data() : nullptr;
}

// Drops the levels of the current page's entries (from first_entry on, of
// which `defined` hold a value) whose rows the selection drops, and points
// value_keep_ at one byte per defined value saying whether it stays, for
// Values().
Status ChunkDecoder::SelectEntries(size_t first_entry, size_t defined) {
  page_drops_ = false;
  if (selection_.keep == nullptr) return Status::OK();
  const size_t n = out_->num_entries - first_entry;
  RS_ASSIGN_OR_RETURN(const uint8_t* keep, EntryKeep(first_entry, n));
  if (keep == nullptr) return Status::OK();
  page_drops_ = true;
  const bool has_def = leaf_.max_def > 0;
  const bool has_rep = leaf_.max_rep > 0;
  if (!has_rep && defined == n) {
    // Flat and no nulls: values and entries match one to one, and the levels
    // left are all max_def, so there is nothing to move.
    value_keep_ = keep;
    out_->num_entries = first_entry + n - CountZeroBytes(keep, n);
    if (has_def) out_->def.resize(out_->num_entries);
    return Status::OK();
  }
  value_keep_buffer_.clear();
  size_t out = first_entry;
  for (size_t i = 0; i < n; ++i) {
    const size_t e = first_entry + i;
    if (!has_def || out_->def[e] == leaf_.max_def) value_keep_buffer_.push_back(keep[i]);
    if (!keep[i]) continue;
    if (has_def) out_->def[out] = out_->def[e];
    if (has_rep) out_->rep[out] = out_->rep[e];
    ++out;
  }
  value_keep_ = value_keep_buffer_.data();
  out_->num_entries = out;
  if (has_def) out_->def.resize(out);
  if (has_rep) out_->rep.resize(out);
  return Status::OK();
}

}  // namespace

bool AllDataPagesDictionaryEncoded(const format::ColumnMetaData& meta) {
  // encoding_stats count the pages of each (type, encoding): exact.
  if (meta.__isset.encoding_stats && !meta.encoding_stats.empty()) {
    bool has_dictionary = false;
    for (const format::PageEncodingStats& s : meta.encoding_stats) {
      if (s.page_type == PageType::DICTIONARY_PAGE) has_dictionary = true;
      const bool data_page =
          s.page_type == PageType::DATA_PAGE || s.page_type == PageType::DATA_PAGE_V2;
      if (data_page && s.count > 0 && !IsDictionaryEncoding(s.encoding)) return false;
    }
    return has_dictionary;
  }
  // Without them, the chunk's encodings list must name a dictionary encoding
  // and nothing a data page could hold values in besides it and the level
  // encodings. PLAIN is ambiguous (the dictionary page of a v2 writer, or a
  // fallback data page), so it leaves the answer unknown.
  bool dictionary = false;
  for (Encoding::type e : meta.encodings) {
    if (IsDictionaryEncoding(e)) {
      dictionary = true;
    } else if (e != Encoding::RLE && e != Encoding::BIT_PACKED) {
      return false;
    }
  }
  return dictionary;
}

Result<std::optional<ColumnVector>> ReadDictionaryPage(std::string_view page, int64_t page_offset,
                                                       const format::ColumnMetaData& meta,
                                                       const LeafInfo& leaf) {
  LeafData unused(leaf);
  ChunkDecoder decoder(meta, leaf, RowSelection{}, &unused);
  return decoder.DictionaryOnly(page, page_offset);
}

Status ReadColumnChunk(std::string_view chunk, int64_t chunk_offset,
                       const format::ColumnMetaData& meta, const LeafInfo& leaf,
                       const RowSelection& selection, LeafData* out) {
  ChunkDecoder decoder(meta, leaf, selection, out);
  return decoder.Run(chunk, chunk_offset);
}

Result<Value> DecodeStatisticValue(std::string_view bytes, const LeafInfo& leaf) {
  PhysicalValues physical;
  if (leaf.physical == format::Type::BYTE_ARRAY) {
    physical.bytes.push_back(bytes);
  } else if (leaf.physical == format::Type::FIXED_LEN_BYTE_ARRAY) {
    if (bytes.size() != static_cast<size_t>(leaf.type_length)) {
      return Status::Corruption("statistic of " + std::to_string(bytes.size()) + " bytes");
    }
    physical.bytes.push_back(bytes);
  } else {
    RS_RETURN_IF_ERROR(DecodePhysical(Encoding::PLAIN, bytes, 1, leaf, &physical));
  }
  ColumnVector column = ColumnVector::Make(Field{leaf.path, leaf.type});
  RS_RETURN_IF_ERROR(AppendConverted(physical, leaf, &column));
  if (column.size() != 1) return Status::Corruption("statistic did not decode to one value");
  return ValueAt(column, 0);
}

Value ValueAt(const ColumnVector& column, size_t index) {
  return std::visit(
      [index](const auto& v) -> Value {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, uint8_t>) {
          return Value::Bool(v[index] != 0);
        } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
          return Value::Int(v[index]);
        } else if constexpr (std::is_same_v<T, float>) {
          return Value::Float(v[index]);
        } else if constexpr (std::is_same_v<T, double>) {
          return Value::Double(v[index]);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Value::Bytes(v[index]);
        } else {
          return v[index];
        }
      },
      column.values);
}

}  // namespace rs::parquet
