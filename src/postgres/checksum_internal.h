// The SQL side of the content checksum (checksum.h).
#ifndef RS_POSTGRES_CHECKSUM_INTERNAL_H_
#define RS_POSTGRES_CHECKSUM_INTERNAL_H_

#include <string>

#include "common/columnar.h"

namespace rs::postgres::internal {

// An SQL expression of type numeric: the checksum of the rows in scope,
// for columns named and typed as `schema` (kDate, kString, kInteger, kLong,
// kDouble). Use as `SELECT count(*), <expr>::text FROM t WHERE ...`.
std::string ChecksumSqlExpression(const Schema& schema);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_CHECKSUM_INTERNAL_H_
