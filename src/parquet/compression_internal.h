// Page compression codecs of the Parquet format (Compression.md):
// UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW.
//
// Decompression is given the page's declared uncompressed size and fails with
// Corruption unless the input decodes to exactly that many bytes. Sizes above
// kMaxPageBytes are refused before any allocation, so a hostile header cannot
// make us allocate gigabytes.
//
// Thread-safety: Compressor/Decompressor hold codec contexts; use one per thread.
#ifndef RS_PARQUET_COMPRESSION_INTERNAL_H_
#define RS_PARQUET_COMPRESSION_INTERNAL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rs::parquet {

// Values are the Thrift CompressionCodec ids, so a cast converts between them.
enum class Codec : int {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,     // not supported
  kBrotli = 4,  // not supported
  kLz4 = 5,     // Hadoop-framed LZ4, deprecated: not supported
  kZstd = 6,
  kLz4Raw = 7,
};

// Parquet page sizes are int32; we refuse anything over 1 GiB.
inline constexpr size_t kMaxPageBytes = size_t{1} << 30;

std::string_view CodecName(Codec codec);
bool IsSupportedCodec(Codec codec);

class Compressor {
 public:
  // `level` is used by ZSTD (1..22) and GZIP (1..9); 0 means the codec default.
  explicit Compressor(Codec codec, int level = 0);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Replaces *out with the compressed form of `input`.
  [[nodiscard]] Status Compress(std::string_view input, std::string* out);

  Codec codec() const { return codec_; }

 private:
  struct Contexts;
  Codec codec_;
  int level_;
  std::unique_ptr<Contexts> contexts_;
};

class Decompressor {
 public:
  explicit Decompressor(Codec codec);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Replaces *out with the decompressed `input`, which must decode to exactly
  // `uncompressed_size` bytes.
  [[nodiscard]] Status Decompress(std::string_view input, size_t uncompressed_size,
                                  std::string* out);

 private:
  struct Contexts;
  Codec codec_;
  std::unique_ptr<Contexts> contexts_;
};

// One-shot forms (a fresh context per call).
Result<std::string> Compress(Codec codec, std::string_view input, int level = 0);
Result<std::string> Decompress(Codec codec, std::string_view input, size_t uncompressed_size);

}  // namespace rs::parquet

#endif  // RS_PARQUET_COMPRESSION_INTERNAL_H_
