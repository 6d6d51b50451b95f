// Azure Blob store: each Storage call maps to one or a few Blob REST calls.
//   Get/GetRange -> Get Blob (x-ms-range; large blobs in parallel ranges)
//   Head         -> Get Blob Properties
//   Put          -> Put Blob, or Put Block xN + Put Block List for large data
//   PutIfAbsent  -> the same with If-None-Match: * on the committing call
//   List         -> List Blobs, following NextMarker
//   Delete       -> Delete Blob (404 is success)
#include "storage/azure_blob.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>

#include "common/parallel.h"
#include "common/retry.h"
#include "storage/azure_request_internal.h"
#include "storage/azure_xml_internal.h"
#include "storage/key_internal.h"

namespace rs::storage {
namespace {

using internal::BlobCall;
using internal::BlobClient;
using internal::HttpResponse;

std::string RandomHex(size_t length) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(length, '0');
  for (char& c : out) c = kHex[rng() & 0xf];
  return out;
}

class AzureBlobStorage final : public Storage {
 public:
  explicit AzureBlobStorage(BlobClient client) : client_(std::move(client)) {}

  Result<std::string> Get(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get", key));
    // A blob replaced between the ranges of one read restarts it (Aborted),
    // at once: the new version is there to read.
    RetryPolicy restart;
    restart.max_attempts = 3;
    restart.base_delay = restart.max_delay = std::chrono::milliseconds(0);
    Backoff backoff(restart);
    for (;;) {
      Result<std::string> got = GetInRanges(BlobName(key));
      if (got.ok() || got.status().code() != StatusCode::kAborted || !backoff.Next()) return got;
    }
  }

  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get range", key));
    if (length == 0) {
      RS_RETURN_IF_ERROR(Head(key).status());
      return std::string();
    }
    std::string range = "bytes=" + std::to_string(offset) + "-";
    if (length - 1 <= UINT64_MAX - offset) range += std::to_string(offset + length - 1);
    BlobCall call{"get range", "GET", BlobName(key), {}, {{"x-ms-range", range}}, {}};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    // 416: the range starts at or past the end (an empty blob has no range at all).
    if (response.status == 416) return std::string();
    if (response.status == 200) {  // the service ignored the range
      return response.body.substr(std::min<uint64_t>(offset, response.body.size()), length);
    }
    if (response.status != 206) return client_.ErrorFor(call, response);
    return std::move(response.body);
  }

  Status Put(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put", key));
    return Upload("put", BlobName(key), data, /*if_absent=*/false);
  }

  Status PutIfAbsent(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put if absent", key));
    return Upload("put if absent", BlobName(key), data, /*if_absent=*/true);
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::string full_prefix =
        client_.config().root.empty() ? prefix : client_.config().root + "/" + prefix;
    std::vector<ObjectInfo> out;
    std::string marker;
    do {
      RS_ASSIGN_OR_RETURN(internal::ListBlobsPage page, ListPage(full_prefix, marker));
      for (ObjectInfo& info : page.blobs) {
        if (!info.key.starts_with(full_prefix)) continue;
        info.key = info.key.substr(full_prefix.size() - prefix.size());
        out.push_back(std::move(info));
      }
      marker = std::move(page.next_marker);
    } while (!marker.empty());
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("delete", key));
    BlobCall call{"delete", "DELETE", BlobName(key), {}, {}, {}};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status == 202 || response.status == 200) return Status::OK();
    if (response.status == 404 && internal::ServiceErrorCode(response) != "ContainerNotFound") {
      return Status::OK();
    }
    return client_.ErrorFor(call, response);
  }

  Result<ObjectInfo> Head(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("head", key));
    BlobCall call{"head", "HEAD", BlobName(key), {}, {}, {}};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status != 200) return client_.ErrorFor(call, response);
    ObjectInfo info{key, 0, 0};
    info.size_bytes = std::strtoull(response.Header("content-length").c_str(), nullptr, 10);
    info.modified_unix_ms =
        internal::ParseHttpDateUnixMs(response.Header("last-modified")).value_or(0);
    return info;
  }

  std::string Describe() const override { return client_.config().display; }

 private:
  std::string BlobName(const std::string& key) const {
    return client_.config().root.empty() ? key : client_.config().root + "/" + key;
  }

  // Reads the first block-sized range; when the blob is larger, reads the rest
  // in parallel ranges pinned (If-Match) to the first response's ETag.
  Result<std::string> GetInRanges(const std::string& blob) {
    const uint64_t chunk = client_.config().block_size_bytes;
    BlobCall first{"get", "GET", blob, {}, {{"x-ms-range", RangeHeader(0, chunk)}}, {}};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(first));
    if (response.status == 416) return std::string();  // an empty blob has no byte 0
    if (response.status == 200) return std::move(response.body);
    if (response.status != 206) return client_.ErrorFor(first, response);
    std::string content_range = response.Header("content-range");
    size_t slash = content_range.rfind('/');
    uint64_t total = slash == std::string::npos
                         ? 0
                         : std::strtoull(content_range.c_str() + slash + 1, nullptr, 10);
    if (total <= response.body.size()) return std::move(response.body);
    std::string out(total, '\0');
    std::memcpy(out.data(), response.body.data(), response.body.size());
    std::string etag = response.Header("etag");
    const size_t count = (total - 1) / chunk;  // ranges after the first
    RS_RETURN_IF_ERROR(RunParallel(count, [&](size_t i) -> Status {
      uint64_t offset = (i + 1) * chunk;
      uint64_t length = std::min(chunk, total - offset);
      BlobCall call{
          "get", "GET", blob, {}, {{"x-ms-range", RangeHeader(offset, length)}, {"If-Match", etag}},
          {}};
      RS_ASSIGN_OR_RETURN(HttpResponse part, client_.Execute(call));
      if (part.status == 412) {
        return Status::Aborted("get " + client_.DisplayUrl(call) +
                               ": object changed while reading");
      }
      if (part.status != 206) return client_.ErrorFor(call, part);
      if (part.body.size() != length) {
        return Status::IOError("get " + client_.DisplayUrl(call) + ": short range read");
      }
      std::memcpy(out.data() + offset, part.body.data(), length);
      return Status::OK();
    }));
    return out;
  }

  static std::string RangeHeader(uint64_t offset, uint64_t length) {
    return "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  }

  // Runs task(0..count-1) on up to upload_concurrency threads; hands out no
  // work after a failure and returns the lowest-index one.
  Status RunParallel(size_t count, const std::function<Status(size_t)>& task) {
    ParallelOptions options;
    options.max_threads = client_.config().upload_concurrency;
    options.on_error = ErrorPolicy::kStopAtFirstError;
    return ParallelFor(count, options, task);
  }

  Result<internal::ListBlobsPage> ListPage(const std::string& prefix, const std::string& marker) {
    BlobCall call{"list", "GET", "", {{"restype", "container"}, {"comp", "list"}}, {}, {}};
    if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
    call.query.emplace_back("maxresults", std::to_string(client_.config().list_page_size));
    if (!marker.empty()) call.query.emplace_back("marker", marker);
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status != 200) return client_.ErrorFor(call, response);
    RS_ASSIGN_OR_RETURN_CTX(internal::ListBlobsPage page, internal::ParseListBlobs(response.body),
                            "list " + client_.DisplayUrl(call));
    return page;
  }

  Status Upload(const std::string& op, const std::string& blob, std::string_view data,
                bool if_absent) {
    if (data.size() <= client_.config().single_put_max_bytes) {
      BlobCall call{op,
                    "PUT",
                    blob,
                    {},
                    {{"x-ms-blob-type", "BlockBlob"}, {"Content-Type", "application/octet-stream"}},
                    data};
      return Commit(call, data, if_absent);
    }
    if (if_absent) {
      // Fail fast before uploading blocks; the commit below stays conditional.
      Result<ObjectInfo> existing = HeadBlob(blob);
      if (existing.ok()) return AlreadyExists(op, blob);
    }
    RS_ASSIGN_OR_RETURN(std::vector<std::string> ids, PutBlocks(op, blob, data));
    std::string xml = internal::BlockListXml(ids);
    BlobCall call{op + ": put block list",
                  "PUT",
                  blob,
                  {{"comp", "blocklist"}},
                  {{"Content-Type", "application/xml"},
                   {"x-ms-blob-content-type", "application/octet-stream"}},
                  xml};
    return Commit(call, data, if_absent);
  }

  // Sends the call that makes the blob visible; maps a lost put-if-absent.
  Status Commit(BlobCall call, std::string_view data, bool if_absent) {
    if (if_absent) call.headers.emplace_back("If-None-Match", "*");
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status == 201) return Status::OK();
    if (if_absent && (response.status == 409 || response.status == 412)) {
      // A retried request may have succeeded the first time, its reply lost:
      // the object then holds exactly our bytes.
      if (response.attempts > 1 && Matches(call.blob, data)) return Status::OK();
      return AlreadyExists(call.operation, call.blob);
    }
    return client_.ErrorFor(call, response);
  }

  Status AlreadyExists(const std::string& op, const std::string& blob) const {
    BlobCall call{op, "PUT", blob, {}, {}, {}};
    return Status::AlreadyExists(op + " " + client_.DisplayUrl(call) + ": object already exists");
  }

  bool Matches(const std::string& blob, std::string_view data) {
    BlobCall call{"get", "GET", blob, {}, {}, {}};
    Result<HttpResponse> response = client_.Execute(call);
    return response.ok() && response->status == 200 && response->body == data;
  }

  Result<ObjectInfo> HeadBlob(const std::string& blob) {
    BlobCall call{"head", "HEAD", blob, {}, {}, {}};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status != 200) return client_.ErrorFor(call, response);
    return ObjectInfo{blob, 0, 0};
  }

  // Uploads `data` as uncommitted blocks, several at a time; returns their ids
  // in order. Ids carry a random per-upload tag so concurrent uploads of the
  // same blob never commit each other's blocks.
  Result<std::vector<std::string>> PutBlocks(const std::string& op, const std::string& blob,
                                             std::string_view data) {
    const uint64_t block_size = client_.config().block_size_bytes;
    const size_t count = (data.size() + block_size - 1) / block_size;
    std::vector<std::string> ids(count);
    std::string tag = RandomHex(16);
    for (size_t i = 0; i < count; ++i) {
      char index[24];
      std::snprintf(index, sizeof(index), "%08zu", i);
      ids[i] = internal::Base64Encode(tag + "-" + index);
    }
    RS_RETURN_IF_ERROR(RunParallel(count, [&](size_t i) {
      return PutBlock(op, blob, ids[i], data.substr(i * block_size, block_size));
    }));
    return ids;
  }

  Status PutBlock(const std::string& op, const std::string& blob, const std::string& id,
                  std::string_view chunk) {
    BlobCall call{op + ": put block",
                  "PUT",
                  blob,
                  {{"comp", "block"}, {"blockid", id}},
                  {{"Content-Type", "application/octet-stream"}},
                  chunk};
    RS_ASSIGN_OR_RETURN(HttpResponse response, client_.Execute(call));
    if (response.status == 201) return Status::OK();
    return client_.ErrorFor(call, response);
  }

  BlobClient client_;
};

Result<std::shared_ptr<internal::HttpClient>> NewHttpClient(const StorageOptions& options) {
  RS_ASSIGN_OR_RETURN(internal::HttpOptions http, internal::ResolveHttpOptions(options));
  return std::make_shared<internal::HttpClient>(http);
}

Result<BlobClient> NewBlobClient(const std::string& uri, const StorageOptions& options) {
  std::string context = "open storage " + internal::RedactUrl(uri);
  RS_ASSIGN_OR_RETURN_CTX(auto http, NewHttpClient(options), context);
  RS_ASSIGN_OR_RETURN_CTX(internal::AzureConfig config,
                          internal::ResolveAzureConfig(uri, options, http), context);
  return BlobClient(std::move(config), std::move(http));
}

}  // namespace

Result<std::unique_ptr<Storage>> OpenAzureBlobStorage(const std::string& uri,
                                                      const StorageOptions& options) {
  RS_ASSIGN_OR_RETURN(BlobClient client, NewBlobClient(uri, options));
  return std::unique_ptr<Storage>(std::make_unique<AzureBlobStorage>(std::move(client)));
}

Status CreateAzureContainer(const std::string& uri, const StorageOptions& options) {
  RS_ASSIGN_OR_RETURN(BlobClient client, NewBlobClient(uri, options));
  BlobCall call{"create container", "PUT", "", {{"restype", "container"}}, {}, {}};
  RS_ASSIGN_OR_RETURN(HttpResponse response, client.Execute(call));
  if (response.status == 201) return Status::OK();
  if (response.status == 409 && internal::ServiceErrorCode(response) == "ContainerAlreadyExists") {
    return Status::OK();
  }
  return client.ErrorFor(call, response);
}

}  // namespace rs::storage
