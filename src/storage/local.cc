// Local filesystem store. Keys map to root_/key; see local.h for the
// durability and atomicity protocol.
#include "storage/local.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "storage/key_internal.h"
#include "storage/local_file_internal.h"

namespace rs::storage {
namespace {

using internal::PosixError;
using internal::ScopedFd;

int64_t ModifiedUnixMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// Splits "a/b/c" into ("a/b", "c"); a key without '/' has an empty directory.
std::pair<std::string, std::string> SplitKey(const std::string& key) {
  size_t slash = key.find_last_of('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(std::string root) : root_(std::move(root)) {}

  Result<std::string> Get(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get", key));
    RS_ASSIGN_OR_RETURN(ScopedFd fd, OpenRegular("get", key));
    return internal::ReadAt(fd.get(), PathOf(key), 0, FileSize(fd.get()));
  }

  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get range", key));
    RS_ASSIGN_OR_RETURN(ScopedFd fd, OpenRegular("get range", key));
    uint64_t size = FileSize(fd.get());
    if (offset >= size) return std::string();
    return internal::ReadAt(fd.get(), PathOf(key), offset, std::min(length, size - offset));
  }

  Status Put(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put", key));
    auto [dir, name] = SplitKey(key);
    std::string dir_path = DirPath(dir);
    RS_RETURN_IF_ERROR(internal::MakeDirectories(dir_path));
    RS_ASSIGN_OR_RETURN(std::string temp, internal::WriteTempFile(dir_path, name, data));
    std::string target = PathOf(key);
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      int err = errno;
      ::unlink(temp.c_str());
      return PosixError("rename into place", target, err);
    }
    return internal::SyncDirectory(dir_path);
  }

  Status PutIfAbsent(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put if absent", key));
    auto [dir, name] = SplitKey(key);
    std::string dir_path = DirPath(dir);
    RS_RETURN_IF_ERROR(internal::MakeDirectories(dir_path));
    RS_ASSIGN_OR_RETURN(std::string temp, internal::WriteTempFile(dir_path, name, data));
    std::string target = PathOf(key);
    // link() fails with EEXIST when the name exists, atomically; the target
    // appears complete because the temporary file was fsynced first.
    int rc = ::link(temp.c_str(), target.c_str());
    int err = errno;
    ::unlink(temp.c_str());
    if (rc != 0) {
      if (err == EEXIST) {
        return Status::AlreadyExists("put if absent " + target + ": object already exists");
      }
      return PosixError("link into place", target, err);
    }
    return internal::SyncDirectory(dir_path);
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::vector<ObjectInfo> out;
    size_t slash = prefix.find_last_of('/');
    std::string start_dir = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
    RS_RETURN_IF_ERROR(Walk(start_dir, prefix, &out));
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("delete", key));
    std::string path = PathOf(key);
    if (::unlink(path.c_str()) == 0) return internal::SyncDirectory(DirPath(SplitKey(key).first));
    // Missing, a directory, or a parent that is a file: no object by that key.
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return Status::OK();
    return PosixError("delete", path, errno);
  }

  Result<ObjectInfo> Head(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("head", key));
    std::string path = PathOf(key);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return StatError("head", path, errno);
    if (!S_ISREG(st.st_mode)) return StatError("head", path, ENOENT);
    return ObjectInfo{key, static_cast<uint64_t>(st.st_size), ModifiedUnixMs(st)};
  }

  std::string Describe() const override { return root_; }

 private:
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }
  std::string DirPath(const std::string& dir) const {
    return dir.empty() ? root_ : root_ + "/" + dir;
  }

  static Status StatError(std::string_view step, const std::string& path, int err) {
    // ENOTDIR: a parent is a file, so no object exists under this key.
    if (err == ENOENT || err == ENOTDIR) {
      return Status::NotFound(std::string(step) + " " + path + ": object not found");
    }
    return PosixError(step, path, err);
  }

  static uint64_t FileSize(int fd) {
    struct stat st;
    return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }

  // Opens the file of `key` for reading; NotFound unless it is a regular file.
  Result<ScopedFd> OpenRegular(std::string_view step, const std::string& key) const {
    std::string path = PathOf(key);
    ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return StatError(step, path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return PosixError(step, path, errno);
    if (!S_ISREG(st.st_mode)) return StatError(step, path, ENOENT);
    return fd;
  }

  // Appends every file under root_/rel_dir whose key starts with `prefix`,
  // descending only into directories that can hold such keys.
  Status Walk(const std::string& rel_dir, const std::string& prefix,
              std::vector<ObjectInfo>* out) const {
    std::string dir_path = rel_dir.empty() ? root_ : root_ + "/" + rel_dir;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_path.c_str()), &::closedir);
    if (!dir) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
      return PosixError("list directory", dir_path, errno);
    }
    while (struct dirent* entry = ::readdir(dir.get())) {
      std::string name = entry->d_name;
      if (name == "." || name == ".." || internal::IsTempFileName(name)) continue;
      RS_RETURN_IF_ERROR(VisitEntry(rel_dir + name, prefix, out));
    }
    return Status::OK();
  }

  Status VisitEntry(const std::string& rel, const std::string& prefix,
                    std::vector<ObjectInfo>* out) const {
    std::string path = root_ + "/" + rel;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::OK();  // deleted while listing
      return PosixError("list: stat", path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      std::string as_dir = rel + "/";
      if (as_dir.starts_with(prefix) || prefix.starts_with(as_dir)) {
        return Walk(as_dir, prefix, out);
      }
      return Status::OK();
    }
    if (S_ISREG(st.st_mode) && rel.starts_with(prefix)) {
      out->push_back({rel, static_cast<uint64_t>(st.st_size), ModifiedUnixMs(st)});
    }
    return Status::OK();
  }

  std::string root_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenLocalStorage(const std::string& root_dir) {
  if (root_dir.empty()) return Status::InvalidArgument("open local storage: empty root path");
  std::string root = root_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::unique_ptr<Storage>(std::make_unique<LocalStorage>(std::move(root)));
}

}  // namespace rs::storage
