// The tests of StorageContractTest (storage_contract.h): defined once here,
// so the storage test programs link them once each however many files
// instantiate the suite.
#include "storage/storage_contract.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace rs::storage::testing {

TEST_P(StorageContractTest, GetReturnsWhatPutStored) {
  PutOrFail("a/b/c.json", "{\"x\":1}");
  auto got = store_->Get("a/b/c.json");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "{\"x\":1}");
}

TEST_P(StorageContractTest, PutReplacesTheWholeObject) {
  PutOrFail("k", "a much longer first value");
  PutOrFail("k", "short");
  EXPECT_EQ(store_->Get("k").ValueOr("?"), "short");
}

TEST_P(StorageContractTest, EmptyAndBinaryObjectsRoundTrip) {
  std::string binary;
  for (int i = 0; i < 512; ++i) binary += static_cast<char>(i % 256);
  PutOrFail("empty", "");
  PutOrFail("binary", binary);
  EXPECT_EQ(store_->Get("empty").ValueOr("?"), "");
  EXPECT_EQ(store_->Get("binary").ValueOr("?"), binary);
  EXPECT_EQ(store_->Head("empty").ValueOr({}).size_bytes, 0u);
}

TEST_P(StorageContractTest, GetHeadAndGetRangeOfMissingKeyAreNotFound) {
  PutOrFail("present", "x");
  EXPECT_EQ(store_->Get("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRange("missing", 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRange("missing", 5, 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("present/child").status().code(), StatusCode::kNotFound);
}

TEST_P(StorageContractTest, MissingKeyMessageNamesTheKey) {
  auto got = store_->Get("dir/missing.json");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("dir/missing.json"), std::string::npos)
      << got.status().message();
}

TEST_P(StorageContractTest, PutIfAbsentFailsWithAlreadyExistsAndKeepsTheFirstObject) {
  ASSERT_TRUE(store_->PutIfAbsent("log/0.json", "first").ok());
  Status second = store_->PutIfAbsent("log/0.json", "second");
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  EXPECT_NE(second.message().find("log/0.json"), std::string::npos) << second.message();
  EXPECT_EQ(store_->Get("log/0.json").ValueOr("?"), "first");
}

TEST_P(StorageContractTest, PutIfAbsentAfterDeleteSucceeds) {
  ASSERT_TRUE(store_->PutIfAbsent("k", "one").ok());
  ASSERT_TRUE(store_->Delete("k").ok());
  ASSERT_TRUE(store_->PutIfAbsent("k", "two").ok());
  EXPECT_EQ(store_->Get("k").ValueOr("?"), "two");
}

TEST_P(StorageContractTest, ConcurrentPutIfAbsentHasExactlyOneWinner) {
  constexpr int kThreads = 12;
  for (int round = 0; round < 3; ++round) {
    std::string key = "race/" + std::to_string(round) + ".json";
    std::atomic<int> winners{0};
    std::atomic<int> losers{0};
    std::atomic<int> winner_id{-1};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        Status s = store_->PutIfAbsent(key, "writer-" + std::to_string(t));
        if (s.ok()) {
          ++winners;
          winner_id = t;
        } else if (s.IsAlreadyExists()) {
          ++losers;
        } else {
          ADD_FAILURE() << s.ToString();
        }
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(losers.load(), kThreads - 1);
    EXPECT_EQ(store_->Get(key).ValueOr("?"), "writer-" + std::to_string(winner_id.load()));
  }
}

TEST_P(StorageContractTest, DeleteIsIdempotentAndRemovesOnlyThatKey) {
  PutOrFail("d/a", "1");
  PutOrFail("d/b", "2");
  EXPECT_TRUE(store_->Delete("d/a").ok());
  EXPECT_TRUE(store_->Delete("d/a").ok());
  EXPECT_TRUE(store_->Delete("never/existed").ok());
  EXPECT_EQ(store_->Get("d/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("d/b").ValueOr("?"), "2");
  EXPECT_EQ(ListKeys(""), std::vector<std::string>({"d/b"}));
}

TEST_P(StorageContractTest, ListIsSortedByteOrderWithFullKeys) {
  // '-' < '.' < '/' in byte order, so "t/a/..." sorts between "t/a." and "t/b",
  // unlike a depth-first directory walk. (No key is also a "directory" of
  // another key: a filesystem cannot hold both.)
  for (const char* key : {"t/b", "t/a/z", "t/a.", "t/B", "t/a-b", "t/a/0", "u/x", "t_", "s"}) {
    PutOrFail(key, key);
  }
  EXPECT_EQ(ListKeys("t/"),
            std::vector<std::string>({"t/B", "t/a-b", "t/a.", "t/a/0", "t/a/z", "t/b"}));
  EXPECT_EQ(ListKeys(""), std::vector<std::string>(
                              {"s", "t/B", "t/a-b", "t/a.", "t/a/0", "t/a/z", "t/b", "t_", "u/x"}));
}

TEST_P(StorageContractTest, ListPrefixMayEndMidName) {
  for (const char* key : {"log/00001.json", "log/00002.json", "log/00010.json", "log/checkpoint",
                          "logs/other", "lo"}) {
    PutOrFail(key, "x");
  }
  EXPECT_EQ(ListKeys("log/0000"), std::vector<std::string>({"log/00001.json", "log/00002.json"}));
  EXPECT_EQ(ListKeys("log"),
            std::vector<std::string>({"log/00001.json", "log/00002.json", "log/00010.json",
                                      "log/checkpoint", "logs/other"}));
  EXPECT_TRUE(ListKeys("nothing/here").empty());
  EXPECT_TRUE(ListKeys("log/00001.json/").empty());
}

TEST_P(StorageContractTest, ListReportsSizes) {
  PutOrFail("p/one", "1");
  PutOrFail("p/three", "333");
  auto listed = store_->List("p/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "p/one");
  EXPECT_EQ((*listed)[0].size_bytes, 1u);
  EXPECT_EQ((*listed)[1].size_bytes, 3u);
  EXPECT_GT((*listed)[1].modified_unix_ms, 0);
}

TEST_P(StorageContractTest, GetRangeReturnsTheSliceAndStopsAtTheEnd) {
  PutOrFail("r", "0123456789");
  EXPECT_EQ(store_->GetRange("r", 0, 4).ValueOr("?"), "0123");
  EXPECT_EQ(store_->GetRange("r", 3, 4).ValueOr("?"), "3456");
  EXPECT_EQ(store_->GetRange("r", 8, 100).ValueOr("?"), "89");
  EXPECT_EQ(store_->GetRange("r", 9, 1).ValueOr("?"), "9");
  EXPECT_EQ(store_->GetRange("r", 10, 5).ValueOr("?"), "");
  EXPECT_EQ(store_->GetRange("r", 1000, 5).ValueOr("?"), "");
  EXPECT_EQ(store_->GetRange("r", 2, 0).ValueOr("?"), "");
}

TEST_P(StorageContractTest, GetRangeOfEmptyObjectIsEmpty) {
  PutOrFail("e", "");
  EXPECT_EQ(store_->GetRange("e", 0, 10).ValueOr("?"), "");
}

TEST_P(StorageContractTest, HeadGivesSizeAndModificationTime) {
  int64_t before_ms = NowUnixMsForTest();
  PutOrFail("h/obj", std::string(1234, 'h'));
  auto info = store_->Head("h/obj");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->key, "h/obj");
  EXPECT_EQ(info->size_bytes, 1234u);
  // Stores may keep second resolution (HTTP dates); allow clock skew of a minute.
  EXPECT_GT(info->modified_unix_ms, before_ms - 60000);
  EXPECT_LT(info->modified_unix_ms, NowUnixMsForTest() + 60000);
}

TEST_P(StorageContractTest, KeysWithSpecialCharactersRoundTrip) {
  const std::vector<std::string> keys = {
      "sp/a b/c d.json",      "sp/date=2024-03-01/part 0.parquet", "sp/pct%20literal%",
      "sp/plus+sign+",        "sp/unicode-ünïcødé-日本語.txt",     "sp/q?hash#amp&semi;",
      "sp/tilde~star*(paren)"};
  for (const auto& key : keys) PutOrFail(key, "v:" + key);
  for (const auto& key : keys) {
    EXPECT_EQ(store_->Get(key).ValueOr("?"), "v:" + key) << key;
    EXPECT_EQ(store_->Head(key).ValueOr({}).size_bytes, key.size() + 2) << key;
    EXPECT_EQ(store_->GetRange(key, 2, 3).ValueOr("?"), key.substr(0, 3)) << key;
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(ListKeys("sp/"), sorted);
  EXPECT_EQ(ListKeys("sp/date="), std::vector<std::string>({"sp/date=2024-03-01/part 0.parquet"}));
  ASSERT_TRUE(store_->PutIfAbsent("sp/x=1+1 %", "a").ok());
  EXPECT_EQ(store_->PutIfAbsent("sp/x=1+1 %", "b").code(), StatusCode::kAlreadyExists);
  for (const auto& key : keys) EXPECT_TRUE(store_->Delete(key).ok()) << key;
  EXPECT_EQ(ListKeys("sp/"), std::vector<std::string>({"sp/x=1+1 %"}));
}

TEST_P(StorageContractTest, MalformedKeysAreInvalidArgument) {
  for (const char* key : {"", "/abs", "a//b", "a/../b", "./a", "a/"}) {
    EXPECT_EQ(store_->Put(key, "x").code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->Get(key).status().code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST_P(StorageContractTest, DescribeIsNotEmpty) { EXPECT_FALSE(store_->Describe().empty()); }

}  // namespace rs::storage::testing
