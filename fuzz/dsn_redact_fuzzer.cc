// Fuzzes common/redact.h: RedactDsn and RedactSecrets.
//
// The fuzzer builds PostgreSQL connection strings around a password drawn from
// the input, in the forms redact.h promises to mask (libpq key=value with a
// bare or single-quoted value and spaces around '=', URI userinfo, URI query
// parameter), and also feeds the raw input as arbitrary text.
//
// Every other part of a built DSN (keys, host, user, database, other values)
// uses only lowercase letters, digits and "._-/", while every password holds
// at least one "marker" character (an uppercase letter or one of "!$%^~(){}[]")
// and percent-encoding in a URI yields '%' and uppercase hex. So any marker in
// the output can only come from the password.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - built DSN: the output contains neither the password nor its encoded form,
//     and no marker character at all (no part of the password survives);
//   - arbitrary text that is not a postgres:// or postgresql:// URI and has no
//     "password" in it comes back unchanged;
//   - RedactSecrets: no secret free of '*' (the mask character) occurs in the
//     output, and text containing none of the secrets comes back unchanged.
//
// It also generates the two spellings the fuzzer found leaking (now fixed, and
// pinned in tests/common/redact_test.cc): a backslash escape inside a bare
// value ("password=a\ b" is "a b") and tabs or newlines around '='.
// RS_FUZZ_DSN_STRICT=0 in the environment leaves them out.
#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/redact.h"
#include "fuzz_check.h"

namespace rs {
namespace {

constexpr std::string_view kPlainChars = "abcdefghijklmnopqrstuvwxyz0123456789._-/";
constexpr std::string_view kMarkerChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!$%^~(){}[]";
constexpr std::string_view kPasswordExtras = " '\\=@:/?&#*\t";
constexpr const char* kKeys[] = {"host",    "port",     "user",       "dbname",
                                 "sslmode", "passfile", "mypassword", "application_name"};

bool StrictMode() {
  static const bool strict = [] {
    const char* v = std::getenv("RS_FUZZ_DSN_STRICT");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return strict;
}

bool HasMarker(std::string_view s) { return s.find_first_of(kMarkerChars) != s.npos; }

// A non-empty word of plain characters; `slash` allows '/' (not in a URI user).
std::string PlainWord(FuzzedDataProvider& in, size_t max_len, bool slash = true) {
  std::string out;
  const size_t len = in.ConsumeIntegralInRange<size_t>(1, max_len);
  for (size_t i = 0; i < len; ++i) {
    const char c = in.PickValueInArray<char>({'a', 'b', 'q', 'z', '1', '.', '-', '_', '/'});
    out.push_back(c == '/' && !slash ? 'p' : c);
  }
  return out;
}

std::string Password(FuzzedDataProvider& in) {
  std::string pw;
  const size_t len = in.ConsumeIntegralInRange<size_t>(0, 24);
  for (size_t i = 0; i < len; ++i) {
    const uint8_t pick = in.ConsumeIntegral<uint8_t>();
    if (pick % 4 == 0) {
      pw.push_back(kPasswordExtras[pick / 4 % kPasswordExtras.size()]);
    } else if (pick % 4 == 1) {
      pw.push_back(kPlainChars[pick / 4 % kPlainChars.size()]);
    } else {
      pw.push_back(kMarkerChars[pick / 4 % kMarkerChars.size()]);
    }
  }
  if (!HasMarker(pw)) pw.push_back('X');
  return pw;
}

// "key=value" pairs with plain values, each preceded by a separator.
std::string OtherPairs(FuzzedDataProvider& in) {
  std::string out;
  const size_t n = in.ConsumeIntegralInRange<size_t>(0, 3);
  for (size_t i = 0; i < n; ++i) {
    out += in.PickValueInArray<std::string_view>({" ", "  ", "\t", "\n"});
    out += in.PickValueInArray(kKeys);
    out += "=" + PlainWord(in, 8);
  }
  return out;
}

bool NeedsQuotes(std::string_view pw) {
  return pw.empty() || pw.front() == '\'' || pw.find_first_of(" \t\n\r\f\v'\\") != pw.npos;
}

// The libpq key=value spelling of the password value.
std::string KeyValueValue(FuzzedDataProvider& in, const std::string& pw) {
  // Bare values with backslash escapes are generated in strict mode only.
  const bool quote = in.ConsumeBool() || (NeedsQuotes(pw) && !StrictMode());
  std::string out = quote ? "'" : "";
  for (char c : pw) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (c == '\'' || c == '\\' || (!quote && space)) out.push_back('\\');
    out.push_back(c);
  }
  if (quote) out.push_back('\'');
  return out;
}

std::string KeyValueDsn(FuzzedDataProvider& in, const std::string& pw) {
  std::string_view before_eq = in.PickValueInArray<std::string_view>({"", " ", "  "});
  std::string_view after_eq = in.PickValueInArray<std::string_view>({"", " ", "  "});
  if (StrictMode()) {
    before_eq = in.PickValueInArray<std::string_view>({"", " ", "\t", "\n "});
    after_eq = in.PickValueInArray<std::string_view>({"", " ", "\t", " \n"});
  }
  std::string dsn = OtherPairs(in);
  if (!dsn.empty() || in.ConsumeBool()) dsn += " ";
  dsn += "password" + std::string(before_eq) + "=" + std::string(after_eq);
  dsn += KeyValueValue(in, pw);
  dsn += OtherPairs(in);
  return dsn;
}

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string UriDsn(FuzzedDataProvider& in, const std::string& pw, bool in_query) {
  std::string dsn = in.ConsumeBool() ? "postgresql://" : "postgres://";
  const std::string user = PlainWord(in, 6, /*slash=*/false);
  if (in_query) {
    if (in.ConsumeBool()) dsn += user + "@";
  } else {
    dsn += user + ":" + PercentEncode(pw) + "@";
  }
  dsn += "db.example";
  if (in.ConsumeBool()) dsn += ":5432";
  dsn += "/" + PlainWord(in, 6, /*slash=*/false);
  std::vector<std::string> params;
  const size_t n = in.ConsumeIntegralInRange<size_t>(0, 3);
  for (size_t i = 0; i < n; ++i) {
    params.push_back(std::string(in.PickValueInArray(kKeys)) + "=" + PlainWord(in, 6));
  }
  if (in_query) {
    params.insert(params.begin() + in.ConsumeIntegralInRange<size_t>(0, params.size()),
                  "password=" + PercentEncode(pw));
  }
  for (size_t i = 0; i < params.size(); ++i) dsn += (i == 0 ? "?" : "&") + params[i];
  return dsn;
}

void CheckMasked(const std::string& dsn, const std::string& pw) {
  const std::string out = RedactDsn(dsn);
  if (HasMarker(out) || out.find(pw) != out.npos || out.find(PercentEncode(pw)) != out.npos) {
    std::fprintf(stderr, "password leaked\n  dsn:      %s\n  password: %s\n  output:   %s\n",
                 dsn.c_str(), pw.c_str(), out.c_str());
    RS_FUZZ_CHECK(false && "RedactDsn left (part of) the password in its output");
  }
}

void FuzzArbitraryText(FuzzedDataProvider& in) {
  std::vector<std::string> secrets;
  const size_t n = in.ConsumeIntegralInRange<size_t>(0, 3);
  for (size_t i = 0; i < n; ++i) secrets.push_back(in.ConsumeRandomLengthString(12));
  const std::string text = in.ConsumeRemainingBytesAsString();

  const std::string redacted = RedactDsn(text);
  const bool is_uri = text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
  if (!is_uri && text.find("password") == text.npos) RS_FUZZ_CHECK(redacted == text);

  const std::string masked = RedactSecrets(text, secrets);
  bool any_present = false;
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    any_present = any_present || text.find(s) != text.npos;
    if (s.find('*') == s.npos) RS_FUZZ_CHECK(masked.find(s) == masked.npos);
  }
  if (!any_present) RS_FUZZ_CHECK(masked == text);
}

}  // namespace
}  // namespace rs

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int mode = in.ConsumeIntegralInRange<int>(0, 3);
  if (mode == 0) {
    rs::FuzzArbitraryText(in);
    return 0;
  }
  const std::string pw = rs::Password(in);
  const std::string dsn = mode == 1 ? rs::KeyValueDsn(in, pw) : rs::UriDsn(in, pw, mode == 3);
  rs::CheckMasked(dsn, pw);
  return 0;
}
