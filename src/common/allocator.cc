#include "common/allocator.h"

#include <sys/mman.h>

#include <atomic>
#include <climits>  // first: defines __GLIBC__ on glibc systems
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rs {

namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

// Linux 6.1's value, for C library headers older than the kernel.
#if defined(__linux__) && !defined(MADV_COLLAPSE)
constexpr int MADV_COLLAPSE = 25;
#endif

// Off until TuneAllocatorForBatchWork finds the kernel willing.
std::atomic<bool> g_advise_huge_pages{false};

}  // namespace

bool HugePagesAllowedBySetting(std::string_view transparent_hugepage_enabled) {
  // The file lists every mode with the one in force in brackets.
  return transparent_hugepage_enabled.find("[always]") != std::string_view::npos ||
         transparent_hugepage_enabled.find("[madvise]") != std::string_view::npos;
}

void TuneAllocatorForBatchWork() {
#if defined(__GLIBC__)
  // 32 MiB is the largest threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2);
  // setting it also stops the threshold from adapting.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
#if defined(MADV_HUGEPAGE)
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string setting;
  std::getline(in, setting);
  g_advise_huge_pages.store(HugePagesAllowedBySetting(setting), std::memory_order_relaxed);
#endif
}

bool AdvisesHugePages() { return g_advise_huge_pages.load(std::memory_order_relaxed); }

void* AllocateForBatchWork(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr || n < kHugePageAdviceMinBytes || !AdvisesHugePages()) return p;
#if defined(MADV_HUGEPAGE)
  // Only the aligned 2 MiB pages wholly inside the block: the advice applies
  // to whole pages, and the bytes around the block belong to other blocks.
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = (begin + n) & ~(kHugePage - 1);
  if (first < last) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): page addresses, not objects
    void* pages = reinterpret_cast<void*>(first);
    madvise(pages, last - first, MADV_HUGEPAGE);
    // Heap memory near other blocks already has its 4 KiB page tables, so
    // the advice alone would not change how it faults in: collapse the pages
    // now (Linux 6.1 and later; refused elsewhere, which is harmless).
    madvise(pages, last - first, MADV_COLLAPSE);
  }
#endif
  return p;
}

}  // namespace rs
