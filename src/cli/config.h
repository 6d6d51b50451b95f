// Job options from flags, then the environment, then an optional JSON config
// file (--config FILE): the first source that sets a value wins. Only the CLI
// reads the environment; everything below receives job::JobOptions.
#ifndef RS_CLI_CONFIG_H_
#define RS_CLI_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "job/options.h"
#include "storage/storage.h"

namespace rs::cli {

// One job setting and every place it can be given. docs/operations.md's
// "Settings" table lists the same rows (tests/cli/config_test.cc compares them).
struct SettingSpec {
  std::string env;           // environment variable
  std::string file_key;      // key of the --config JSON file; "" if the file cannot set it
  std::string flag;          // command-line flag that overrides it; "" if none
  std::string default_text;  // the default, as the docs table shows it
};

// Every setting of the job commands, in the docs table's order.
const std::vector<SettingSpec>& JobSettings();

// Reads the environment snapshot and the optional config file (a JSON object
// whose keys are JobSettings()' file keys; any other key is an InvalidArgument
// naming it). An error about a value names where it came from: the variable,
// or "config file F: key". Flags are applied by the caller afterwards.
Result<job::JobOptions> LoadJobOptions(const std::map<std::string, std::string>& env,
                                const std::string& config_path);

// Storage settings (AZURE_*, IDENTITY_*, ...) taken from the environment.
storage::StorageOptions StorageOptionsFromEnv(const std::map<std::string, std::string>& env);

}  // namespace rs::cli

#endif  // RS_CLI_CONFIG_H_
