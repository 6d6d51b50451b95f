#include "common/dictionary.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace rs {
namespace {

// Strings of every length from 0 to 24 (the short-string words, both sides of
// 8 and 16, and the general hash), many sharing prefixes and suffixes, in runs.
std::vector<std::string> MixedValues(size_t n) {
  std::mt19937 rng(7);
  std::vector<std::string> pool;
  for (int len = 0; len <= 24; ++len) {
    for (char c : {'a', 'b', 'z'}) {
      pool.push_back(std::string(len, 'x') + (len > 0 ? std::string(1, c) : ""));
      pool.push_back(std::string(1, c) + std::string(len, 'y'));
    }
  }
  pool.push_back(std::string("\0a", 2));
  pool.push_back(std::string("a\0", 2));
  pool.push_back("\xc3\xa9t\xc3\xa9");
  std::vector<std::string> values;
  while (values.size() < n) {
    const std::string& v = pool[rng() % pool.size()];
    for (size_t run = 1 + rng() % 3; run > 0 && values.size() < n; --run) values.push_back(v);
  }
  return values;
}

TEST(SortedDictionaryTest, IdsIndexTheSortedDistinctValuesForAnyThreadCount) {
  std::vector<std::string> values = MixedValues(5000);
  std::map<std::string, int32_t> reference;
  for (const std::string& v : values) reference.emplace(v, 0);
  std::vector<std::string> sorted;
  for (auto& [name, id] : reference) {
    id = static_cast<int32_t>(sorted.size());
    sorted.push_back(name);
  }
  for (int threads : {1, 2, 3, 8}) {
    std::vector<int32_t> ids;
    std::vector<std::string> names = SortedDictionary(values, threads, &ids);
    ASSERT_EQ(names, sorted) << threads << " threads";
    ASSERT_EQ(ids.size(), values.size());
    for (size_t row = 0; row < values.size(); ++row) {
      ASSERT_EQ(ids[row], reference.at(values[row]))
          << "row " << row << ", " << threads << " threads";
    }
  }
}

TEST(SortedDictionaryTest, EmptyAndSingleValueColumns) {
  std::vector<int32_t> ids{5};
  EXPECT_TRUE(SortedDictionary({}, 2, &ids).empty());
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(SortedDictionary({"S1", "S1", "S1"}, 2, &ids), std::vector<std::string>{"S1"});
  EXPECT_EQ(ids, (std::vector<int32_t>{0, 0, 0}));
}

}  // namespace
}  // namespace rs
