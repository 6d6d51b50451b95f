// The connection string (DSN) as this module reads it before connecting:
// its secrets, where it points, and, when libpq refuses it, a description of
// what is wrong that quotes nothing of it.
//
// libpq's own parse errors quote the offending token ("invalid percent-encoded
// token: \"S3cr%zz\"" is the password), and redaction cannot mask a token of
// an unparsed DSN reliably. So no libpq text about a malformed DSN is ever
// used: ParseDsn finds the malformed part itself and names it by its role
// (the password of the URI, query parameter 2, the setting after 'host'),
// never by its text, except libpq's own keywords and a port made of digits.
//
// Thread-safety: pure functions.
#ifndef RS_POSTGRES_DSN_INTERNAL_H_
#define RS_POSTGRES_DSN_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rs::postgres::internal {

struct ParsedDsn {
  // Everything that may not be printed: the DSN, the password and the
  // sslpassword, both as written and as libpq decodes them.
  std::vector<std::string> secrets;
  // As written in the DSN; "" when left to libpq's defaults (PG* variables).
  std::string host, port, dbname;
};

// Parses `dsn` (URI or key=value). Errors: InvalidArgument "PostgreSQL
// connection string is malformed: <which part, what to do>", quoting no
// part of `dsn` but libpq keywords.
Result<ParsedDsn> ParseDsn(const std::string& dsn);

// Why libpq refuses `dsn` (which part, and what to do), or "" when it finds
// nothing wrong. Quotes no part of `dsn` but libpq keywords.
std::string DescribeMalformedDsn(std::string_view dsn);

}  // namespace rs::postgres::internal

#endif  // RS_POSTGRES_DSN_INTERNAL_H_
