// Process-wide allocator settings for batch work.
//
// The engine and the writers allocate and free month-sized buffers (tens of
// MiB) over and over. With glibc's defaults each such buffer is mmap'ed,
// zero-filled page by page on first touch, and unmapped on free: at 5,000
// symbols x 10 years that was about a third of the engine's CPU time, most of
// it in the kernel. Keeping freed memory in the heap for reuse removes it; the
// peak stays what the largest month needs.
#ifndef RS_COMMON_ALLOCATOR_H_
#define RS_COMMON_ALLOCATOR_H_

namespace rs {

// Call once at program start, before threads start: buffers up to 32 MiB come
// from the heap (not mmap), and freed heap memory is kept for reuse instead of
// being returned to the kernel. A no-op where the C library is not glibc.
void TuneAllocatorForBatchWork();

}  // namespace rs

#endif  // RS_COMMON_ALLOCATOR_H_
