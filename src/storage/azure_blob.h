// Azure Blob Storage (and the Azurite emulator) through the Blob REST API.
//
// URIs: abfss://container@account.dfs.core.windows.net/path (also abfs://)
// and az://container/path (account from AZURE_STORAGE_ACCOUNT_NAME, or the
// connection string, or the emulator's devstoreaccount1). Every key is stored
// under `path/`. Settings (StorageOptions::settings) and auth methods are
// described in docs/storage.md.
//
// Thread-safety: a store is safe for concurrent use; HTTP connections are
// pooled and reused.
#ifndef RS_STORAGE_AZURE_BLOB_H_
#define RS_STORAGE_AZURE_BLOB_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/storage.h"

namespace rs::storage {

// Opens the container named by `uri` (nothing is sent until the first call).
// InvalidArgument for a malformed URI or contradictory settings.
Result<std::unique_ptr<Storage>> OpenAzureBlobStorage(const std::string& uri,
                                                      const StorageOptions& options);

// Creates the container named by `uri` (its path is ignored). An existing
// container is fine. For tests and the quickstart against Azurite.
[[nodiscard]] Status CreateAzureContainer(const std::string& uri, const StorageOptions& options);

}  // namespace rs::storage

#endif  // RS_STORAGE_AZURE_BLOB_H_
