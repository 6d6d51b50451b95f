#include "parquet/compression_internal.h"

#include <limits>

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace rs::parquet {
namespace {

constexpr int kDefaultZstdLevel = 3;
constexpr int kGzipWindowBits = 15 + 16;        // deflate with a gzip wrapper
constexpr int kGunzipWindowBits = 15 + 32;      // inflate gzip or zlib, auto-detected

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// A z_stream owned from init to end; `deflating` picks the matching *End().
class ZStream {
 public:
  explicit ZStream(bool deflating) : deflating_(deflating) {}
  ~ZStream() {
    if (!initialized_) return;
    if (deflating_) {
      deflateEnd(&z_);
    } else {
      inflateEnd(&z_);
    }
  }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;

  // Initializes on first use, resets afterwards.
  int Begin(int level) {
    if (initialized_) return deflating_ ? deflateReset(&z_) : inflateReset(&z_);
    z_ = z_stream{};
    int rc = deflating_ ? deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, 8,
                                       Z_DEFAULT_STRATEGY)
                        : inflateInit2(&z_, kGunzipWindowBits);
    initialized_ = (rc == Z_OK);
    return rc;
  }
  z_stream* get() { return &z_; }

 private:
  bool deflating_;
  bool initialized_ = false;
  z_stream z_{};
};

std::string SizeText(size_t n) { return std::to_string(n) + " bytes"; }

Status CheckInputSize(Codec codec, std::string_view input) {
  if (input.size() > kMaxPageBytes) {
    return Status::InvalidArgument(std::string(CodecName(codec)) + ": input of " +
                                   SizeText(input.size()) + " exceeds the page limit");
  }
  return Status::OK();
}

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kGzip: return "GZIP";
    case Codec::kLzo: return "LZO";
    case Codec::kBrotli: return "BROTLI";
    case Codec::kLz4: return "LZ4";
    case Codec::kZstd: return "ZSTD";
    case Codec::kLz4Raw: return "LZ4_RAW";
  }
  return "UNKNOWN";
}

bool IsSupportedCodec(Codec codec) {
  return codec == Codec::kUncompressed || codec == Codec::kSnappy || codec == Codec::kGzip ||
         codec == Codec::kZstd || codec == Codec::kLz4Raw;
}

// ---------------------------------------------------------------------------
// Compressor

struct Compressor::Contexts {
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> zstd;
  ZStream deflate{true};
};

Compressor::Compressor(Codec codec, int level)
    : codec_(codec), level_(level), contexts_(std::make_unique<Contexts>()) {}
Compressor::~Compressor() = default;

namespace {

Status CompressZstd(ZSTD_CCtx* ctx, int level, std::string_view in, std::string* out) {
  out->resize(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compressCCtx(ctx, out->data(), out->size(), in.data(), in.size(),
                               level == 0 ? kDefaultZstdLevel : level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("ZSTD: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::OK();
}

Status CompressGzip(ZStream* stream, int level, std::string_view in, std::string* out) {
  if (stream->Begin(level == 0 ? Z_DEFAULT_COMPRESSION : level) != Z_OK) {
    return Status::Internal("GZIP: deflate init failed");
  }
  z_stream* z = stream->get();
  out->resize(deflateBound(z, static_cast<uLong>(in.size())));
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  z->next_out = reinterpret_cast<Bytef*>(out->data());
  z->avail_out = static_cast<uInt>(out->size());
  if (deflate(z, Z_FINISH) != Z_STREAM_END) return Status::Internal("GZIP: deflate did not finish");
  out->resize(z->total_out);
  return Status::OK();
}

Status CompressLz4Raw(std::string_view in, std::string* out) {
  out->resize(LZ4_compressBound(static_cast<int>(in.size())));
  int n = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()),
                               static_cast<int>(out->size()));
  if (n <= 0 && !in.empty()) return Status::Internal("LZ4_RAW: compression failed");
  out->resize(static_cast<size_t>(n));
  return Status::OK();
}

}  // namespace

Status Compressor::Compress(std::string_view input, std::string* out) {
  RS_RETURN_IF_ERROR(CheckInputSize(codec_, input));
  switch (codec_) {
    case Codec::kUncompressed:
      out->assign(input.data(), input.size());
      return Status::OK();
    case Codec::kSnappy:
      out->clear();
      snappy::Compress(input.data(), input.size(), out);
      return Status::OK();
    case Codec::kGzip:
      return CompressGzip(&contexts_->deflate, level_, input, out);
    case Codec::kZstd:
      if (!contexts_->zstd) contexts_->zstd.reset(ZSTD_createCCtx());
      if (!contexts_->zstd) return Status::Internal("ZSTD: cannot create context");
      return CompressZstd(contexts_->zstd.get(), level_, input, out);
    case Codec::kLz4Raw:
      return CompressLz4Raw(input, out);
    default:
      return Status::Unimplemented("compress: codec " + std::string(CodecName(codec_)) +
                                   " is not supported");
  }
}

// ---------------------------------------------------------------------------
// Decompressor

struct Decompressor::Contexts {
  std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> zstd;
  ZStream inflate{false};
};

Decompressor::Decompressor(Codec codec)
    : codec_(codec), contexts_(std::make_unique<Contexts>()) {}
Decompressor::~Decompressor() = default;

namespace {

Status SizeMismatch(Codec codec, std::string_view detail, size_t expected) {
  return Status::Corruption(std::string(CodecName(codec)) + ": " + std::string(detail) +
                            ", expected " + SizeText(expected));
}

Status DecompressSnappy(std::string_view in, size_t expected, std::string* out) {
  size_t declared = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &declared)) {
    return Status::Corruption("SNAPPY: corrupt input (no valid length header)");
  }
  if (declared != expected) {
    return SizeMismatch(Codec::kSnappy, "stream declares " + SizeText(declared), expected);
  }
  out->resize(expected);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
    return Status::Corruption("SNAPPY: corrupt input");
  }
  return Status::OK();
}

Status DecompressGzip(ZStream* stream, std::string_view in, size_t expected, std::string* out) {
  if (stream->Begin(0) != Z_OK) return Status::Internal("GZIP: inflate init failed");
  out->resize(expected + 1);  // one spare byte detects output longer than expected
  z_stream* z = stream->get();
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  z->next_out = reinterpret_cast<Bytef*>(out->data());
  z->avail_out = static_cast<uInt>(out->size());
  int rc = inflate(z, Z_FINISH);
  size_t produced = z->total_out;
  if (rc == Z_STREAM_END && produced == expected) {
    out->resize(expected);
    return Status::OK();
  }
  if (rc == Z_STREAM_END || produced > expected) {
    return SizeMismatch(Codec::kGzip, "decoded " + SizeText(produced), expected);
  }
  std::string reason = z->msg != nullptr ? z->msg : "truncated stream";
  return Status::Corruption("GZIP: corrupt input (" + reason + ")");
}

Status DecompressZstd(ZSTD_DCtx* ctx, std::string_view in, size_t expected, std::string* out) {
  unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("ZSTD: corrupt frame header");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > expected) {
    return SizeMismatch(Codec::kZstd, "frame declares " + SizeText(declared), expected);
  }
  out->resize(expected);
  size_t n = ZSTD_decompressDCtx(ctx, out->data(), out->size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    return Status::Corruption(std::string("ZSTD: corrupt input (") + ZSTD_getErrorName(n) + ")");
  }
  if (n != expected) return SizeMismatch(Codec::kZstd, "decoded " + SizeText(n), expected);
  return Status::OK();
}

Status DecompressLz4Raw(std::string_view in, size_t expected, std::string* out) {
  out->resize(expected);
  int n = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()),
                              static_cast<int>(expected));
  if (n < 0) return Status::Corruption("LZ4_RAW: corrupt input or longer than expected " +
                                       SizeText(expected));
  if (static_cast<size_t>(n) != expected) {
    return SizeMismatch(Codec::kLz4Raw, "decoded " + SizeText(static_cast<size_t>(n)), expected);
  }
  return Status::OK();
}

}  // namespace

Status Decompressor::Decompress(std::string_view input, size_t uncompressed_size,
                                std::string* out) {
  RS_RETURN_IF_ERROR(CheckInputSize(codec_, input));
  if (uncompressed_size > kMaxPageBytes) {
    return Status::Corruption(std::string(CodecName(codec_)) + ": declared size of " +
                              SizeText(uncompressed_size) + " exceeds the page limit");
  }
  switch (codec_) {
    case Codec::kUncompressed:
      if (input.size() != uncompressed_size) {
        return SizeMismatch(codec_, "page holds " + SizeText(input.size()), uncompressed_size);
      }
      out->assign(input.data(), input.size());
      return Status::OK();
    case Codec::kSnappy:
      return DecompressSnappy(input, uncompressed_size, out);
    case Codec::kGzip:
      return DecompressGzip(&contexts_->inflate, input, uncompressed_size, out);
    case Codec::kZstd:
      if (!contexts_->zstd) contexts_->zstd.reset(ZSTD_createDCtx());
      if (!contexts_->zstd) return Status::Internal("ZSTD: cannot create context");
      return DecompressZstd(contexts_->zstd.get(), input, uncompressed_size, out);
    case Codec::kLz4Raw:
      return DecompressLz4Raw(input, uncompressed_size, out);
    default:
      return Status::Unimplemented("decompress: codec " + std::string(CodecName(codec_)) +
                                   " is not supported");
  }
}

Result<std::string> Compress(Codec codec, std::string_view input, int level) {
  Compressor compressor(codec, level);
  std::string out;
  RS_RETURN_IF_ERROR(compressor.Compress(input, &out));
  return out;
}

Result<std::string> Decompress(Codec codec, std::string_view input, size_t uncompressed_size) {
  Decompressor decompressor(codec);
  std::string out;
  RS_RETURN_IF_ERROR(decompressor.Decompress(input, uncompressed_size, &out));
  return out;
}

}  // namespace rs::parquet
