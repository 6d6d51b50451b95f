#include "cli/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/settings.h"
#include "signals/ranking.h"

namespace rs::cli {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const std::string* Find(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? nullptr : &it->second;
}

// The largest value any integer setting takes.
constexpr int kNoLimit = 1'000'000'000;

// The common grammar (common/settings.h), narrowed to int.
Result<int> ParseInt(const std::string& variable, const std::string& value, int min_value,
                     int max_value = kNoLimit) {
  RS_ASSIGN_OR_RETURN(int64_t v, rs::ParseInt(variable, value, min_value, max_value));
  return static_cast<int>(v);
}

Result<nlohmann::json> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("config file " + path + " cannot be opened");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(ss.str());
    if (!j.is_object()) return Status::InvalidArgument("config file " + path + ": not a JSON object");
    return j;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("config file " + path + ": invalid JSON: " + e.what());
  }
}

// A setting's text and where it came from, for messages: the environment
// variable's name, or "config file F: key".
struct Found {
  std::string value;
  std::string source;
};

// The value for `env_name`, else the config file's `file_key` rendered as text.
std::optional<Found> Lookup(const std::map<std::string, std::string>& env,
                            const nlohmann::json& file, const std::string& config_path,
                            const std::string& env_name, const std::string& file_key) {
  if (const std::string* v = Find(env, env_name)) return Found{*v, env_name};
  if (file.is_object() && file.contains(file_key)) {
    const auto& v = file[file_key];
    return Found{v.is_string() ? v.get<std::string>() : v.dump(),
                 "config file " + config_path + ": " + file_key};
  }
  return std::nullopt;
}

// Levenshtein distance, for "did you mean" on a mistyped config key.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Every key of the config file must be a setting's key: a misspelt key
// silently ignored is a setting that does nothing.
Status CheckConfigKeys(const nlohmann::json& file, const std::string& config_path) {
  std::vector<std::string> known;
  for (const SettingSpec& s : JobSettings()) {
    if (!s.file_key.empty()) known.emplace_back(s.file_key);
  }
  for (const auto& [key, value] : file.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string where = "config file " + config_path + ": unknown key '" + key + "'";
    if (key == "dsn" || key == "postgres_dsn") {
      return Status::InvalidArgument(
          where +
          ": the PostgreSQL connection string is a secret and is read only from "
          "POSTGRES_DSN or --dsn, never from a file; remove the key");
    }
    std::string best;
    size_t best_distance = 3;  // suggest only close matches
    for (const std::string& k : known) {
      size_t d = EditDistance(key, k);
      if (d < best_distance) best_distance = d, best = k;
    }
    std::string hint = best.empty() ? "" : " (did you mean '" + best + "'?)";
    return Status::InvalidArgument(
        fmt::format("{}{}; the keys are: {}", where, hint, fmt::join(known, ", ")));
  }
  return Status::OK();
}

}  // namespace

const std::vector<SettingSpec>& JobSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"POSTGRES_DSN", "", "--dsn", "unset"},
      {"POSTGRES_SIGNALS_WRITE_REQUIRED", "postgres_signals_write_required", "", "true"},
      {"POSTGRES_SIGNALS_VERIFY_COUNTS", "postgres_signals_verify_counts", "", "false"},
      {"POSTGRES_SIGNALS_CONNECTIONS", "postgres_signals_connections", "", "2"},
      {"POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", "postgres_signals_lock_timeout_ms", "", "2000"},
      {"POSTGRES_SIGNALS_SWAP_ATTEMPTS", "postgres_signals_swap_attempts", "", "5"},
      {"POSTGRES_CONNECT_TIMEOUT_SECONDS", "postgres_connect_timeout_seconds", "", "10"},
      {"POSTGRES_STATEMENT_TIMEOUT_MS", "postgres_statement_timeout_ms", "", "0"},
      {"RANKING_COMPOSITE_STRATEGY_WEIGHTS", "weights", "", "unset"},
      {"RANKING_SIGNALS_TOP_N", "top_n", "--top-n", "50"},
      {"RANKING_THREADS", "threads", "--threads", "0"},
      {"RANKING_PARQUET_COMPRESSION", "compression", "", "snappy"},
      {"RANKING_ROW_GROUP_BYTES", "row_group_bytes", "", "134217728"},
      // Read by the commands themselves, not by LoadJobOptions.
      {"RANKING_MIGRATIONS_DIR", "", "--migrations-dir", "deploy/sql/postgres/migrations"},
      {"RANKING_LOG_FORMAT", "", "--log-format", "text"},
      {"RANKING_LOG_LEVEL", "", "--log-level", "info"},
      {"", "", "--quiet", "off"},
      {"", "", "--config", "unset"},
  };
  return kSettings;
}

Result<job::JobOptions> LoadJobOptions(const std::map<std::string, std::string>& env,
                                const std::string& config_path) {
  nlohmann::json file = nlohmann::json::object();
  if (!config_path.empty()) {
    RS_ASSIGN_OR_RETURN(file, ReadConfigFile(config_path));
    RS_RETURN_IF_ERROR(CheckConfigKeys(file, config_path));
  }
  auto lookup = [&](const std::string& env_name, const std::string& file_key) {
    return Lookup(env, file, config_path, env_name, file_key);
  };
  job::JobOptions cfg;
  // Set but empty is kept as "": LoadOptionsOrFail decides, once --dsn and
  // write_required are known, whether that is a usage error or a warning.
  if (const std::string* dsn = Find(env, "POSTGRES_DSN")) cfg.replication.dsn = *dsn;
  if (auto v = lookup("POSTGRES_SIGNALS_WRITE_REQUIRED", "postgres_signals_write_required")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.write_required, ParseBool(v->source, v->value));
  }
  if (auto v = lookup("POSTGRES_SIGNALS_VERIFY_COUNTS", "postgres_signals_verify_counts")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.verify_counts, ParseBool(v->source, v->value));
  }
  if (auto v = lookup("POSTGRES_SIGNALS_CONNECTIONS", "postgres_signals_connections")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.connections, ParseInt(v->source, v->value, 1, 16));
  }
  if (auto v = lookup("POSTGRES_CONNECT_TIMEOUT_SECONDS", "postgres_connect_timeout_seconds")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.connect_timeout_s, ParseInt(v->source, v->value, 1));
  }
  if (auto v = lookup("POSTGRES_STATEMENT_TIMEOUT_MS", "postgres_statement_timeout_ms")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.statement_timeout_ms, ParseInt(v->source, v->value, 0));
  }
  if (auto v = lookup("POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", "postgres_signals_lock_timeout_ms")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.lock_timeout_ms, ParseInt(v->source, v->value, 1, 600000));
  }
  if (auto v = lookup("POSTGRES_SIGNALS_SWAP_ATTEMPTS", "postgres_signals_swap_attempts")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.swap_attempts, ParseInt(v->source, v->value, 1, 100));
  }
  // Weights are checked here, like every other setting, so a bad one is a
  // usage error naming its source before any work.
  if (const std::string* w = Find(env, "RANKING_COMPOSITE_STRATEGY_WEIGHTS")) {
    cfg.compute.weights_json = *w;
    RS_RETURN_IF_ERROR_CTX(signals::ParseWeights(*w).status(), "RANKING_COMPOSITE_STRATEGY_WEIGHTS");
  } else if (file.contains("weights")) {
    cfg.compute.weights_json = file["weights"].dump();
    RS_RETURN_IF_ERROR_CTX(signals::ParseWeights(cfg.compute.weights_json).status(),
                           "config file " + config_path + ": weights");
  }
  if (auto v = lookup("RANKING_SIGNALS_TOP_N", "top_n")) {
    RS_ASSIGN_OR_RETURN(cfg.compute.top_n, ParseInt(v->source, v->value, 1, job::kMaxTopN));
  }
  if (auto v = lookup("RANKING_THREADS", "threads")) {
    RS_ASSIGN_OR_RETURN(cfg.compute.threads, ParseInt(v->source, v->value, 0, job::kMaxThreads));
  }
  if (auto v = lookup("RANKING_PARQUET_COMPRESSION", "compression")) {
    std::string c = Lower(Trim(v->value));
    if (c == "snappy") {
      cfg.output.compression = parquet::Compression::kSnappy;
    } else if (c == "zstd") {
      cfg.output.compression = parquet::Compression::kZstd;
    } else if (c == "gzip") {
      cfg.output.compression = parquet::Compression::kGzip;
    } else if (c == "none") {
      cfg.output.compression = parquet::Compression::kNone;
    } else {
      return Status::InvalidArgument(v->source + "='" + v->value +
                                     "' is not one of snappy, zstd, gzip, none");
    }
  }
  if (auto v = lookup("RANKING_ROW_GROUP_BYTES", "row_group_bytes")) {
    RS_ASSIGN_OR_RETURN(int bytes, ParseInt(v->source, v->value, 1024));
    cfg.output.row_group_bytes = bytes;
  }
  return cfg;
}

storage::StorageOptions StorageOptionsFromEnv(const std::map<std::string, std::string>& env) {
  storage::StorageOptions opts;
  for (const auto& [k, v] : env) {
    if (k.rfind("AZURE_", 0) == 0 || k.rfind("RS_STORAGE_", 0) == 0 ||
        k == "AZURITE_BLOB_STORAGE_URL" || k == "IDENTITY_ENDPOINT" || k == "IDENTITY_HEADER") {
      opts.settings[k] = v;
    }
  }
  return opts;
}

}  // namespace rs::cli
