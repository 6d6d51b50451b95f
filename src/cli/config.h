// Job options from flags, then the environment, then an optional JSON config
// file (--config FILE): the first source that sets a value wins. Only the CLI
// reads the environment; everything below receives job::JobOptions.
#ifndef RS_CLI_CONFIG_H_
#define RS_CLI_CONFIG_H_

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "job/options.h"
#include "storage/storage.h"

namespace rs::cli {

// Reads the environment snapshot and the optional config file (JSON object
// with keys "weights", "top_n", "compression", "row_group_bytes",
// "postgres_signals_write_required", "postgres_signals_verify_counts",
// "postgres_signals_connections", "threads"). Flags are applied by the caller afterwards.
Result<job::JobOptions> LoadJobOptions(const std::map<std::string, std::string>& env,
                                const std::string& config_path);

// Storage settings (AZURE_*, IDENTITY_*, ...) taken from the environment.
storage::StorageOptions StorageOptionsFromEnv(const std::map<std::string, std::string>& env);

}  // namespace rs::cli

#endif  // RS_CLI_CONFIG_H_
