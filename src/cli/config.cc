#include "cli/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

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

// The value for `env_name`, else the config file's `file_key` rendered as text.
std::optional<std::string> Lookup(const std::map<std::string, std::string>& env,
                                  const nlohmann::json& file, const std::string& env_name,
                                  const std::string& file_key) {
  if (const std::string* v = Find(env, env_name)) return *v;
  if (file.is_object() && file.contains(file_key)) {
    const auto& v = file[file_key];
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  return std::nullopt;
}

}  // namespace

Result<job::JobOptions> LoadJobOptions(const std::map<std::string, std::string>& env,
                                const std::string& config_path) {
  nlohmann::json file = nlohmann::json::object();
  if (!config_path.empty()) {
    RS_ASSIGN_OR_RETURN(file, ReadConfigFile(config_path));
  }
  job::JobOptions cfg;
  // Set but empty is kept as "": LoadOptionsOrFail decides, once --dsn and
  // write_required are known, whether that is a usage error or a warning.
  if (const std::string* dsn = Find(env, "POSTGRES_DSN")) cfg.replication.dsn = *dsn;
  if (auto v = Lookup(env, file, "POSTGRES_SIGNALS_WRITE_REQUIRED", "postgres_signals_write_required")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.write_required, ParseBool("POSTGRES_SIGNALS_WRITE_REQUIRED", *v));
  }
  if (auto v = Lookup(env, file, "POSTGRES_SIGNALS_VERIFY_COUNTS", "postgres_signals_verify_counts")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.verify_counts, ParseBool("POSTGRES_SIGNALS_VERIFY_COUNTS", *v));
  }
  if (auto v = Lookup(env, file, "POSTGRES_SIGNALS_CONNECTIONS", "postgres_signals_connections")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.connections,
                        ParseInt("POSTGRES_SIGNALS_CONNECTIONS", *v, 1, 16));
  }
  if (auto v = Lookup(env, file, "POSTGRES_CONNECT_TIMEOUT_SECONDS", "postgres_connect_timeout_seconds")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.connect_timeout_s, ParseInt("POSTGRES_CONNECT_TIMEOUT_SECONDS", *v, 1));
  }
  if (auto v = Lookup(env, file, "POSTGRES_STATEMENT_TIMEOUT_MS", "postgres_statement_timeout_ms")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.statement_timeout_ms, ParseInt("POSTGRES_STATEMENT_TIMEOUT_MS", *v, 0));
  }
  if (auto v = Lookup(env, file, "POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", "postgres_signals_lock_timeout_ms")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.lock_timeout_ms,
                        ParseInt("POSTGRES_SIGNALS_LOCK_TIMEOUT_MS", *v, 1, 600000));
  }
  if (auto v = Lookup(env, file, "POSTGRES_SIGNALS_SWAP_ATTEMPTS", "postgres_signals_swap_attempts")) {
    RS_ASSIGN_OR_RETURN(cfg.replication.swap_attempts,
                        ParseInt("POSTGRES_SIGNALS_SWAP_ATTEMPTS", *v, 1, 100));
  }
  // Weights are checked here, like every other setting, so a bad one is a
  // usage error naming its source before any work.
  if (const std::string* w = Find(env, "RANKING_COMPOSITE_STRATEGY_WEIGHTS")) {
    cfg.compute.weights_json = *w;
    RS_RETURN_IF_ERROR_CTX(signals::ParseWeights(*w).status(), "RANKING_COMPOSITE_STRATEGY_WEIGHTS");
  } else if (file.contains("weights")) {
    cfg.compute.weights_json = file["weights"].dump();
    RS_RETURN_IF_ERROR_CTX(signals::ParseWeights(cfg.compute.weights_json).status(),
                           "config file " + config_path + ": key 'weights'");
  }
  if (auto v = Lookup(env, file, "RANKING_SIGNALS_TOP_N", "top_n")) {
    RS_ASSIGN_OR_RETURN(cfg.compute.top_n, ParseInt("RANKING_SIGNALS_TOP_N", *v, 1, job::kMaxTopN));
  }
  if (auto v = Lookup(env, file, "RANKING_THREADS", "threads")) {
    RS_ASSIGN_OR_RETURN(cfg.compute.threads, ParseInt("RANKING_THREADS", *v, 0, job::kMaxThreads));
  }
  if (auto v = Lookup(env, file, "RANKING_PARQUET_COMPRESSION", "compression")) {
    std::string c = Lower(Trim(*v));
    if (c == "snappy") {
      cfg.output.compression = parquet::Compression::kSnappy;
    } else if (c == "zstd") {
      cfg.output.compression = parquet::Compression::kZstd;
    } else if (c == "gzip") {
      cfg.output.compression = parquet::Compression::kGzip;
    } else if (c == "none") {
      cfg.output.compression = parquet::Compression::kNone;
    } else {
      return Status::InvalidArgument("RANKING_PARQUET_COMPRESSION='" + *v +
                                     "' is not one of snappy, zstd, gzip, none");
    }
  }
  if (auto v = Lookup(env, file, "RANKING_ROW_GROUP_BYTES", "row_group_bytes")) {
    RS_ASSIGN_OR_RETURN(int bytes, ParseInt("RANKING_ROW_GROUP_BYTES", *v, 1024));
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
