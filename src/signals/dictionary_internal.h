// Dictionary encoding of string columns for the engine: the sorted distinct
// values of a column and each row's index among them, built in parallel.
// Sorted dictionaries make id comparisons byte-order comparisons of names.
#ifndef RS_SIGNALS_DICTIONARY_INTERNAL_H_
#define RS_SIGNALS_DICTIONARY_INTERNAL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace rs::signals::internal {

// Sorted distinct values of `values`; ids->at(row) is the index of values[row]
// among them. Runs of equal values (strategy within a date) cost one compare.
// Uses up to `threads` threads.
std::vector<std::string> SortedDictionary(const std::vector<std::string>& values, int threads,
                                          std::vector<int32_t>* ids);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_DICTIONARY_INTERNAL_H_
