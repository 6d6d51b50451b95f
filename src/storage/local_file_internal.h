// POSIX helpers of the local store: an owning file descriptor and the
// durable-write steps (write all, fsync, fsync a directory, mkdir -p).
#ifndef RS_STORAGE_LOCAL_FILE_INTERNAL_H_
#define RS_STORAGE_LOCAL_FILE_INTERNAL_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace rs::storage::internal {

// Owns a file descriptor; closes it in the destructor (errors on close of a
// read-only or already-fsynced descriptor carry no information we could use).
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.Release()) {}
  ~ScopedFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// "<step> <path>: <strerror(errnum)>" as an IOError (NotFound for ENOENT).
Status PosixError(std::string_view step, const std::string& path, int errnum);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
[[nodiscard]] Status WriteAll(int fd, const std::string& path, std::string_view data);

// Reads up to `length` bytes at `offset` (fewer at end of file).
Result<std::string> ReadAt(int fd, const std::string& path, uint64_t offset, uint64_t length);

// fsyncs the directory `dir` so a rename or link in it is durable.
[[nodiscard]] Status SyncDirectory(const std::string& dir);

// Creates `dir` and its missing parents, fsyncing each parent that gained an
// entry. An existing directory is fine.
[[nodiscard]] Status MakeDirectories(const std::string& dir);

// Writes `data` to a new fsynced temporary file in `dir` named after
// `base_name`; returns its path.
Result<std::string> WriteTempFile(const std::string& dir, std::string_view base_name,
                                  std::string_view data);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_LOCAL_FILE_INTERNAL_H_
