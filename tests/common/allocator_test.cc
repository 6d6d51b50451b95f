#include "common/allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace rs {
namespace {

TEST(AllocatorTest, HugePagesAreAskedForOnlyWhereTheKernelSettingAllowsIt) {
  EXPECT_TRUE(HugePagesAllowedBySetting("always [madvise] never"));
  EXPECT_TRUE(HugePagesAllowedBySetting("[always] madvise never\n"));
  EXPECT_FALSE(HugePagesAllowedBySetting("always madvise [never]"));
  EXPECT_FALSE(HugePagesAllowedBySetting(""));  // no such file: not Linux, or no THP
}

// The kB of anonymous huge pages in the mapping of /proc/self/smaps holding
// `address`; -1 when no mapping holds it.
int64_t AnonHugePagesKbAt(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0;
    std::uintptr_t hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stoll(line.substr(std::strlen("AnonHugePages:")));
    }
  }
  return -1;
}

TEST(AllocatorTest, LargeBuffersAreBackedByHugePagesWhereTheKernelAllowsThem) {
  TuneAllocatorForBatchWork();
  if (!AdvisesHugePages()) {
    GTEST_SKIP() << "transparent huge pages are off on this machine "
                    "(/sys/kernel/mm/transparent_hugepage/enabled)";
  }
  constexpr std::size_t kBytes = std::size_t{16} << 20;
  auto* p = static_cast<unsigned char*>(AllocateForBatchWork(kBytes));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x5a, kBytes);  // usable end to end
  EXPECT_EQ(p[0], 0x5a);
  EXPECT_EQ(p[kBytes - 1], 0x5a);
  // 16 MiB holds at least 7 whole aligned 2 MiB pages.
  EXPECT_GE(AnonHugePagesKbAt(p + kBytes / 2), 2048);
  std::free(p);
}

TEST(AllocatorTest, SmallBuffersAreLeftAsMallocGivesThem) {
  TuneAllocatorForBatchWork();
  void* p = AllocateForBatchWork(100);
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, 100);
  std::free(p);
  void* zero = AllocateForBatchWork(0);  // like operator new(0): a unique pointer
  EXPECT_NE(zero, nullptr);
  std::free(zero);
}

}  // namespace
}  // namespace rs
