// PostgreSQL's binary COPY format (docs: sql-copy.html, "Binary Format"),
// written from a RecordBatch of flat columns:
//   header  "PGCOPY\n\377\r\n\0", int32 flags = 0, int32 extension length = 0
//   tuple   int16 field count, then per field int32 length (-1 = NULL) + bytes
//   trailer int16 -1
// All integers big-endian. Field bytes are each type's *send representation:
// date = int32 days since 2000-01-01, integer = int32, bigint = int64,
// double precision = IEEE 754 binary64, text = UTF-8 bytes without terminator.
#ifndef RS_POSTGRES_COPY_BINARY_INTERNAL_H_
#define RS_POSTGRES_COPY_BINARY_INTERNAL_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "common/columnar.h"
#include "common/status.h"

namespace rs::postgres::internal {

inline constexpr size_t kCopyChunkBytes = size_t{1} << 20;

// Days between 1970-01-01 (Delta) and 2000-01-01 (PostgreSQL).
inline constexpr int32_t kPostgresEpochDays = 10957;

// Receives consecutive pieces of the COPY stream.
using ChunkSink = std::function<Status(std::string_view chunk)>;

// Encodes header, every row of `batch` and trailer, calling `sink` with
// chunks of about `chunk_bytes` (the last may be shorter). Columns must be
// kDate, kString, kInteger, kLong or kDouble: anything else is InvalidArgument.
// Rows go in `row_order` (a permutation of the rows) when given, else in batch
// order. A sink error stops encoding and is returned.
Status EncodeBinaryCopy(const RecordBatch& batch, size_t chunk_bytes, const ChunkSink& sink,
                        const std::vector<uint32_t>* row_order = nullptr);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_COPY_BINARY_INTERNAL_H_
