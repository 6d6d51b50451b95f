// The in-memory store: the shared contract, plus mem://NAME sharing.
#include <gtest/gtest.h>

#include "storage/storage.h"
#include "storage/storage_contract.h"

namespace rs::storage {
namespace {

using testing::StorageContractTest;
using testing::StorageFactory;

INSTANTIATE_TEST_SUITE_P(
    Memory, StorageContractTest,
    ::testing::Values(StorageFactory{"fresh", [] { return NewMemoryStorage(); }},
                      StorageFactory{"named",
                                     [] {
                                       static int n = 0;
                                       auto r =
                                           OpenStorage("mem://contract-" + std::to_string(n++), {});
                                       return std::move(r).value();
                                     }}),
    testing::StorageFactoryName);

TEST(MemoryStorageTest, SameNameOpensTheSameObjects) {
  auto a = OpenStorage("mem://shared-name", {});
  auto b = OpenStorage("mem://shared-name", {});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Put("k", "v").ok());
  EXPECT_EQ((*b)->Get("k").ValueOr("?"), "v");
  EXPECT_EQ((*b)->Describe(), "mem://shared-name");
}

TEST(MemoryStorageTest, DifferentNamesAreSeparate) {
  auto a = OpenStorage("mem://name-one", {});
  auto b = OpenStorage("mem://name-two", {});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Put("k", "v").ok());
  EXPECT_TRUE((*b)->Get("k").status().IsNotFound());
}

TEST(MemoryStorageTest, NewMemoryStorageIsFreshEachTime) {
  auto a = NewMemoryStorage();
  ASSERT_TRUE(a->Put("k", "v").ok());
  EXPECT_TRUE(NewMemoryStorage()->List("").value().empty());
}

TEST(MemoryStorageTest, EmptyNameIsRejected) {
  auto r = OpenStorage("mem://", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rs::storage
