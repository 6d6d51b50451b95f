#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "storage/key_internal.h"
#include "storage/local_file_internal.h"

namespace rs::storage::internal {

ScopedFd::~ScopedFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status PosixError(std::string_view step, const std::string& path, int errnum) {
  std::string message = std::string(step) + " " + path + ": " + std::strerror(errnum);
  if (errnum == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

Status WriteAll(int fd, const std::string& path, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Result<std::string> ReadAt(int fd, const std::string& path, uint64_t offset, uint64_t length) {
  std::string out;
  out.resize(length);
  uint64_t filled = 0;
  while (filled < length) {
    ssize_t n =
        ::pread(fd, out.data() + filled, length - filled, static_cast<off_t>(offset + filled));
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("read", path, errno);
    }
    if (n == 0) break;
    filled += static_cast<uint64_t>(n);
  }
  out.resize(filled);
  return out;
}

Status SyncDirectory(const std::string& dir) {
  ScopedFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return PosixError("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return PosixError("fsync directory", dir, errno);
  return Status::OK();
}

namespace {

std::string ParentOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string RandomSuffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  uint64_t bits = rng();
  for (char& c : out) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

}  // namespace

Status MakeDirectories(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::OK();
    return PosixError("create directory", dir, ENOTDIR);
  }
  std::string parent = ParentOf(dir);
  if (parent != dir) RS_RETURN_IF_ERROR(MakeDirectories(parent));
  if (::mkdir(dir.c_str(), 0777) != 0) {
    if (errno == EEXIST) return Status::OK();  // a concurrent writer made it
    return PosixError("create directory", dir, errno);
  }
  return SyncDirectory(parent);
}

Result<std::string> WriteTempFile(const std::string& dir, std::string_view base_name,
                                  std::string_view data) {
  std::string path =
      dir + "/." + std::string(base_name) + std::string(kTempMarker) + RandomSuffix();
  ScopedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd.valid()) return PosixError("create temporary file", path, errno);
  Status status = WriteAll(fd.get(), path, data);
  if (status.ok() && ::fsync(fd.get()) != 0) status = PosixError("fsync", path, errno);
  if (status.ok() && ::close(fd.Release()) != 0) status = PosixError("close", path, errno);
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  return path;
}

}  // namespace rs::storage::internal
