// Azure Storage request authorization: Shared Key signing, SAS tokens and
// bearer tokens (static, managed identity, workload identity), plus the
// crypto and date helpers they need.
//
// Secrets (account key, SAS, tokens, client assertions) live only in these
// objects and in request headers/URLs; no Status built here contains one.
#ifndef RS_STORAGE_AZURE_AUTH_INTERNAL_H_
#define RS_STORAGE_AZURE_AUTH_INTERNAL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/http_internal.h"

namespace rs::storage::internal {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);
// Raw (binary) HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// RFC 1123 date, e.g. "Wed, 25 Nov 2026 09:10:56 GMT".
std::string HttpDate(std::chrono::system_clock::time_point when);
// Milliseconds since the epoch of an RFC 1123 date; nullopt when malformed.
std::optional<int64_t> ParseHttpDateUnixMs(std::string_view text);

// The string a Shared Key signature covers (Blob service, version 2015-02-21
// and later). `url_path` is the request's encoded path; `query` holds decoded
// parameter names and values.
std::string SharedKeyStringToSign(std::string_view method, std::string_view account,
                                  std::string_view url_path, const Headers& query,
                                  const Headers& headers, uint64_t content_length);

// A source of OAuth bearer tokens for https://storage.azure.com/.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token valid for at least a few more minutes.
  virtual Result<std::string> Token() = 0;
  // "managed identity", "workload identity", "static bearer token".
  virtual std::string Kind() const = 0;
};

// Fetches a token with `fetch` and caches it until 5 minutes before it
// expires (or half its lifetime, when shorter). Thread-safe.
class CachingTokenSource : public TokenSource {
 public:
  struct Fetched {
    std::string token;
    std::chrono::system_clock::time_point expires_at;
  };
  Result<std::string> Token() override;

 protected:
  virtual Result<Fetched> Fetch() = 0;

 private:
  std::mutex mu_;
  std::string token_;                                 // guarded by mu_
  std::chrono::system_clock::time_point refresh_at_;  // guarded by mu_
};

std::shared_ptr<TokenSource> NewStaticTokenSource(std::string token);

// Where a managed identity's token comes from.
struct ManagedIdentityEndpoint {
  std::string kind;         // for messages: "managed identity", "instance metadata identity"
  std::string url;          // GET {url}?resource=https://storage.azure.com/&api-version=...
  std::string api_version;  // "2019-08-01" (App Service), "2018-02-01" (IMDS)
  std::string header_name;  // "X-IDENTITY-HEADER" (secret value) or "Metadata" ("true")
  std::string header_value;
};

// Managed identity: `client_id` (optional) picks a user-assigned identity.
std::shared_ptr<TokenSource> NewManagedIdentityTokenSource(std::shared_ptr<HttpClient> http,
                                                           ManagedIdentityEndpoint endpoint,
                                                           std::string client_id);

// How an application proves itself in the client-credentials grant.
struct ClientProof {
  enum class Kind { kSecret, kFederatedTokenFile };
  Kind kind = Kind::kSecret;
  std::string value;  // the client secret, or the path of the federated token file
};

// Client-credentials grant at {authority_host}/{tenant_id}/oauth2/v2.0/token
// with scope https://storage.azure.com/.default. A federated token file is
// re-read on every refresh (the platform rotates it).
std::shared_ptr<TokenSource> NewClientCredentialsTokenSource(std::shared_ptr<HttpClient> http,
                                                             std::string authority_host,
                                                             const std::string& tenant_id,
                                                             std::string client_id,
                                                             ClientProof proof);

// How requests to one account are authorized.
struct AzureCredential {
  enum class Kind { kSharedKey, kSas, kBearer, kAnonymous };
  Kind kind = Kind::kAnonymous;
  std::string account_key;             // decoded key bytes (kSharedKey)
  std::string sas;                     // query string without '?' (kSas)
  std::shared_ptr<TokenSource> token;  // kBearer

  // "shared key", "SAS token", "bearer token (managed identity)", ...
  std::string Describe() const;
};

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_AZURE_AUTH_INTERNAL_H_
