// Fuzzes the Parquet footer: the input is a whole Parquet file.
//
// The file's trailer ("<footer><4-byte length>PAR1") locates the Thrift
// FileMetaData, which is decoded with parquet/metadata_internal.h; the bytes
// after the leading "PAR1" are decoded as a page header, as the reader does at
// each column chunk. (When the public FileReader lands in HEAD, this target
// also opens the bytes with FileReader::OpenBuffer and reads every column.)
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - decoding never crashes, throws, or reads outside the given bytes;
//   - a reported consumed size never exceeds the input;
//   - a decoded page header has non-negative sizes;
//   - re-encoding is stable: decode(encode(m)) succeeds and encodes to the
//     same bytes (the first encoding may differ from the input, which can hold
//     unknown fields or non-canonical varints).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "parquet/metadata_internal.h"

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

}  // namespace
}  // namespace rs::parquet

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  rs::parquet::FuzzFileMetaData(file);
  rs::parquet::FuzzPageHeader(file);
  return 0;
}
