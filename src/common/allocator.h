// Process-wide allocator settings for batch work.
//
// The engine and the writers allocate and free month-sized buffers (tens of
// MiB) over and over. With glibc's defaults each such buffer is mmap'ed,
// zero-filled page by page on first touch, and unmapped on free: at 5,000
// symbols x 10 years that was about a third of the engine's CPU time, most of
// it in the kernel. Keeping freed memory in the heap for reuse removes it; the
// peak stays what the largest month needs.
//
// The first touch of the heap itself still faults in one 4 KiB page at a
// time: 300 MiB for the daily run, 75,000 faults, a third of its CPU time.
// Large buffers are therefore offered to transparent huge pages (2 MiB), when
// the kernel allows them on request (transparent_hugepage "madvise" or
// "always"; "never" leaves everything as it was).
#ifndef RS_COMMON_ALLOCATOR_H_
#define RS_COMMON_ALLOCATOR_H_

#include <cstddef>
#include <string_view>

namespace rs {

// Call once at program start, before threads start: buffers up to 32 MiB come
// from the heap (not mmap), and freed heap memory is kept for reuse instead of
// being returned to the kernel (glibc only). Turns on the huge page advice of
// AllocateForBatchWork when the kernel's transparent_hugepage setting allows
// it on request ("always" or "madvise"; "never" is respected).
void TuneAllocatorForBatchWork();

// Whether the transparent_hugepage "enabled" setting (the sysfs file's text,
// such as "always [madvise] never") lets a program ask for huge pages.
bool HugePagesAllowedBySetting(std::string_view transparent_hugepage_enabled);

// Whether AllocateForBatchWork advises huge pages (TuneAllocatorForBatchWork
// found them allowed).
bool AdvisesHugePages();

// Allocations at least this large are worth huge pages (at least one whole,
// aligned 2 MiB page inside them).
inline constexpr std::size_t kHugePageAdviceMinBytes = std::size_t{4} << 20;

// malloc(n), with the whole 2 MiB pages inside the block backed by
// transparent huge pages when n >= kHugePageAdviceMinBytes and
// AdvisesHugePages() (madvise MADV_HUGEPAGE, then MADV_COLLAPSE; a refused
// advice is ignored). Free with free(). For the program's operator new
// (cli/main.cc); nullptr when out of memory.
void* AllocateForBatchWork(std::size_t n);

}  // namespace rs

#endif  // RS_COMMON_ALLOCATOR_H_
