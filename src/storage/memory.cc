// Memory store: a sorted map under one mutex. std::string's ordering is
// memcmp-like, so iteration order is the byte order List promises.
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "storage/key_internal.h"
#include "storage/memory_internal.h"

namespace rs::storage {
namespace {

struct MemoryObject {
  std::string data;
  int64_t modified_unix_ms = 0;
};

struct MemoryState {
  std::mutex mu;
  std::map<std::string, MemoryObject> objects;  // guarded by mu
};

int64_t NowUnixMs() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Status Missing(std::string_view operation, const std::string& key) {
  return Status::NotFound(std::string(operation) + " '" + key + "': object not found");
}

class MemoryStorage final : public Storage {
 public:
  MemoryStorage(std::shared_ptr<MemoryState> state, std::string name)
      : state_(std::move(state)), name_(std::move(name)) {}

  Result<std::string> Get(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get", key));
    std::lock_guard lock(state_->mu);
    auto it = state_->objects.find(key);
    if (it == state_->objects.end()) return Missing("get", key);
    return it->second.data;
  }

  Result<std::string> GetRange(const std::string& key, uint64_t offset, uint64_t length) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("get range", key));
    std::lock_guard lock(state_->mu);
    auto it = state_->objects.find(key);
    if (it == state_->objects.end()) return Missing("get range", key);
    const std::string& data = it->second.data;
    if (offset >= data.size()) return std::string();
    return data.substr(offset, length);
  }

  Status Put(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put", key));
    std::lock_guard lock(state_->mu);
    state_->objects[key] = MemoryObject{std::string(data), NowUnixMs()};
    return Status::OK();
  }

  Status PutIfAbsent(const std::string& key, std::string_view data) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("put if absent", key));
    std::lock_guard lock(state_->mu);
    auto [it, inserted] = state_->objects.try_emplace(key);
    if (!inserted) {
      return Status::AlreadyExists("put if absent '" + key + "': object already exists");
    }
    it->second = MemoryObject{std::string(data), NowUnixMs()};
    return Status::OK();
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::lock_guard lock(state_->mu);
    std::vector<ObjectInfo> out;
    for (auto it = state_->objects.lower_bound(prefix);
         it != state_->objects.end() && it->first.starts_with(prefix); ++it) {
      out.push_back({it->first, it->second.data.size(), it->second.modified_unix_ms});
    }
    return out;
  }

  Status Delete(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("delete", key));
    std::lock_guard lock(state_->mu);
    state_->objects.erase(key);
    return Status::OK();
  }

  Result<ObjectInfo> Head(const std::string& key) override {
    RS_RETURN_IF_ERROR(internal::ValidateKey("head", key));
    std::lock_guard lock(state_->mu);
    auto it = state_->objects.find(key);
    if (it == state_->objects.end()) return Missing("head", key);
    return ObjectInfo{key, it->second.data.size(), it->second.modified_unix_ms};
  }

  std::string Describe() const override { return name_; }

 private:
  std::shared_ptr<MemoryState> state_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStorage() {
  return std::make_unique<MemoryStorage>(std::make_shared<MemoryState>(), "mem:(anonymous)");
}

namespace internal {

std::unique_ptr<Storage> OpenNamedMemoryStorage(const std::string& name) {
  // Leaked on purpose: the registry lives as long as the process, and stores
  // may still be in use while static destructors run.
  static auto* registry_mu = new std::mutex;
  static auto* registry = new std::map<std::string, std::shared_ptr<MemoryState>>;
  std::lock_guard lock(*registry_mu);
  std::shared_ptr<MemoryState>& state = (*registry)[name];
  if (!state) state = std::make_shared<MemoryState>();
  return std::make_unique<MemoryStorage>(state, "mem://" + name);
}

}  // namespace internal
}  // namespace rs::storage
