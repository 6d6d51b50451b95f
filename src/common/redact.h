// Secret redaction for anything that may reach a Status, a log line or a report.
//
// RedactDsn masks the password of a PostgreSQL connection string in both
// forms libpq accepts:
//   URI        postgresql://user:secret@host:5432/db?password=secret&sslmode=require
//   key=value  host=h user=u password='a b\'c' dbname=d
// RedactSecrets replaces every occurrence of each known secret (for example
// the password parsed from the DSN) in arbitrary text such as libpq's error
// messages. Masked text reads "***".
//
// Callers should still never put a DSN into a message, redacted or not; name
// "PostgreSQL at host:port/db" instead. These functions are the safety net.
//
// Thread-safety: pure functions.
#ifndef RS_COMMON_REDACT_H_
#define RS_COMMON_REDACT_H_

#include <string>
#include <string_view>
#include <vector>

namespace rs {

inline constexpr std::string_view kRedacted = "***";

// Returns `dsn` with every password value replaced by "***". Text that is not
// a DSN is returned unchanged except for `password=` assignments in it.
std::string RedactDsn(std::string_view dsn);

// Returns `text` with every occurrence of every non-empty secret replaced by
// "***". Longer secrets are replaced first, so a secret containing another
// is masked whole.
std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace rs

#endif  // RS_COMMON_REDACT_H_
