#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "postgres/dsn_internal.h"
#include "postgres/migrations.h"

namespace rs::postgres::internal {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

constexpr char kMalformed[] = "PostgreSQL connection string is malformed: ";
constexpr char kForms[] =
    " (forms: postgresql://user:password@host:port/dbname?keyword=value, or "
    "host=... port=... user=... password=... dbname=...; docs/operations.md)";

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// The keywords this libpq knows: the option list of an empty conninfo.
const std::set<std::string, std::less<>>& Keywords() {
  static const std::set<std::string, std::less<>> keywords = [] {
    std::set<std::string, std::less<>> out;
    ConninfoPtr opts(PQconninfoParse("", nullptr));
    for (PQconninfoOption* o = opts.get(); o != nullptr && o->keyword != nullptr; ++o) {
      out.insert(o->keyword);
    }
    return out;
  }();
  return keywords;
}

bool IsKeyword(std::string_view word) { return Keywords().count(word) > 0; }

// libpq's URI decoding: every '%' starts two hex digits, and never "%00".
bool ValidPercentEncoding(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size()) return false;
    if (!std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return false;
    }
    if (s[i + 1] == '0' && s[i + 2] == '0') return false;
    i += 2;
  }
  return true;
}

std::string BadEncoding(const std::string& part) {
  return part +
         " has a '%' that is not followed by two hex digits, or is %00: "
         "percent-encode special characters in it ('%' as %25, '@' as %40, '/' as %2F, ':' as "
         "%3A, '?' as %3F, '&' as %26, '#' as %23, a space as %20)";
}

// The URI checks in libpq's order: userinfo, hosts and ports, dbname, query.
std::string DescribeUri(std::string_view rest) {
  size_t q = rest.find('?');
  std::string_view main = rest.substr(0, q);
  size_t slash = main.find('/');
  std::string_view authority = main.substr(0, slash);
  // libpq ends the user info at the first '@' or '/': a second '@', or an '@'
  // after a '/', means a reserved character of the password was not encoded,
  // and libpq would take part of the password for a host or a database.
  size_t at = authority.find('@');
  if (at != std::string_view::npos && authority.find('@', at + 1) != std::string_view::npos) {
    return "the URI has more than one '@' before the host: percent-encode '@' in the user name "
           "or password as %40";
  }
  if (at == std::string_view::npos && main.find('@') != std::string_view::npos) {
    return "the URI has an '@' after a '/': percent-encode '/' in the user name or password as "
           "%2F (and '@' in the database name as %40)";
  }
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (!ValidPercentEncoding(userinfo.substr(0, colon))) return BadEncoding("the URI's user name");
    if (colon != std::string_view::npos && !ValidPercentEncoding(userinfo.substr(colon + 1))) {
      return BadEncoding("the URI's password");
    }
    authority.remove_prefix(at + 1);
  }
  int host_number = 0;
  while (true) {
    ++host_number;
    size_t comma = authority.find(',');
    std::string_view host = authority.substr(0, comma);
    std::string name = "host " + std::to_string(host_number) + " of the URI";
    if (!host.empty() && host[0] == '[') {
      size_t close = host.find(']');
      if (close == std::string_view::npos) {
        return name + " opens an IPv6 address with '[' but has no ']'";
      }
      if (close == 1) return name + " is an empty IPv6 address '[]'";
      if (close + 1 < host.size() && host[close + 1] != ':') {
        return name + " has characters after the ']' of its IPv6 address (expected ':port')";
      }
    } else if (!ValidPercentEncoding(host.substr(0, host.find(':')))) {
      return BadEncoding(name);
    }
    if (comma == std::string_view::npos) break;
    authority.remove_prefix(comma + 1);
  }
  if (slash != std::string_view::npos && !ValidPercentEncoding(main.substr(slash + 1))) {
    return BadEncoding("the URI's database name");
  }
  if (q == std::string_view::npos) return "";
  std::string_view params = rest.substr(q + 1);
  for (int n = 1;; ++n) {
    size_t amp = params.find('&');
    std::string_view param = params.substr(0, amp);
    std::string name = "query parameter " + std::to_string(n) + " of the URI";
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) return name + " has no '=' (expected keyword=value)";
    if (param.find('=', eq + 1) != std::string_view::npos) {
      return name + " has a second '=': percent-encode '=' in its value as %3D";
    }
    if (!ValidPercentEncoding(param.substr(0, eq)) || !ValidPercentEncoding(param.substr(eq + 1))) {
      return BadEncoding(name);
    }
    std::string_view key = param.substr(0, eq);
    if (key.find('%') == std::string_view::npos && key != "ssl" && !IsKeyword(key)) {
      return name +
             " is not a libpq connection keyword (its name is not shown, as it may be "
             "part of a secret; keywords are listed in the libpq documentation, "
             "\"Parameter Key Words\")";
    }
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return "";
}

// libpq's key=value grammar: keyword, optional spaces, '=', optional spaces,
// then a bare value (backslash escapes the next character) or a single-quoted one.
std::string DescribeKeyValue(std::string_view s) {
  std::string previous;  // the last known keyword, to say where the problem is
  auto where = [&](int n) {
    return "setting " + std::to_string(n) +
           (previous.empty() ? std::string(" (the first)") : " (after '" + previous + "')");
  };
  size_t i = 0;
  for (int n = 1;; ++n) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size()) return "";
    size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    std::string_view key = s.substr(key_start, i - key_start);
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (n == 1 && key.find(':') != std::string_view::npos) {
      return "it is neither a URI starting with postgresql:// or postgres:// nor keyword=value "
             "settings";
    }
    if (i >= s.size() || s[i] != '=') {
      std::string hint = previous.empty()
                             ? std::string("")
                             : "; if the value of '" + previous +
                                   "' contains spaces, single-quote it ('a b', with \\' for a "
                                   "quote and \\\\ for a backslash)";
      return where(n) + " is a word without '=' (expected keyword=value)" + hint;
    }
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;
    bool known = IsKeyword(key);
    std::string name = known ? "the value of '" + std::string(key) + "'" : where(n);
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += (s[i] == '\\') ? 2 : 1;
      if (i >= s.size()) {
        return name +
               " opens a single quote that is never closed (inside quotes write \\' for a "
               "quote and \\\\ for a backslash)";
      }
      ++i;
    } else {
      while (i < s.size() && !IsSpace(s[i])) i += (s[i] == '\\') ? 2 : 1;
    }
    if (!known) {
      return where(n) +
             " is not a libpq connection keyword (its name is not shown, as it may be "
             "part of a secret; keywords are listed in the libpq documentation, "
             "\"Parameter Key Words\")";
    }
    previous = std::string(key);
  }
}

// One port per host, comma separated, each 1..65535 or empty (the default).
bool ValidPortList(std::string_view ports) {
  while (true) {
    size_t comma = ports.find(',');
    std::string_view port = ports.substr(0, comma);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    bool ok = port.empty() || (ec == std::errc() && end == port.data() + port.size() &&
                               value >= 1 && value <= 65535);
    if (!ok) return false;
    if (comma == std::string_view::npos) return true;
    ports.remove_prefix(comma + 1);
  }
}

std::string PortError(const std::string& ports) {
  bool digits = std::all_of(ports.begin(), ports.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == ',';
  });
  // A port that is not digits may be a piece of a password typed unencoded.
  return std::string(kMalformed) + "port " + (digits ? "'" + ports + "' " : "") +
         "is not a number from 1 to 65535 (one per host, comma separated)";
}

// The password as written in a URI's user info, before decoding.
std::string RawUriPassword(std::string_view dsn) {
  size_t start = dsn.find("://");
  if (start == std::string_view::npos) return "";
  start += 3;
  size_t end = dsn.find_first_of("@/", start);
  if (end == std::string_view::npos || dsn[end] != '@') return "";
  size_t colon = dsn.find(':', start);
  if (colon == std::string_view::npos || colon > end) return "";
  return std::string(dsn.substr(colon + 1, end - colon - 1));
}

// libpq checks these values only when connecting, and its message quotes
// the value: checked here so nothing of the DSN is quoted.
std::string CheckOptionValue(std::string_view key, std::string_view value) {
  static const std::map<std::string_view, std::vector<std::string_view>> kChoices = {
      {"sslmode", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}},
      {"gssencmode", {"disable", "prefer", "require"}},
      {"channel_binding", {"disable", "prefer", "require"}},
      {"target_session_attrs",
       {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}},
  };
  static const std::set<std::string_view> kIntegers = {"connect_timeout",  "keepalives",
                                                       "keepalives_idle",  "keepalives_interval",
                                                       "keepalives_count", "tcp_user_timeout"};
  if (value.empty()) return "";
  if (auto it = kChoices.find(key); it != kChoices.end()) {
    if (std::find(it->second.begin(), it->second.end(), value) != it->second.end()) return "";
    std::string list;
    for (std::string_view choice : it->second)
      list += (list.empty() ? "" : ", ") + std::string(choice);
    return "the value of '" + std::string(key) + "' is not one of " + list;
  }
  if (kIntegers.count(key) > 0) {
    size_t b = value.find_first_not_of(" \t");
    size_t e = value.find_last_not_of(" \t");
    std::string_view digits = b == std::string_view::npos ? "" : value.substr(b, e - b + 1);
    if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
    bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!ok) return "the value of '" + std::string(key) + "' is not a whole number";
  }
  return "";
}

}  // namespace

std::string DescribeMalformedDsn(std::string_view dsn) {
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (dsn.starts_with(prefix)) return DescribeUri(dsn.substr(prefix.size()));
  }
  return DescribeKeyValue(dsn);
}

Result<ParsedDsn> ParseDsn(const std::string& dsn) {
  char* err = nullptr;
  ConninfoPtr opts(PQconninfoParse(dsn.c_str(), &err));
  // libpq's message may quote the DSN: it is dropped unread.
  PQfreemem(err);
  std::string described = DescribeMalformedDsn(dsn);
  if (opts == nullptr || !described.empty()) {
    if (described.empty()) {
      described = "libpq refused it (its message is withheld, as it may quote the password)";
    }
    return Status::InvalidArgument(kMalformed + described + kForms);
  }
  ParsedDsn parsed;
  parsed.secrets = {dsn, RawUriPassword(dsn)};
  for (PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    std::string_view key = o->keyword;
    std::string value = o->val != nullptr ? o->val : "";
    if (key == "password" || key == "sslpassword") parsed.secrets.push_back(value);
    if (key == "host" || (key == "hostaddr" && parsed.host.empty())) parsed.host = value;
    if (key == "port") parsed.port = value;
    if (key == "dbname") parsed.dbname = value;
    std::string bad = CheckOptionValue(key, value);
    if (!bad.empty()) return Status::InvalidArgument(kMalformed + bad);
  }
  // PQconninfoParse leaves the port unchecked until connect time; a bad one
  // is as much a malformed DSN as a bad quote.
  if (!ValidPortList(parsed.port)) return Status::InvalidArgument(PortError(parsed.port));
  return parsed;
}

}  // namespace rs::postgres::internal

namespace rs::postgres {

Status ValidateDsn(const std::string& dsn) { return internal::ParseDsn(dsn).status(); }

}  // namespace rs::postgres
