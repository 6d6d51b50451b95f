// The local filesystem store: the shared contract, plus what only disk has
// (temporary files, directories, URIs, OS errors).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/test_services.h"
#include "storage/local.h"
#include "storage/storage.h"
#include "storage/storage_contract.h"

namespace rs::storage {
namespace {

namespace fs = std::filesystem;
using testing::StorageContractTest;
using testing::StorageFactory;

// Temp dirs made by this program, removed at exit.
std::vector<std::string>& TempDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

std::string FreshDir(const std::string& tag) {
  std::string dir = rs::testing::MakeTempDir(tag);
  TempDirs().push_back(dir);
  return dir;
}

class CleanupEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& dir : TempDirs()) fs::remove_all(dir);
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new CleanupEnvironment);

INSTANTIATE_TEST_SUITE_P(Local, StorageContractTest,
                         ::testing::Values(StorageFactory{
                             "directory",
                             [] {
                               auto r = OpenLocalStorage(FreshDir("local-contract") + "/root");
                               return std::move(r).value();
                             }}),
                         testing::StorageFactoryName);

class LocalStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshDir("local");
    store_ = OpenLocalStorage(root_).value();
  }
  std::string root_;
  std::unique_ptr<Storage> store_;
};

TEST_F(LocalStorageTest, PutCreatesNestedDirectoriesAndPlainFiles) {
  ASSERT_TRUE(store_->Put("a/b/c/file.json", "data").ok());
  std::ifstream in(root_ + "/a/b/c/file.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "data");
}

TEST_F(LocalStorageTest, NoTemporaryFilesRemainAfterPutsAndConflicts) {
  ASSERT_TRUE(store_->Put("d/x", "1").ok());
  ASSERT_TRUE(store_->Put("d/x", "2").ok());
  ASSERT_TRUE(store_->PutIfAbsent("d/y", "1").ok());
  ASSERT_TRUE(store_->PutIfAbsent("d/y", "2").IsAlreadyExists());
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root_ + "/d")) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, std::vector<std::string>({"x", "y"}));
}

TEST_F(LocalStorageTest, ListSkipsTemporaryFilesOfInterruptedWrites) {
  ASSERT_TRUE(store_->Put("d/real", "1").ok());
  std::ofstream(root_ + "/d/.real.rs-tmp-0123456789abcdef") << "partial";
  EXPECT_EQ(store_->List("d/").value().size(), 1u);
  EXPECT_EQ(store_->List("d/").value()[0].key, "d/real");
}

TEST_F(LocalStorageTest, TemporaryFileNamesAreReservedKeys) {
  Status s = store_->Put("d/.x.rs-tmp-1", "1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reserved"), std::string::npos) << s.message();
}

TEST_F(LocalStorageTest, DirectoriesAreNotObjects) {
  ASSERT_TRUE(store_->Put("dir/file", "1").ok());
  EXPECT_TRUE(store_->Get("dir").status().IsNotFound());
  EXPECT_TRUE(store_->Head("dir").status().IsNotFound());
  EXPECT_TRUE(store_->Delete("dir").ok());
  EXPECT_EQ(store_->Get("dir/file").ValueOr("?"), "1");
}

TEST_F(LocalStorageTest, DeleteKeepsEmptyParentDirectories) {
  ASSERT_TRUE(store_->Put("p/q/file", "1").ok());
  ASSERT_TRUE(store_->Delete("p/q/file").ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/p/q"));
  EXPECT_TRUE(store_->List("").value().empty());
}

TEST_F(LocalStorageTest, HeadMatchesTheFileMtime) {
  ASSERT_TRUE(store_->Put("m", "12345").ok());
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/m").c_str(), &st), 0);
  auto info = store_->Head("m");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->modified_unix_ms, st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000);
  EXPECT_EQ(info->size_bytes, 5u);
}

TEST_F(LocalStorageTest, RootThatIsAFileGivesIOErrorWithPathAndReason) {
  std::string file = root_ + "/plain-file";
  std::ofstream(file) << "x";
  auto store = OpenLocalStorage(file).value();
  Status s = store->Put("k", "v");
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Not a directory"), std::string::npos) << s.message();
}

TEST_F(LocalStorageTest, UnreadableDirectoryListingNamesThePath) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  ASSERT_TRUE(store_->Put("locked/f", "1").ok());
  fs::permissions(root_ + "/locked", fs::perms::none);
  auto listed = store_->List("locked/");
  fs::permissions(root_ + "/locked", fs::perms::owner_all);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kIOError);
  EXPECT_NE(listed.status().message().find(root_ + "/locked"), std::string::npos)
      << listed.status().message();
  EXPECT_NE(listed.status().message().find("Permission denied"), std::string::npos);
}

TEST_F(LocalStorageTest, PlainPathAndFileUriOpenTheSameDirectory) {
  ASSERT_TRUE(store_->Put("shared", "v").ok());
  auto by_path = OpenStorage(root_, {});
  auto by_uri = OpenStorage("file://" + root_, {});
  auto by_localhost = OpenStorage("file://localhost" + root_, {});
  ASSERT_TRUE(by_path.ok() && by_uri.ok() && by_localhost.ok());
  EXPECT_EQ((*by_path)->Get("shared").ValueOr("?"), "v");
  EXPECT_EQ((*by_uri)->Get("shared").ValueOr("?"), "v");
  EXPECT_EQ((*by_localhost)->Get("shared").ValueOr("?"), "v");
  EXPECT_EQ((*by_uri)->Describe(), root_);
}

TEST_F(LocalStorageTest, FileUriIsPercentDecoded) {
  ASSERT_TRUE(store_->Put("k", "v").ok());
  fs::create_directories(root_ + "/with space");
  auto store = OpenStorage("file://" + root_ + "/with%20space", {});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("k", "inner").ok());
  EXPECT_TRUE(fs::exists(root_ + "/with space/k"));
}

TEST_F(LocalStorageTest, RelativeFileUriIsRejected) {
  auto r = OpenStorage("file://relative/path", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("file:///absolute/path"), std::string::npos);
}

TEST_F(LocalStorageTest, TrailingSlashOnRootIsIgnored) {
  auto store = OpenLocalStorage(root_ + "///").value();
  EXPECT_EQ(store->Describe(), root_);
}

}  // namespace
}  // namespace rs::storage
