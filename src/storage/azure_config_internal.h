// Resolution of an Azure Blob URI and StorageOptions settings into the
// endpoint, container, key prefix, credential and client tuning of a store.
#ifndef RS_STORAGE_AZURE_CONFIG_INTERNAL_H_
#define RS_STORAGE_AZURE_CONFIG_INTERNAL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "storage/azure_auth_internal.h"
#include "storage/http_internal.h"
#include "storage/storage.h"

namespace rs::storage::internal {

// Tuning settings (not in object_store; names are ours). Defaults in AzureConfig.
inline constexpr char kMaxRetriesSetting[] = "RS_STORAGE_MAX_RETRIES";
inline constexpr char kRetryBaseDelaySetting[] = "RS_STORAGE_RETRY_BASE_DELAY_MS";
inline constexpr char kRetryMaxDelaySetting[] = "RS_STORAGE_RETRY_MAX_DELAY_MS";
inline constexpr char kConnectTimeoutSetting[] = "RS_STORAGE_CONNECT_TIMEOUT_MS";
inline constexpr char kRequestTimeoutSetting[] = "RS_STORAGE_REQUEST_TIMEOUT_MS";
inline constexpr char kListPageSizeSetting[] = "RS_STORAGE_LIST_PAGE_SIZE";
inline constexpr char kBlockSizeSetting[] = "RS_STORAGE_BLOCK_SIZE_BYTES";
inline constexpr char kSinglePutMaxSetting[] = "RS_STORAGE_SINGLE_PUT_MAX_BYTES";
inline constexpr char kUploadConcurrencySetting[] = "RS_STORAGE_UPLOAD_CONCURRENCY";

// Their bounds (inclusive; a value outside is refused, stating the range).
inline constexpr int64_t kMaxRetries = 50;
inline constexpr int64_t kMaxMillis = 1'000'000'000;                // delays and timeouts
inline constexpr int64_t kMaxListPageSize = 5000;                   // the service's maximum
inline constexpr int64_t kMaxBlockBytes = int64_t{4000} << 20;      // Put Block's limit
inline constexpr int64_t kMaxSinglePutBytes = int64_t{5000} << 20;  // Put Blob's limit
inline constexpr int64_t kMaxUploadConcurrency = 64;

// The instance metadata service's token endpoint (VMs, scale sets, AKS nodes).
inline constexpr char kInstanceMetadataTokenUrl[] =
    "http://169.254.169.254/metadata/identity/oauth2/token";

// Azurite's documented development account and key.
inline constexpr char kDevAccount[] = "devstoreaccount1";
inline constexpr char kDevAccountKey[] =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

struct AzureConfig {
  std::string origin;     // "https://acct.blob.core.windows.net" or "http://127.0.0.1:10000"
  std::string base_path;  // "" or, for path-style endpoints, "/devstoreaccount1"
  std::string account;
  std::string container;
  std::string root;     // key prefix in the container, no leading or trailing '/'
  std::string display;  // the store's URI for messages, without credentials
  AzureCredential credential;
  HttpOptions http;
  int list_page_size = 5000;
  uint64_t block_size_bytes = uint64_t{8} << 20;
  uint64_t single_put_max_bytes = uint64_t{8} << 20;
  int upload_concurrency = 4;
};

// The URI's account, container and root, plus settings. Token sources made
// here send their requests through `http`.
Result<AzureConfig> ResolveAzureConfig(const std::string& uri, const StorageOptions& options,
                                       const std::shared_ptr<HttpClient>& http);

// Only the HTTP tuning of `options` (timeouts, retries).
Result<HttpOptions> ResolveHttpOptions(const StorageOptions& options);

// "Key=Value;Key=Value" pairs of an Azure connection string.
Result<std::map<std::string, std::string>> ParseConnectionString(const std::string& text);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_AZURE_CONFIG_INTERNAL_H_
