// Order-independent content checksum of a month of signal rows, computed the
// same way in C++ (over a RecordBatch read from Delta) and in SQL (over the
// PostgreSQL table, Replicator::MonthContent), so `verify` can compare them.
//
// Definition (docs/postgres.md, "Content checksum"):
//   field bytes  NULL -> 0x00; otherwise 0x01 followed by
//                date:    int32 big-endian days since 1970-01-01
//                integer: int32 big-endian        bigint: int64 big-endian
//                double:  IEEE 754 binary64 big-endian (float8send)
//                text:    int32 big-endian byte length, then the UTF-8 bytes
//   row hash     md5(concatenation of the field bytes, in column order);
//                its first 15 hex digits read as an unsigned 60-bit number
//   checksum     the sum of row hashes over all rows, in decimal ("0" if none)
// Equal multisets of rows give equal checksums whatever the row order.
//
// Thread-safety: pure function.
#ifndef RS_POSTGRES_CHECKSUM_H_
#define RS_POSTGRES_CHECKSUM_H_

#include <string>

#include "common/columnar.h"

namespace rs::postgres {

// REQUIRES: flat columns of type kDate, kString, kInteger, kLong or kDouble,
// in the table's column order (SIGNALS.md); other types contribute nothing.
std::string ContentChecksum(const RecordBatch& batch);

}  // namespace rs::postgres

#endif  // RS_POSTGRES_CHECKSUM_H_
