// Names of files in _delta_log (PROTOCOL.md "Delta Log Entries", "Checkpoints").
#include <fmt/format.h>

#include <charconv>

#include "delta/log_internal.h"

namespace rs::delta {
namespace {

bool ParseDigits(std::string_view text, size_t width, int64_t* out) {
  if (text.size() != width) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The 8-4-4-4-12 hex form of a UUID.
bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = text[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

}  // namespace

std::string CommitFileName(int64_t version) { return fmt::format("{:020d}.json", version); }

std::string CheckpointFileName(int64_t version) {
  return fmt::format("{:020d}.checkpoint.parquet", version);
}

LogFile ClassifyLogFile(std::string_view name) {
  LogFile f;
  int64_t version = 0;
  if (name.size() < 21 || !ParseDigits(name.substr(0, 20), 20, &version) || name[20] != '.') {
    return f;
  }
  std::string_view rest = name.substr(21);
  f.version = version;
  if (rest == "json") {
    f.kind = LogFile::Kind::kCommit;
  } else if (rest == "checkpoint.parquet") {
    f.kind = LogFile::Kind::kCheckpoint;
  } else if (rest.size() == 11 + 10 + 1 + 10 + 8 && rest.substr(0, 11) == "checkpoint." &&
             rest.substr(rest.size() - 8) == ".parquet" && rest[21] == '.') {
    int64_t part = 0;
    int64_t parts = 0;
    if (ParseDigits(rest.substr(11, 10), 10, &part) &&
        ParseDigits(rest.substr(22, 10), 10, &parts) && part >= 1 && part <= parts) {
      f.kind = LogFile::Kind::kMultiPartCheckpoint;
      f.part = static_cast<int>(part);
      f.num_parts = static_cast<int>(parts);
    }
  } else if (rest.size() == 11 + 36 + 5 && rest.substr(0, 11) == "checkpoint." &&
             IsUuid(rest.substr(11, 36)) && rest.substr(47) == ".json") {
    f.kind = LogFile::Kind::kUuidCheckpoint;
    f.json = true;
  } else if (rest.size() == 11 + 36 + 8 && rest.substr(0, 11) == "checkpoint." &&
             IsUuid(rest.substr(11, 36)) && rest.substr(47) == ".parquet") {
    f.kind = LogFile::Kind::kUuidCheckpoint;
  }
  // Anything else (.crc, compacted logs, temp files) is ignored.
  return f;
}

}  // namespace rs::delta
