// Local filesystem store: keys are files under a root directory.
//
// Atomicity: Put writes a temporary file next to the target
// (".<name>.rs-tmp-<random>"), fsyncs it, renames it over the target and
// fsyncs the directory; PutIfAbsent links the fsynced temporary file to the
// target name, which fails atomically when the name exists. Readers never see
// a partial file under a key. Directories are created on demand (and fsynced);
// Delete removes only the file, never directories. List skips temporary files.
// Errors carry the path and the system's error text.
//
// Thread-safety: safe for concurrent use, also by several processes.
#ifndef RS_STORAGE_LOCAL_H_
#define RS_STORAGE_LOCAL_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/storage.h"

namespace rs::storage {

// A store rooted at `root_dir` (absolute or relative to the working
// directory). The directory need not exist yet: the first Put creates it.
// Fails with InvalidArgument for an empty path.
Result<std::unique_ptr<Storage>> OpenLocalStorage(const std::string& root_dir);

}  // namespace rs::storage

#endif  // RS_STORAGE_LOCAL_H_
