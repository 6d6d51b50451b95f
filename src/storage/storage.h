// Object storage: one interface over local disk, memory (tests) and Azure Blob.
//
// Paths given to a Storage are relative keys under the store's root, with '/'
// separators and no leading '/' (e.g. "platinum/rankings/_delta_log/00000000000000000000.json").
// Contracts every implementation keeps (tests/storage/ pins them):
//   - Get of a missing key, and GetRange of one, fail with NotFound.
//   - Put replaces atomically: readers see the old or the new object, never a part.
//   - PutIfAbsent fails with AlreadyExists when the key exists; of two racing
//     callers exactly one succeeds. A partial object never appears under the key.
//   - List returns every object whose key starts with `prefix`, sorted by key
//     (byte order), following pagination. Keys are full keys, not relative to prefix.
//   - Delete of a missing key succeeds (idempotent).
//   - Head of a missing key fails with NotFound.
// No credential ever appears in a Status message.
//
// Thread-safety: implementations are safe for concurrent use.
#ifndef RS_STORAGE_STORAGE_H_
#define RS_STORAGE_STORAGE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rs::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size_bytes = 0;
  int64_t modified_unix_ms = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual Result<std::string> Get(const std::string& key) = 0;
  // Bytes [offset, offset + length) of the object; shorter if it ends first.
  virtual Result<std::string> GetRange(const std::string& key, uint64_t offset,
                                       uint64_t length) = 0;
  virtual Status Put(const std::string& key, std::string_view data) = 0;
  virtual Status PutIfAbsent(const std::string& key, std::string_view data) = 0;
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  virtual Status Delete(const std::string& key) = 0;
  virtual Result<ObjectInfo> Head(const std::string& key) = 0;

  // A human-readable location for messages, without credentials
  // (e.g. "/data/lake" or "abfss://c@acct.dfs.core.windows.net/lake").
  virtual std::string Describe() const = 0;
};

// Settings for opening a store, collected by the CLI from flags and the
// environment (same names as delta-rs / object_store: AZURE_STORAGE_ACCOUNT_NAME,
// AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_USE_EMULATOR,
// AZURE_STORAGE_ENDPOINT / AZURITE_BLOB_STORAGE_URL, AZURE_STORAGE_TOKEN,
// AZURE_STORAGE_CONNECTION_STRING, IDENTITY_ENDPOINT, IDENTITY_HEADER,
// AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST).
// Nothing below the CLI reads the environment: pass the variables in here.
struct StorageOptions {
  std::map<std::string, std::string> settings;
};

// Opens the store rooted at `uri`: a plain path, file://path,
// abfss://container@account.dfs.core.windows.net/path, az://container/path,
// or mem://name (a process-wide in-memory store, for tests).
Result<std::unique_ptr<Storage>> OpenStorage(const std::string& uri, const StorageOptions& options);

// A fresh, empty in-memory store.
std::unique_ptr<Storage> NewMemoryStorage();

// Joins key parts with '/', dropping empty parts and duplicate separators.
std::string JoinKey(std::string_view a, std::string_view b);

}  // namespace rs::storage

#endif  // RS_STORAGE_STORAGE_H_
