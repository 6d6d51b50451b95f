// The contract every Storage implementation keeps (src/storage/storage.h),
// as one value-parameterized suite; its tests are in storage_contract.cc,
// linked into both storage test programs (tests/storage/CMakeLists.txt). A
// test file includes this header and instantiates StorageContractTest with
// factories of fresh, empty stores:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StorageContractTest,
//                            ::testing::Values(StorageFactory{"memory", [] {...}}),
//                            StorageFactoryName);
#ifndef RS_TESTS_STORAGE_STORAGE_CONTRACT_H_
#define RS_TESTS_STORAGE_STORAGE_CONTRACT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace rs::storage::testing {

struct StorageFactory {
  std::string name;
  // Returns a fresh store holding no objects (or nullptr after ADD_FAILURE).
  std::function<std::unique_ptr<Storage>()> make;
};

// Keeps gtest from printing the factory's bytes.
inline void PrintTo(const StorageFactory& factory, std::ostream* os) { *os << factory.name; }

inline std::string StorageFactoryName(const ::testing::TestParamInfo<StorageFactory>& info) {
  return info.param.name;
}

class StorageContractTest : public ::testing::TestWithParam<StorageFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
  }

  void PutOrFail(const std::string& key, std::string_view data) {
    Status s = store_->Put(key, data);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<std::string> ListKeys(const std::string& prefix) {
    auto listed = store_->List(prefix);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    std::vector<std::string> keys;
    if (listed.ok()) {
      for (const ObjectInfo& info : *listed) keys.push_back(info.key);
    }
    return keys;
  }

  std::unique_ptr<Storage> store_;
};

inline int64_t NowUnixMsForTest() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace rs::storage::testing

#endif  // RS_TESTS_STORAGE_STORAGE_CONTRACT_H_
