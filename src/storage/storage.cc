// OpenStorage: URI dispatch to the implementations; JoinKey.
#include "storage/storage.h"

#include "storage/azure_blob.h"
#include "storage/local.h"
#include "storage/memory_internal.h"
#include "storage/uri_internal.h"

namespace rs::storage {
namespace {

Result<std::unique_ptr<Storage>> OpenFileUri(const std::string& uri) {
  std::string rest = uri.substr(std::string_view("file://").size());
  // file:///abs/path or file://localhost/abs/path; no other hosts.
  if (rest.starts_with("localhost/")) rest.erase(0, std::string_view("localhost").size());
  if (!rest.starts_with("/")) {
    return Status::InvalidArgument("open storage " + uri +
                                   ": file URI must be file:///absolute/path");
  }
  RS_ASSIGN_OR_RETURN_CTX(std::string path, internal::PercentDecode(rest), "open storage " + uri);
  return OpenLocalStorage(path);
}

}  // namespace

Result<std::unique_ptr<Storage>> OpenStorage(const std::string& uri,
                                             const StorageOptions& options) {
  if (uri.empty()) return Status::InvalidArgument("open storage: empty URI");
  if (uri.starts_with("mem://")) {
    std::string name = uri.substr(std::string_view("mem://").size());
    if (name.empty()) return Status::InvalidArgument("open storage mem://: missing store name");
    return internal::OpenNamedMemoryStorage(name);
  }
  if (uri.starts_with("file://")) return OpenFileUri(uri);
  if (uri.starts_with("abfss://") || uri.starts_with("abfs://") || uri.starts_with("az://") ||
      uri.starts_with("azure://")) {
    return OpenAzureBlobStorage(uri, options);
  }
  size_t scheme_end = uri.find("://");
  if (scheme_end != std::string::npos && uri.find('/') > scheme_end) {
    return Status::InvalidArgument("open storage " + uri.substr(0, scheme_end + 3) +
                                   "...: unsupported URI scheme (use a path, file://, "
                                   "abfss://, az:// or mem://)");
  }
  return OpenLocalStorage(uri);
}

std::string JoinKey(std::string_view a, std::string_view b) {
  std::string out;
  for (std::string_view part : {a, b}) {
    size_t start = 0;
    while (start < part.size()) {
      size_t end = part.find('/', start);
      if (end == std::string_view::npos) end = part.size();
      if (end > start) {
        if (!out.empty()) out += '/';
        out.append(part.substr(start, end - start));
      }
      start = end + 1;
    }
  }
  return out;
}

}  // namespace rs::storage
