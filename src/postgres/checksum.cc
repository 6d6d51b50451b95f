// The one-shot MD5 API is deprecated in OpenSSL 3 in favour of EVP, whose
// per-message provider dispatch costs more than hashing a 60-byte row; the
// checksum hashes one message per row, so it keeps the direct API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "postgres/checksum.h"

#include <fmt/format.h>
#include <openssl/md5.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "postgres/checksum_internal.h"
#include "postgres/connection_internal.h"

namespace rs::postgres {
namespace {

__extension__ typedef unsigned __int128 Uint128;  // sums of 60-bit hashes

void AppendBE32(std::string* out, uint32_t v) {
  v = __builtin_bswap32(v);
  out->append(reinterpret_cast<const char*>(&v), 4);
}
void AppendBE64(std::string* out, uint64_t v) {
  v = __builtin_bswap64(v);
  out->append(reinterpret_cast<const char*>(&v), 8);
}

// Appends the checksum bytes of one field (see checksum.h).
void AppendField(const ColumnVector& col, size_t row, std::string* out) {
  if (!col.IsValid(row)) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  switch (col.field.type.id) {
    case TypeId::kDate:
    case TypeId::kInteger:
      AppendBE32(out, static_cast<uint32_t>(col.As<int32_t>()[row]));
      break;
    case TypeId::kLong: AppendBE64(out, static_cast<uint64_t>(col.As<int64_t>()[row])); break;
    case TypeId::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &col.As<double>()[row], 8);
      AppendBE64(out, bits);
      break;
    }
    case TypeId::kString: {
      const std::string& s = col.As<std::string>()[row];
      AppendBE32(out, static_cast<uint32_t>(s.size()));
      out->append(s);
      break;
    }
    default: break;
  }
}

// First 15 hex digits of the digest = its top 60 bits.
uint64_t Top60Bits(const unsigned char* digest) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | digest[i];
  return v >> 4;
}

std::string ToDecimal(Uint128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::string FieldSql(const Field& f) {
  std::string c = internal::QuoteIdent(f.name);
  std::string payload;
  switch (f.type.id) {
    case TypeId::kDate: payload = "int4send(" + c + " - DATE '1970-01-01')"; break;
    case TypeId::kInteger: payload = "int4send(" + c + ")"; break;
    case TypeId::kLong: payload = "int8send(" + c + ")"; break;
    case TypeId::kDouble: payload = "float8send(" + c + ")"; break;
    case TypeId::kString:
      payload = "int4send(length(convert_to(" + c + ", 'UTF8'))) || convert_to(" + c + ", 'UTF8')";
      break;
    default: return "''::bytea";
  }
  // E'' strings: the same bytes whatever standard_conforming_strings says.
  return "CASE WHEN " + c + " IS NULL THEN E'\\\\x00'::bytea ELSE E'\\\\x01'::bytea || " +
         payload + " END";
}

}  // namespace

std::string ContentChecksum(const RecordBatch& batch) {
  Uint128 sum = 0;
  std::string bytes;
  unsigned char digest[MD5_DIGEST_LENGTH];
  for (size_t row = 0; row < batch.num_rows; ++row) {
    bytes.clear();
    for (const ColumnVector& col : batch.columns) AppendField(col, row, &bytes);
    MD5(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    sum += Top60Bits(digest);
  }
  return ToDecimal(sum);
}

namespace internal {

std::string ChecksumSqlExpression(const Schema& schema) {
  // fmt rather than chains of std::string operator+: g++ 12 at -O3 reports a
  // false -Wrestrict inside those (a known false positive of its libstdc++).
  std::string row;
  for (const Field& f : schema) {
    if (!row.empty()) row.append(" || ");
    row.append(fmt::format("({})", FieldSql(f)));
  }
  return fmt::format("coalesce(sum(('x' || substr(md5({}), 1, 15))::bit(60)::bigint), 0)", row);
}

}  // namespace internal
}  // namespace rs::postgres
