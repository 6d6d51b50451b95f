#include "storage/azure_blob.h"

namespace rs::storage {

Result<std::unique_ptr<Storage>> OpenAzureBlobStorage(const std::string& uri,
                                                      const StorageOptions&) {
  return Status::Unimplemented("open storage " + uri + ": Azure Blob support is in progress");
}

Status CreateAzureContainer(const std::string& uri, const StorageOptions&) {
  return Status::Unimplemented("create container " + uri + ": Azure Blob support is in progress");
}

}  // namespace rs::storage
