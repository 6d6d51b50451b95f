#include "common/allocator.h"

#include <climits>  // first: defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rs {

void TuneAllocatorForBatchWork() {
#if defined(__GLIBC__)
  // 32 MiB is the largest threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2);
  // setting it also stops the threshold from adapting.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace rs
