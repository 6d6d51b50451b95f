// Shards: K/N parsing, and auto/N claims in a lake — claimed once each,
// re-taken by the replica that holds them after a restart, removed when the
// group is done or idle for a week.
#include "job/shards.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "job_test_lake.h"

namespace rs::job {
namespace {

namespace fs = std::filesystem;
using testing::NewMemoryLake;
using testing::TestLog;

TEST(ShardTest, ParsesKOfNAndAutoAndRefusesTheRest) {
  auto s = ParseShard("2/4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 4);
  auto a = ParseShard("auto/3");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->auto_claim);
  for (const char* bad : {"4/4", "-1/2", "1", "x/2", "1/0", "1/2x"}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
  EXPECT_EQ(ApplyShard({"a", "b", "c", "d", "e"}, Shard{1, 2, false}),
            (std::vector<std::string>{"b", "d"}));
}

Shard Claim(const Lake& lake, const std::string& owner, int count, Status* status,
            const std::string& group = "exec-1") {
  TestLog log;
  Shard shard{0, count, true};
  *status = ClaimShard(lake, {group, owner, "run-" + owner}, log.log, &shard);
  return shard;
}

TEST(ShardClaimTest, EachReplicaGetsItsOwnShardAndARestartedOneReTakesIt) {
  Lake lake = NewMemoryLake("claims");
  Status s;
  EXPECT_EQ(Claim(lake, "replica-a", 3, &s).index, 0);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Claim(lake, "replica-b", 3, &s).index, 1);
  ASSERT_TRUE(s.ok());
  // replica-a is killed after claiming and the platform restarts it.
  Shard again = Claim(lake, "replica-a", 3, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(again.index, 0);
  EXPECT_FALSE(again.auto_claim);
  EXPECT_EQ(Claim(lake, "replica-c", 3, &s).index, 2);
  ASSERT_TRUE(s.ok());
}

TEST(ShardClaimTest, AFourthReplicaIsRefusedNamingTheHolders) {
  Lake lake = NewMemoryLake("claims-full");
  Status s;
  for (const char* owner : {"a", "b"}) Claim(lake, owner, 2, &s);
  Claim(lake, "stranger", 2, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("every one of its 2 shards is claimed by another replica (0 by 'a', "
                             "1 by 'b'); this replica is 'stranger'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("--shard K/2"), std::string::npos);
  // Without an owner a replica can never re-take anything.
  Claim(lake, "", 2, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
}

TEST(ShardClaimTest, ReplicasMustAgreeOnTheShardCount) {
  Lake lake = NewMemoryLake("claims-count");
  Status s;
  Claim(lake, "a", 4, &s);
  ASSERT_TRUE(s.ok());
  Claim(lake, "b", 3, &s);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("claimed as auto/4, this replica asks for auto/3"), std::string::npos)
      << s.message();
}

TEST(ShardClaimTest, GroupNamesAreCheckedBeforeUseAsAKey) {
  Lake lake = NewMemoryLake("claims-group");
  Status s;
  Claim(lake, "a", 2, &s, "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--shard-group"), std::string::npos);
  Claim(lake, "a", 2, &s, "../escape");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(ShardClaimTest, ClaimsOfAFinishedGroupAreRemovedSoTheGroupCanRunAgain) {
  Lake lake = NewMemoryLake("claims-done");
  TestLog log;
  Status s;
  Shard first = Claim(lake, "a", 2, &s);
  Shard second = Claim(lake, "b", 2, &s);
  FinishShard(lake, {"exec-1", "a", "run-a"}, first, log.log);
  auto listed = lake.job_store().List("_ranking_jobs/shards/exec-1/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);  // two claims, one done
  FinishShard(lake, {"exec-1", "b", "run-b"}, second, log.log);
  listed = lake.job_store().List("_ranking_jobs/shards/exec-1/");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  EXPECT_NE(log.text.str().find("every shard of the group is done"), std::string::npos);
  // The next execution with the same group starts from free shards.
  EXPECT_EQ(Claim(lake, "c", 2, &s).index, 0);
  EXPECT_TRUE(s.ok());
}

TEST(ShardClaimTest, GroupsIdleForAWeekAreRemovedOthersKept) {
  fs::path dir = fs::temp_directory_path() / ("rs-shards-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  LakeLayout layout;
  layout.lake = dir.string();
  auto lake = Lake::Open(layout, {});
  ASSERT_TRUE(lake.ok()) << lake.status().ToString();
  Status s;
  Claim(*lake, "a", 2, &s, "failed-exec");
  Claim(*lake, "a", 2, &s, "recent-exec");
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * (kStaleClaimGroupDays + 1));
  fs::last_write_time(dir / "_ranking_jobs/shards/failed-exec/0.claim", old);
  Shard mine = Claim(*lake, "z", 1, &s, "today");
  ASSERT_TRUE(s.ok()) << s.ToString();
  TestLog log;
  FinishShard(*lake, {"today", "z", "run-z"}, mine, log.log);
  EXPECT_FALSE(fs::exists(dir / "_ranking_jobs/shards/failed-exec/0.claim"));
  EXPECT_TRUE(fs::exists(dir / "_ranking_jobs/shards/recent-exec/0.claim"));
  EXPECT_NE(log.text.str().find("idle for more than 7 days"), std::string::npos) << log.text.str();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rs::job
