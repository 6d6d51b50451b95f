// URI and settings resolution for Azure Blob stores. Messages name the
// setting at fault, never its value when it is a secret.
#include "common/settings.h"
#include "storage/azure_config_internal.h"
#include "storage/uri_internal.h"

namespace rs::storage::internal {
namespace {

using Settings = std::map<std::string, std::string>;

std::string Get(const Settings& s, const std::string& name) {
  auto it = s.find(name);
  return it == s.end() ? std::string() : it->second;
}

// Settings that are set follow the common grammar (common/settings.h), as
// the CLI's do; an unset boolean is false, an unset number keeps `*out`.
Result<bool> ParseBool(const Settings& s, const std::string& name) {
  auto it = s.find(name);
  if (it == s.end()) return false;
  return rs::ParseBool(name, it->second);
}

template <typename T>
Status ParseInt(const Settings& s, const char* name, int64_t min, int64_t max, T* out) {
  auto it = s.find(name);
  if (it == s.end()) return Status::OK();
  RS_ASSIGN_OR_RETURN(int64_t value, rs::ParseInt(name, it->second, min, max));
  *out = static_cast<T>(value);
  return Status::OK();
}

bool IsValidContainerName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  if (name.front() == '-' || name.back() == '-' || name.find("--") != std::string::npos) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

struct ParsedUri {
  std::string container;
  std::string account;  // empty for az://
  std::string endpoint_suffix;
  std::string root;
};

// "a//b/" -> "a/b", percent-decoded.
Result<std::string> NormalizeRoot(std::string_view path) {
  RS_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(path));
  return JoinKey(decoded, "");
}

Result<ParsedUri> ParseUri(const std::string& uri) {
  size_t scheme_end = uri.find("://");
  std::string scheme = uri.substr(0, scheme_end);
  std::string rest = uri.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  ParsedUri parsed;
  RS_ASSIGN_OR_RETURN(parsed.root,
                      NormalizeRoot(slash == std::string::npos ? "" : rest.substr(slash)));
  if (scheme == "abfss" || scheme == "abfs") {
    size_t at = authority.find('@');
    if (at == std::string::npos) {
      return Status::InvalidArgument("expected " + scheme +
                                     "://container@account.dfs.core.windows.net/path");
    }
    parsed.container = authority.substr(0, at);
    std::string host = authority.substr(at + 1);
    size_t dot = host.find('.');
    parsed.account = host.substr(0, dot);
    std::string after = dot == std::string::npos ? "" : host.substr(dot + 1);
    for (std::string_view service : {"dfs.", "blob."}) {
      if (after.starts_with(service)) after = after.substr(service.size());
    }
    parsed.endpoint_suffix = after.empty() ? "core.windows.net" : after;
  } else {
    parsed.container = authority;
  }
  if (!IsValidContainerName(parsed.container)) {
    return Status::InvalidArgument("container name '" + parsed.container +
                                   "' is invalid: use 3-63 lowercase letters, digits and '-'");
  }
  return parsed;
}

// Splits "http://host:port/path/" into origin and path ("" or "/path").
Result<std::pair<std::string, std::string>> SplitEndpoint(const std::string& setting,
                                                          std::string url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || url.find('?') != std::string::npos) {
    return Status::InvalidArgument("setting " + setting + "='" + RedactUrl(url) +
                                   "': expected http(s)://host[:port][/account]");
  }
  while (url.size() > scheme_end + 3 && url.back() == '/') url.pop_back();
  size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return std::make_pair(url, std::string());
  return std::make_pair(url.substr(0, path_start), url.substr(path_start));
}

struct Sources {
  const Settings& settings;
  Settings conn;  // parsed AZURE_STORAGE_CONNECTION_STRING
  bool emulator = false;
};

Status ResolveEndpoint(const Sources& src, const ParsedUri& uri, AzureConfig* config) {
  std::string endpoint_setting = "AZURE_STORAGE_ENDPOINT";
  std::string endpoint = Get(src.settings, endpoint_setting);
  if (endpoint.empty()) {
    endpoint_setting = "AZURITE_BLOB_STORAGE_URL";
    endpoint = Get(src.settings, endpoint_setting);
  }
  if (endpoint.empty()) {
    endpoint_setting = "AZURE_STORAGE_CONNECTION_STRING BlobEndpoint";
    endpoint = Get(src.conn, "BlobEndpoint");
  }
  // Account: from the URI, the settings, the connection string, the emulator,
  // or the first segment of a path-style endpoint.
  config->account = uri.account;
  if (config->account.empty()) config->account = Get(src.settings, "AZURE_STORAGE_ACCOUNT_NAME");
  if (config->account.empty()) config->account = Get(src.conn, "AccountName");
  if (config->account.empty() && src.emulator) config->account = kDevAccount;
  if (endpoint.empty()) {
    if (src.emulator) {
      endpoint = "http://127.0.0.1:10000";
    } else if (!config->account.empty()) {
      std::string protocol = Get(src.conn, "DefaultEndpointsProtocol");
      std::string suffix = Get(src.conn, "EndpointSuffix");
      if (suffix.empty())
        suffix = uri.endpoint_suffix.empty() ? "core.windows.net" : uri.endpoint_suffix;
      endpoint =
          (protocol.empty() ? "https" : protocol) + "://" + config->account + ".blob." + suffix;
    }
  }
  if (endpoint.empty() || (config->account.empty() && endpoint.find("://") == std::string::npos)) {
    return Status::InvalidArgument(
        "storage account unknown: use abfss://container@account.dfs.core.windows.net/path or set "
        "AZURE_STORAGE_ACCOUNT_NAME");
  }
  RS_ASSIGN_OR_RETURN(auto split, SplitEndpoint(endpoint_setting, endpoint));
  config->origin = split.first;
  config->base_path = split.second;
  if (config->account.empty() && !config->base_path.empty()) {
    config->account = config->base_path.substr(1, config->base_path.find('/', 1) - 1);
  }
  if (config->account.empty()) {
    return Status::InvalidArgument("storage account unknown: set AZURE_STORAGE_ACCOUNT_NAME");
  }
  // The emulator is path-style: the account is the first path segment.
  if (src.emulator && config->base_path.empty()) config->base_path = "/" + config->account;
  return Status::OK();
}

Status SetSharedKey(const std::string& setting, const std::string& key_b64,
                    AzureCredential* credential) {
  Result<std::string> key = Base64Decode(key_b64);
  if (!key.ok() || key->empty()) {
    return Status::InvalidArgument(setting + " is not a valid base64 account key");
  }
  credential->kind = AzureCredential::Kind::kSharedKey;
  credential->account_key = std::move(key).value();
  return Status::OK();
}

// The client-credentials grant, which needs the application and its tenant.
Status SetClientCredentials(const Settings& s, const std::shared_ptr<HttpClient>& http,
                            const std::string& setting, ClientProof proof,
                            AzureCredential* credential) {
  const char* what =
      proof.kind == ClientProof::Kind::kSecret ? "a service principal" : "workload identity";
  if (Get(s, "AZURE_CLIENT_ID").empty() || Get(s, "AZURE_TENANT_ID").empty()) {
    return Status::InvalidArgument(setting + " is set: " + what +
                                   " also needs AZURE_CLIENT_ID and AZURE_TENANT_ID");
  }
  std::string authority = Get(s, "AZURE_AUTHORITY_HOST");
  if (authority.empty()) authority = "https://login.microsoftonline.com";
  credential->kind = AzureCredential::Kind::kBearer;
  credential->token = NewClientCredentialsTokenSource(http, authority, Get(s, "AZURE_TENANT_ID"),
                                                      Get(s, "AZURE_CLIENT_ID"), std::move(proof));
  return Status::OK();
}

// Managed identity: the App Service / Container Apps endpoint when the
// platform sets one, else the instance metadata service when asked for.
Result<bool> SetManagedIdentity(const Settings& s, const std::shared_ptr<HttpClient>& http,
                                AzureCredential* credential) {
  ManagedIdentityEndpoint endpoint;
  if (!Get(s, "IDENTITY_ENDPOINT").empty() && !Get(s, "IDENTITY_HEADER").empty()) {
    endpoint = {"managed identity", Get(s, "IDENTITY_ENDPOINT"), "2019-08-01", "X-IDENTITY-HEADER",
                Get(s, "IDENTITY_HEADER")};
  } else {
    RS_ASSIGN_OR_RETURN(bool use_imds, ParseBool(s, "AZURE_USE_MANAGED_IDENTITY"));
    std::string url = Get(s, "AZURE_MSI_ENDPOINT");
    if (!use_imds && url.empty()) return false;
    if (url.empty()) url = kInstanceMetadataTokenUrl;
    endpoint = {"instance metadata identity", url, "2018-02-01", "Metadata", "true"};
  }
  credential->kind = AzureCredential::Kind::kBearer;
  credential->token =
      NewManagedIdentityTokenSource(http, std::move(endpoint), Get(s, "AZURE_CLIENT_ID"));
  return true;
}

Status ResolveCredential(const Sources& src, const std::shared_ptr<HttpClient>& http,
                         AzureCredential* credential) {
  const Settings& s = src.settings;
  RS_ASSIGN_OR_RETURN(bool skip_signature, ParseBool(s, "AZURE_SKIP_SIGNATURE"));
  if (skip_signature) {
    credential->kind = AzureCredential::Kind::kAnonymous;
    return Status::OK();
  }
  for (const char* name : {"AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_ACCESS_KEY"}) {
    if (!Get(s, name).empty()) return SetSharedKey(name, Get(s, name), credential);
  }
  if (!Get(src.conn, "AccountKey").empty()) {
    return SetSharedKey("AZURE_STORAGE_CONNECTION_STRING AccountKey", Get(src.conn, "AccountKey"),
                        credential);
  }
  std::string sas = Get(s, "AZURE_STORAGE_SAS_TOKEN");
  if (sas.empty()) sas = Get(s, "AZURE_STORAGE_SAS_KEY");  // delta-rs / object_store's name
  if (sas.empty()) sas = Get(src.conn, "SharedAccessSignature");
  if (!sas.empty()) {
    credential->kind = AzureCredential::Kind::kSas;
    credential->sas = sas.front() == '?' ? sas.substr(1) : sas;
    return Status::OK();
  }
  if (!Get(s, "AZURE_STORAGE_TOKEN").empty()) {
    credential->kind = AzureCredential::Kind::kBearer;
    credential->token = NewStaticTokenSource(Get(s, "AZURE_STORAGE_TOKEN"));
    return Status::OK();
  }
  if (!Get(s, "AZURE_CLIENT_SECRET").empty()) {
    return SetClientCredentials(s, http, "AZURE_CLIENT_SECRET",
                                {ClientProof::Kind::kSecret, Get(s, "AZURE_CLIENT_SECRET")},
                                credential);
  }
  if (!Get(s, "AZURE_FEDERATED_TOKEN_FILE").empty()) {
    return SetClientCredentials(
        s, http, "AZURE_FEDERATED_TOKEN_FILE",
        {ClientProof::Kind::kFederatedTokenFile, Get(s, "AZURE_FEDERATED_TOKEN_FILE")}, credential);
  }
  RS_ASSIGN_OR_RETURN(bool managed, SetManagedIdentity(s, http, credential));
  if (managed) return Status::OK();
  if (src.emulator) return SetSharedKey("emulator key", kDevAccountKey, credential);
  return Status::InvalidArgument(
      "no credentials: set AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_TOKEN, "
      "AZURE_STORAGE_TOKEN, AZURE_STORAGE_CONNECTION_STRING, a service principal "
      "(AZURE_CLIENT_SECRET, AZURE_CLIENT_ID, AZURE_TENANT_ID), workload identity "
      "(AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID), or managed identity "
      "(IDENTITY_ENDPOINT and IDENTITY_HEADER on App Service and Container Apps; "
      "AZURE_USE_MANAGED_IDENTITY=true for the instance metadata service of VMs and AKS)");
}

Status ResolveTuning(const Settings& s, AzureConfig* config) {
  RS_RETURN_IF_ERROR(
      ParseInt(s, kListPageSizeSetting, 1, kMaxListPageSize, &config->list_page_size));
  RS_RETURN_IF_ERROR(ParseInt(s, kBlockSizeSetting, 1, kMaxBlockBytes, &config->block_size_bytes));
  RS_RETURN_IF_ERROR(
      ParseInt(s, kSinglePutMaxSetting, 0, kMaxSinglePutBytes, &config->single_put_max_bytes));
  RS_RETURN_IF_ERROR(ParseInt(s, kUploadConcurrencySetting, 1, kMaxUploadConcurrency,
                              &config->upload_concurrency));
  return Status::OK();
}

}  // namespace

Result<std::map<std::string, std::string>> ParseConnectionString(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0) {
      // Never echo the part: it may be a key.
      return Status::InvalidArgument(
          "AZURE_STORAGE_CONNECTION_STRING: expected Key=Value pairs separated by ';'");
    }
    out[part.substr(0, eq)] = part.substr(eq + 1);
  }
  return out;
}

Result<HttpOptions> ResolveHttpOptions(const StorageOptions& options) {
  const Settings& s = options.settings;
  HttpOptions http;
  RS_RETURN_IF_ERROR(ParseInt(s, kMaxRetriesSetting, 0, kMaxRetries, &http.max_retries));
  RS_RETURN_IF_ERROR(ParseInt(s, kRetryBaseDelaySetting, 0, kMaxMillis, &http.retry_base_delay_ms));
  RS_RETURN_IF_ERROR(ParseInt(s, kRetryMaxDelaySetting, 0, kMaxMillis, &http.retry_max_delay_ms));
  RS_RETURN_IF_ERROR(ParseInt(s, kConnectTimeoutSetting, 1, kMaxMillis, &http.connect_timeout_ms));
  RS_RETURN_IF_ERROR(ParseInt(s, kRequestTimeoutSetting, 1, kMaxMillis, &http.request_timeout_ms));
  return http;
}

Result<AzureConfig> ResolveAzureConfig(const std::string& uri, const StorageOptions& options,
                                       const std::shared_ptr<HttpClient>& http) {
  RS_ASSIGN_OR_RETURN(bool emulator, ParseBool(options.settings, "AZURE_STORAGE_USE_EMULATOR"));
  Sources src{options.settings, {}, emulator};
  std::string conn_text = Get(options.settings, "AZURE_STORAGE_CONNECTION_STRING");
  if (!conn_text.empty()) {
    RS_ASSIGN_OR_RETURN(src.conn, ParseConnectionString(conn_text));
    RS_ASSIGN_OR_RETURN(bool dev, ParseBool(src.conn, "UseDevelopmentStorage"));
    if (dev) src.emulator = true;
  }
  RS_ASSIGN_OR_RETURN(ParsedUri parsed, ParseUri(uri));
  AzureConfig config;
  config.container = parsed.container;
  config.root = parsed.root;
  RS_RETURN_IF_ERROR(ResolveEndpoint(src, parsed, &config));
  RS_RETURN_IF_ERROR(ResolveCredential(src, http, &config.credential));
  RS_ASSIGN_OR_RETURN(config.http, ResolveHttpOptions(options));
  RS_RETURN_IF_ERROR(ResolveTuning(options.settings, &config));
  config.display = RedactUrl(uri);
  // Name the endpoint when it is not the account's public one.
  if (config.origin != "https://" + config.account + ".blob." + parsed.endpoint_suffix) {
    config.display += " (" + config.origin + config.base_path + ")";
  }
  return config;
}

}  // namespace rs::storage::internal
