// Dictionary encoding of string columns: the sorted distinct values of a
// column and each row's index among them, built in parallel. Sorted
// dictionaries make id comparisons byte-order comparisons of the strings
// (the engine's names; the order the replicator sends a month's rows in).
#ifndef RS_COMMON_DICTIONARY_H_
#define RS_COMMON_DICTIONARY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace rs {

// Sorted distinct values of `values`; ids->at(row) is the index of values[row]
// among them. Runs of equal values (strategy within a date) cost one compare.
// Uses up to `threads` threads.
std::vector<std::string> SortedDictionary(const std::vector<std::string>& values, int threads,
                                          std::vector<int32_t>* ids);

}  // namespace rs

#endif  // RS_COMMON_DICTIONARY_H_
