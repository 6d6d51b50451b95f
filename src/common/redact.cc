#include "common/redact.h"

#include <algorithm>
#include <cctype>

namespace rs {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsUriDsn(std::string_view dsn) {
  return StartsWith(dsn, "postgresql://") || StartsWith(dsn, "postgres://");
}

// End of a key=value value starting at `pos`: a single-quoted value with
// backslash escapes (libpq's rule), or a bare word ending at whitespace (and,
// inside a URI query, at '&' or '#').
size_t ValueEnd(std::string_view s, size_t pos, bool in_uri) {
  if (pos < s.size() && s[pos] == '\'' && !in_uri) {
    size_t i = pos + 1;
    while (i < s.size() && s[i] != '\'') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
    return std::min(s.size(), i + 1);
  }
  size_t i = pos;
  while (i < s.size() && !IsSpace(s[i])) {
    if (in_uri && (s[i] == '&' || s[i] == '#')) break;
    // libpq: a backslash escapes the next character of a bare value too,
    // so "password=\ X" is the password " X".
    i += (!in_uri && s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
  }
  return std::min(i, s.size());
}

bool IsKeyBoundary(std::string_view s, size_t pos) {
  if (pos == 0) return true;
  char c = s[pos - 1];
  return std::isspace(static_cast<unsigned char>(c)) || c == '?' || c == '&';
}

// Masks the value of every `password = value` assignment in `s`.
std::string MaskPasswordAssignments(std::string_view s, bool in_uri) {
  static constexpr std::string_view kKey = "password";
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    size_t hit = s.find(kKey, pos);
    if (hit == std::string_view::npos) break;
    size_t eq = hit + kKey.size();
    while (eq < s.size() && IsSpace(s[eq])) ++eq;
    if (!IsKeyBoundary(s, hit) || eq >= s.size() || s[eq] != '=') {
      out.append(s.substr(pos, hit + 1 - pos));
      pos = hit + 1;
      continue;
    }
    size_t value = eq + 1;
    while (value < s.size() && IsSpace(s[value]) && !in_uri) ++value;
    out.append(s.substr(pos, value - pos)).append(kRedacted);
    pos = ValueEnd(s, value, in_uri);
  }
  out.append(s.substr(std::min(pos, s.size())));
  return out;
}

// postgresql://user:secret@host/db: the userinfo ends at the last '@' before
// the query, so an unencoded '@' or '/' in the password is still masked.
std::string MaskUriUserinfo(std::string_view dsn) {
  size_t start = dsn.find("://") + 3;
  size_t query = dsn.find('?', start);
  size_t at = dsn.substr(0, query).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(dsn);
  size_t colon = dsn.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(dsn);
  std::string out(dsn.substr(0, colon + 1));
  out.append(kRedacted).append(dsn.substr(at));
  return out;
}

}  // namespace

std::string RedactDsn(std::string_view dsn) {
  if (IsUriDsn(dsn)) return MaskPasswordAssignments(MaskUriUserinfo(dsn), /*in_uri=*/true);
  return MaskPasswordAssignments(dsn, /*in_uri=*/false);
}

std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<std::string_view> sorted;
  for (const auto& s : secrets) {
    if (!s.empty()) sorted.push_back(s);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  std::string out(text);
  for (std::string_view secret : sorted) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

}  // namespace rs
