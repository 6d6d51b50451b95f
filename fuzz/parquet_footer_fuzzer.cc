// Fuzzes the Parquet footer: the input is a whole Parquet file.
//
// The file's trailer ("<footer><4-byte length>PAR1") locates the Thrift
// FileMetaData, which is decoded with parquet/metadata_internal.h; the bytes
// after the leading "PAR1" are decoded as a page header, as the reader does at
// each column chunk. When the module libraries build (RS_FUZZ_WITH_MODULES,
// see fuzz/CMakeLists.txt), the bytes are also opened with the public
// FileReader::OpenBuffer and every column of every row group is read.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - decoding never crashes, throws, or reads outside the given bytes;
//   - FileReader: a successful Read returns one column per schema field, each
//     with exactly num_rows values (and validity empty or num_rows long), and
//     num_rows is the sum of the row groups' row counts; an out-of-range row
//     group index is an error, not a crash;
//   - ReadOptions::keep_rows: when the full read succeeds, a read keeping
//     every row but each third succeeds too and returns exactly the full
//     read's kept rows (flat columns compared value by value, and nulls);
//   - a reported consumed size never exceeds the input;
//   - a decoded page header has non-negative sizes;
//   - re-encoding is stable: decode(encode(m)) succeeds and encodes to the
//     same bytes (the first encoding may differ from the input, which can hold
//     unknown fields or non-canonical varints).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "parquet/metadata_internal.h"
#if RS_FUZZ_WITH_MODULES
#include "parquet/reader.h"
#endif

namespace rs::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

// The footer bytes named by the trailer, or the whole input when it has none,
// so the fuzzer also explores the Thrift decoder from arbitrary bytes.
std::string_view FooterOf(std::string_view file) {
  if (file.size() < 8 || file.substr(file.size() - 4) != kMagic) return file;
  uint32_t length = 0;
  std::memcpy(&length, file.data() + file.size() - 8, 4);
  if (length > file.size() - 8) return file;
  return file.substr(file.size() - 8 - length, length);
}

template <typename T>
void CheckStableReencoding(const T& decoded) {
  std::string first;
  RS_FUZZ_CHECK(SerializeThrift(decoded, &first).ok());
  T again;
  Result<size_t> consumed = DeserializeThrift(first, &again);
  RS_FUZZ_CHECK(consumed.ok());
  RS_FUZZ_CHECK(*consumed == first.size());
  std::string second;
  RS_FUZZ_CHECK(SerializeThrift(again, &second).ok());
  RS_FUZZ_CHECK(first == second);
}

void FuzzFileMetaData(std::string_view file) {
  ThriftLimits limits;
  limits.max_string_bytes = 1 << 20;
  limits.max_container_items = 1 << 16;
  Result<format::FileMetaData> metadata = DecodeFileMetaData(FooterOf(file), "fuzz.parquet", limits);
  if (!metadata.ok()) {
    RS_FUZZ_CHECK(!metadata.status().message().empty());
    return;
  }
  CheckStableReencoding(*metadata);
}

void FuzzPageHeader(std::string_view file) {
  std::string_view pages = file.substr(0, kMagic.size()) == kMagic ? file.substr(4) : file;
  size_t consumed = 0;
  Result<format::PageHeader> header = DecodePageHeader(pages, &consumed);
  if (!header.ok()) return;
  RS_FUZZ_CHECK(consumed <= pages.size());
  RS_FUZZ_CHECK(header->compressed_page_size >= 0 && header->uncompressed_page_size >= 0);
  CheckStableReencoding(*header);
}

#if RS_FUZZ_WITH_MODULES
// `expected_rows` < 0: the footer's row counts overflow, so they cannot be checked.
void CheckBatch(const RecordBatch& batch, int64_t expected_rows) {
  RS_FUZZ_CHECK(batch.columns.size() == batch.schema.size());
  if (expected_rows >= 0) RS_FUZZ_CHECK(static_cast<int64_t>(batch.num_rows) == expected_rows);
  for (const ColumnVector& column : batch.columns) {
    RS_FUZZ_CHECK(column.size() == batch.num_rows);
    RS_FUZZ_CHECK(column.validity.empty() || column.validity.size() == batch.num_rows);
  }
}

// Row `r` of `column` when keep[r], for the flat representations.
ColumnVector KeptRows(const ColumnVector& column, const std::vector<uint8_t>& keep) {
  ColumnVector out = column;
  std::visit(
      [&](auto& values) {
        size_t n = 0;
        for (size_t r = 0; r < keep.size(); ++r) {
          if (!keep[r]) continue;
          values[n] = values[r];
          if (!out.validity.empty()) out.validity[n] = out.validity[r];
          ++n;
        }
        values.resize(n);
        if (!out.validity.empty()) out.validity.resize(n);
      },
      out.values);
  return out;
}

// Whether two flat columns hold the same values (bitwise for numbers, so
// NaNs compare equal); nested (Value) columns are not compared.
bool SameFlatValues(const ColumnVector& a, const ColumnVector& b) {
  return std::visit(
      [&](const auto& va) {
        using V = std::decay_t<decltype(va)>;
        if constexpr (std::is_same_v<V, std::vector<Value>>) {
          return true;
        } else {
          const V* vb = std::get_if<V>(&b.values);
          if (vb == nullptr || vb->size() != va.size()) return false;
          if constexpr (std::is_arithmetic_v<typename V::value_type>) {
            return va.empty() || std::memcmp(va.data(), vb->data(), va.size() * sizeof(va[0])) == 0;
          } else {
            return va == *vb;
          }
        }
      },
      a.values);
}

void CheckKeepRows(FileReader& r, const RecordBatch& full) {
  std::vector<uint8_t> keep(full.num_rows);
  size_t kept = 0;
  for (size_t i = 0; i < keep.size(); ++i) kept += keep[i] = i % 3 != 1;
  ReadOptions options;
  options.keep_rows = &keep;
  Result<RecordBatch> batch = r.Read(options);
  RS_FUZZ_CHECK(batch.ok());
  CheckBatch(*batch, static_cast<int64_t>(kept));
  for (size_t c = 0; c < full.columns.size(); ++c) {
    if (std::holds_alternative<std::vector<Value>>(full.columns[c].values)) continue;
    const ColumnVector expected = KeptRows(full.columns[c], keep);
    RS_FUZZ_CHECK(SameFlatValues(expected, batch->columns[c]));
    // No validity means no nulls: a read may leave it out when its rows have none.
    const ColumnVector& got = batch->columns[c];
    for (size_t i = 0; i < kept; ++i) {
      RS_FUZZ_CHECK((expected.validity.empty() || expected.validity[i]) ==
                    (got.validity.empty() || got.validity[i]));
    }
  }
}

void FuzzFileReader(std::string_view file) {
  Result<std::unique_ptr<FileReader>> reader =
      FileReader::OpenBuffer(std::string(file), "fuzz.parquet");
  if (!reader.ok()) return;
  FileReader& r = **reader;
  int64_t rows = 0;
  for (int g = 0; g < r.num_row_groups() && rows >= 0; ++g) {
    if (__builtin_add_overflow(rows, r.row_group_num_rows(g), &rows)) rows = -1;
  }
  Result<RecordBatch> batch = r.Read();
  if (batch.ok()) CheckBatch(*batch, rows);
  if (batch.ok() && rows >= 0) CheckKeepRows(r, *batch);
  RS_FUZZ_CHECK(!r.ReadRowGroup(-1).ok());
  RS_FUZZ_CHECK(!r.ReadRowGroup(r.num_row_groups()).ok());
}
#endif

}  // namespace
}  // namespace rs::parquet

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  rs::parquet::FuzzFileMetaData(file);
  rs::parquet::FuzzPageHeader(file);
#if RS_FUZZ_WITH_MODULES
  rs::parquet::FuzzFileReader(file);
#endif
  return 0;
}
