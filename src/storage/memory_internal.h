// In-memory stores: fresh ones (NewMemoryStorage) and the process-wide
// registry behind mem://NAME URIs.
#ifndef RS_STORAGE_MEMORY_INTERNAL_H_
#define RS_STORAGE_MEMORY_INTERNAL_H_

#include <memory>
#include <string>

#include "storage/storage.h"

namespace rs::storage::internal {

// The store registered under `name`, created empty on first use. Every call
// with the same name returns a handle onto the same objects, for the life of
// the process.
std::unique_ptr<Storage> OpenNamedMemoryStorage(const std::string& name);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_MEMORY_INTERNAL_H_
