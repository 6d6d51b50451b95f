// Invariant checks for the libFuzzer targets in fuzz/.
//
// assert() is compiled out in the RelWithDebInfo fuzz build (NDEBUG), so the
// targets check their invariants with RS_FUZZ_CHECK, which prints the failed
// condition and aborts: libFuzzer then saves the input as a crash artifact.
#ifndef RS_FUZZ_FUZZ_CHECK_H_
#define RS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define RS_FUZZ_CHECK(cond)                                                          \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                           \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

#endif  // RS_FUZZ_FUZZ_CHECK_H_
