// Job configuration from flags, then the environment, then an optional JSON
// config file (--config FILE): the first source that sets a value wins.
// Only the CLI reads the environment; everything below receives this struct.
#ifndef RS_CLI_CONFIG_H_
#define RS_CLI_CONFIG_H_

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "storage/storage.h"

namespace rs::cli {

// Parses an operator boolean: true/false, 1/0, yes/no, y/n, on/off, trimmed,
// any case. Anything else is InvalidArgument naming `variable`.
Result<bool> ParseBool(const std::string& variable, const std::string& value);

struct ReplicationConfig {
  std::optional<std::string> dsn;   // POSTGRES_DSN: replication on when set (a secret)
  bool write_required = true;       // POSTGRES_SIGNALS_WRITE_REQUIRED
  bool verify_counts = false;       // POSTGRES_SIGNALS_VERIFY_COUNTS
  int connections = 2;              // POSTGRES_SIGNALS_CONNECTIONS: months replicated at once
  int connect_timeout_s = 10;
  int statement_timeout_ms = 0;     // 0 = server default
};

struct EngineConfig {
  std::string weights_json;         // RANKING_COMPOSITE_STRATEGY_WEIGHTS (empty = 1.0 each)
  int top_n = 50;                   // RANKING_SIGNALS_TOP_N
  int threads = 0;                  // 0 = all cores
};

struct OutputConfig {
  std::string compression = "snappy";  // parquet codec: snappy, zstd, gzip, none
  int64_t row_group_bytes = 128ll << 20;
  int64_t target_file_rows = 0;        // 0 = one file per month
};

struct JobConfig {
  ReplicationConfig replication;
  EngineConfig engine;
  OutputConfig output;
};

// Reads the environment snapshot and the optional config file (JSON object
// with keys "weights", "top_n", "compression", "row_group_bytes",
// "postgres_signals_write_required", "postgres_signals_verify_counts",
// "postgres_signals_connections", "threads"). Flags are applied by the caller afterwards.
Result<JobConfig> LoadJobConfig(const std::map<std::string, std::string>& env,
                                const std::string& config_path);

// Storage settings (AZURE_*, IDENTITY_*, ...) taken from the environment.
storage::StorageOptions StorageOptionsFromEnv(const std::map<std::string, std::string>& env);

}  // namespace rs::cli

#endif  // RS_CLI_CONFIG_H_
