// Internals of the Delta log: actions, their JSON form, log file names,
// schema strings, partition value strings and path escaping.
// PROTOCOL.md (delta-io/delta) is the reference for every format here.
#ifndef RS_DELTA_LOG_INTERNAL_H_
#define RS_DELTA_LOG_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/columnar.h"
#include "common/status.h"
#include "delta/table.h"

namespace rs::delta {

inline constexpr std::string_view kLogDir = "_delta_log";

struct CommitInfo {
  std::optional<int64_t> timestamp_ms;
  std::string operation;
  nlohmann::json operation_parameters;  // object or null
  // Delta engines' operationMetrics: counts as decimal strings
  // (numAddedFiles, numRemovedFiles, numOutputRows, numOutputBytes, ...).
  nlohmann::json operation_metrics;  // object or null
  std::string run_id;
  std::string txn_id;
  std::string engine_info;
};

struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated_ms;
};

// One line of a commit file (or one row of a checkpoint).
struct Action {
  enum class Kind { kAdd, kRemove, kMetadata, kProtocol, kTxn, kCommitInfo, kOther };
  Kind kind = Kind::kOther;
  AddFile add;
  RemoveFile remove;
  Metadata metadata;
  Protocol protocol;
  Txn txn;
  CommitInfo commit_info;
};

// --- JSON actions (actions.cc) ---

// Parses a commit file (newline-delimited JSON). `name` is used in messages.
Result<std::vector<Action>> ParseCommit(std::string_view text, const std::string& name);
Result<Action> ParseActionJson(const nlohmann::json& line);
// One action as a compact JSON line (no trailing newline).
std::string ActionToJson(const Action& action);
// Key of a file action: path plus deletion-vector id.
std::string FileActionKey(const std::string& path, const std::string& dv_id);
// numRecords from a stats JSON string, when present and well-formed.
std::optional<int64_t> NumRecordsFromStats(std::string_view stats_json);

// --- log file names (log_files.cc) ---

std::string CommitFileName(int64_t version);             // 00000000000000000007.json
std::string CheckpointFileName(int64_t version);         // 00000000000000000010.checkpoint.parquet
struct LogFile {
  // kCheckpoint: classic <v>.checkpoint.parquet (V1 or V2 spec);
  // kUuidCheckpoint: <v>.checkpoint.<uuid>.json|parquet (always V2 spec).
  enum class Kind { kCommit, kCheckpoint, kMultiPartCheckpoint, kUuidCheckpoint, kOther };
  Kind kind = Kind::kOther;
  int64_t version = -1;
  int part = 0;        // multi-part: 1-based part number
  int num_parts = 0;   // multi-part: total parts
  bool json = false;   // UUID-named: JSON (else Parquet)
  std::string key;     // full storage key
  uint64_t size_bytes = 0;
  int64_t modified_unix_ms = 0;
};
// Classifies a file name inside _delta_log (not a full key).
LogFile ClassifyLogFile(std::string_view name);

// --- schema strings (schema_json.cc) ---

Result<Schema> ParseSchemaString(std::string_view schema_string);
Result<DataType> ParseDataTypeJson(const nlohmann::json& type);
// Spark-compatible schemaString (with empty field metadata).
std::string SchemaToString(const Schema& schema);
// {type,...} / "long" form without metadata, as `table info` prints it.
nlohmann::ordered_json DataTypeToJson(const DataType& type, bool with_metadata);
nlohmann::ordered_json SchemaFieldsToJson(const Schema& schema, bool with_metadata);
std::string PrimitiveTypeName(const DataType& type);

// --- partition values and paths (partition_values.cc) ---

// Converts a partition value string to a Value of `type`; nullopt or "" = null.
Result<Value> ParsePartitionValue(const std::optional<std::string>& text, const DataType& type);
// The partition value string for a Value (inverse of ParsePartitionValue).
Result<std::optional<std::string>> FormatPartitionValue(const Value& value, const DataType& type);
// Decimal text with exactly `scale` fraction digits; `v` holds the unscaled
// value (Int, or Bytes: big-endian two's complement).
std::string DecimalToString(const Value& v, int scale);
// Decodes %XX escapes once (add.path is a URI-encoded relative path).
Result<std::string> UnescapePath(std::string_view path);
// Escapes characters that need it in a URI path (keeps '/').
std::string EscapePath(std::string_view path);
// Hive directory escaping of a partition value (':' -> %3A, ...).
std::string EscapePartitionDirValue(std::string_view value);
// Parses "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z]" as micros since epoch (UTC).
Result<int64_t> ParseTimestampMicros(std::string_view text);
Result<int32_t> ParseDateDays(std::string_view text);

// A random RFC 4122 version-4 UUID.
std::string NewUuid();

}  // namespace rs::delta

#endif  // RS_DELTA_LOG_INTERNAL_H_
