// Azure Blob store against the real Azurite emulator (started by the ctest
// fixture): the shared contract, paging, block uploads, auth methods and
// failures, and retries proven by a failure-injecting loopback proxy.
// Also the project's Azurite smoke test (create container, put, get, list).
#include <gtest/gtest.h>

#include <atomic>
#include <random>

#include "common/test_services.h"
#include "storage/azure_blob.h"
#include "storage/azure_test_util.h"
#include "storage/loopback_http_server.h"
#include "storage/storage.h"
#include "storage/storage_contract.h"

namespace rs::storage {
namespace {

using testing::LoopbackHttpServer;
using testing::ServedRequest;
using testing::ServedResponse;
using testing::StorageContractTest;
using testing::StorageFactory;

constexpr char kContainer[] = "rs-storage-test";

std::map<std::string, std::string> Azurite() { return rs::testing::ServiceEnv("azurite"); }

// Origin of Azurite ("http://127.0.0.1:PORT").
std::string AzuriteOrigin() {
  std::string endpoint = Azurite()["RS_TEST_AZURITE_ENDPOINT"];
  return endpoint.substr(0, endpoint.find('/', std::string("http://").size()));
}

// Shared-key settings for Azurite reached at `origin` (default: Azurite itself).
StorageOptions Options(std::string origin = "") {
  auto env = Azurite();
  if (origin.empty()) origin = AzuriteOrigin();
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_ACCOUNT_NAME", env["RS_TEST_AZURITE_ACCOUNT"]},
                      {"AZURE_STORAGE_ACCOUNT_KEY", env["RS_TEST_AZURITE_KEY"]},
                      {"AZURE_STORAGE_ENDPOINT", origin + "/" + env["RS_TEST_AZURITE_ACCOUNT"]},
                      {"RS_STORAGE_MAX_RETRIES", "3"},
                      {"RS_STORAGE_RETRY_BASE_DELAY_MS", "5"},
                      {"RS_STORAGE_RETRY_MAX_DELAY_MS", "50"}};
  return options;
}

std::string UniqueRoot(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return tag + "-" + std::to_string(counter++) + "-" + std::to_string(rd());
}

std::unique_ptr<Storage> OpenOrFail(const std::string& uri, const StorageOptions& options) {
  Status created = CreateAzureContainer(uri, options);
  EXPECT_TRUE(created.ok()) << created.ToString();
  auto store = OpenStorage(uri, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<Storage> FreshStore(const std::string& tag = "t",
                                    StorageOptions options = Options()) {
  return OpenOrFail(std::string("az://") + kContainer + "/" + UniqueRoot(tag), options);
}

INSTANTIATE_TEST_SUITE_P(
    Azurite, StorageContractTest,
    ::testing::Values(StorageFactory{"shared_key", [] { return FreshStore("contract"); }},
                      StorageFactory{"container_root",
                                     [] {
                                       // A container of its own, no root path.
                                       static int n = 0;
                                       return OpenOrFail("az://rs-contract-" + std::to_string(n++),
                                                         Options());
                                     }}),
    testing::StorageFactoryName);

// A proxy in front of Azurite that answers the first `failures` requests
// with `status` (and Retry-After: 0), forwards the rest, and counts.
// With `forward_first`, a failed request still reaches Azurite: only its
// reply is lost, as when a connection drops after the service acted.
class FailingProxy {
 public:
  FailingProxy(int failures, int status = 503, bool forward_first = false)
      : origin_(AzuriteOrigin()),
        server_([this, failures, status, forward_first](const ServedRequest& request) {
          {
            std::lock_guard lock(mu_);
            targets_.push_back(request.method + " " + request.target);
          }
          if (seen_++ < failures) {
            ++injected_;
            if (forward_first) testing::Forward(origin_, request);
            return ServedResponse{status, {{"Retry-After", "0"}}, "injected failure"};
          }
          return testing::Forward(origin_, request);
        }) {}

  std::string url() const { return server_.url(); }
  int injected() const { return injected_.load(); }
  int requests() const { return seen_.load(); }
  int CountTargets(const std::string& needle) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& t : targets_) n += t.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::string origin_;
  std::atomic<int> seen_{0};
  std::atomic<int> injected_{0};
  std::mutex mu_;
  std::vector<std::string> targets_;
  LoopbackHttpServer server_;  // last: stops before the members it uses
};

TEST(AzuriteSmokeTest, CreateContainerPutGetList) {
  auto store = FreshStore("smoke");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("hello/world.txt", "hello azurite").ok());
  EXPECT_EQ(store->Get("hello/world.txt").ValueOr("?"), "hello azurite");
  auto listed = store->List("hello/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "hello/world.txt");
  EXPECT_EQ((*listed)[0].size_bytes, 13u);
}

TEST(AzureBlobTest, CreateContainerIsIdempotent) {
  std::string uri = std::string("az://") + kContainer;
  EXPECT_TRUE(CreateAzureContainer(uri, Options()).ok());
  EXPECT_TRUE(CreateAzureContainer(uri, Options()).ok());
}

TEST(AzureBlobTest, AbfssUriWithEndpointOverrideReachesTheSameBlobs) {
  std::string root = UniqueRoot("abfss");
  auto az = FreshStore();
  auto by_az = OpenOrFail(std::string("az://") + kContainer + "/" + root, Options());
  auto by_abfss = OpenStorage(
      std::string("abfss://") + kContainer + "@devstoreaccount1.dfs.core.windows.net/" + root,
      Options());
  ASSERT_TRUE(by_abfss.ok()) << by_abfss.status().ToString();
  ASSERT_TRUE(by_az->Put("k", "v").ok());
  EXPECT_EQ((*by_abfss)->Get("k").ValueOr("?"), "v");
  EXPECT_NE((*by_abfss)->Describe().find("abfss://rs-storage-test@devstoreaccount1"),
            std::string::npos);
}

TEST(AzureBlobTest, EmulatorSettingUsesTheDevelopmentAccount) {
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_USE_EMULATOR", "true"},
                      {"AZURITE_BLOB_STORAGE_URL", AzuriteOrigin()}};
  auto store = FreshStore("emulator", options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("e", "emulated").ok());
  EXPECT_EQ(store->Get("e").ValueOr("?"), "emulated");
}

TEST(AzureBlobTest, ConnectionStringCarriesEndpointAccountAndKey) {
  auto env = Azurite();
  StorageOptions options;
  options.settings["AZURE_STORAGE_CONNECTION_STRING"] =
      "DefaultEndpointsProtocol=http;AccountName=" + env["RS_TEST_AZURITE_ACCOUNT"] +
      ";AccountKey=" + env["RS_TEST_AZURITE_KEY"] +
      ";BlobEndpoint=" + env["RS_TEST_AZURITE_ENDPOINT"] + ";";
  auto store = FreshStore("connstr", options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("c", "conn").ok());
  EXPECT_EQ(store->Get("c").ValueOr("?"), "conn");
}

TEST(AzureBlobTest, ListFollowsPagination) {
  FailingProxy proxy(0);
  StorageOptions options = Options(proxy.url());
  options.settings["RS_STORAGE_LIST_PAGE_SIZE"] = "2";
  auto store = FreshStore("paging", options);
  ASSERT_NE(store, nullptr);
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    expected.push_back("p/" + std::to_string(i) + ".json");
    ASSERT_TRUE(store->Put(expected.back(), "x").ok());
  }
  ASSERT_TRUE(store->Put("q/outside", "x").ok());
  auto listed = store->List("p/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> keys;
  for (const auto& info : *listed) keys.push_back(info.key);
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(proxy.CountTargets("comp=list"), 4);  // 2 + 2 + 2 + 1
  EXPECT_GE(proxy.CountTargets("marker="), 3);
}

TEST(AzureBlobTest, LargeObjectIsUploadedInBlocksAndReadBackExactly) {
  FailingProxy proxy(0);
  StorageOptions options = Options(proxy.url());
  options.settings["RS_STORAGE_BLOCK_SIZE_BYTES"] = std::to_string(4 << 20);
  options.settings["RS_STORAGE_SINGLE_PUT_MAX_BYTES"] = std::to_string(4 << 20);
  auto store = FreshStore("blocks", options);
  ASSERT_NE(store, nullptr);
  std::string data(20 << 20, '\0');
  std::mt19937 rng(42);
  for (char& c : data) c = static_cast<char>(rng());
  ASSERT_TRUE(store->Put("big.bin", data).ok());
  EXPECT_EQ(proxy.CountTargets("comp=block&"), 5);
  EXPECT_EQ(proxy.CountTargets("comp=blocklist"), 1);
  int gets_before = proxy.CountTargets("GET ");
  auto got = store->Get("big.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(proxy.CountTargets("GET ") - gets_before, 5);  // five 4 MiB ranges
  EXPECT_EQ(store->Head("big.bin").ValueOr({}).size_bytes, data.size());
  EXPECT_EQ(store->GetRange("big.bin", (4 << 20) - 3, 6).ValueOr("?"),
            data.substr((4 << 20) - 3, 6));
  // A second block upload replaces the object.
  std::string other(9 << 20, 'z');
  ASSERT_TRUE(store->Put("big.bin", other).ok());
  EXPECT_TRUE(store->Get("big.bin").ValueOr("?") == other);
}

TEST(AzureBlobTest, BlockUploadPutIfAbsentConflictsAndKeepsTheFirstObject) {
  StorageOptions options = Options();
  options.settings["RS_STORAGE_BLOCK_SIZE_BYTES"] = "65536";
  options.settings["RS_STORAGE_SINGLE_PUT_MAX_BYTES"] = "65536";
  auto store = FreshStore("blocks-ifabsent", options);
  ASSERT_NE(store, nullptr);
  std::string first(300000, 'a');
  ASSERT_TRUE(store->PutIfAbsent("obj", first).ok());
  Status second = store->PutIfAbsent("obj", std::string(300000, 'b'));
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  EXPECT_TRUE(store->Get("obj").ValueOr("?") == first);
}

TEST(AzureBlobTest, ConcurrentBlockUploadPutIfAbsentHasOneWinner) {
  StorageOptions options = Options();
  options.settings["RS_STORAGE_BLOCK_SIZE_BYTES"] = "65536";
  options.settings["RS_STORAGE_SINGLE_PUT_MAX_BYTES"] = "65536";
  auto store = FreshStore("blocks-race", options);
  ASSERT_NE(store, nullptr);
  std::atomic<int> winners{0};
  std::atomic<int> winner{-1};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Status s = store->PutIfAbsent("race", std::string(200000, static_cast<char>('a' + t)));
      if (s.ok()) {
        ++winners;
        winner = t;
      } else {
        EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_TRUE(store->Get("race").ValueOr("?") ==
              std::string(200000, static_cast<char>('a' + winner.load())));
}

TEST(AzureBlobTest, MissingContainerGivesAClearError) {
  auto store = OpenStorage("az://no-such-container/x", Options());
  ASSERT_TRUE(store.ok());
  for (Status s : {(*store)->Get("k").status(), (*store)->List("").status(),
                   (*store)->Put("k", "v"), (*store)->Head("k").status()}) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    EXPECT_NE(s.message().find("container 'no-such-container' not found: create it or fix the URI"),
              std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("HTTP 404 ContainerNotFound"), std::string::npos) << s.message();
  }
}

TEST(AzureBlobTest, WrongKeyGivesAuthErrorWithoutTheKey) {
  auto store = FreshStore();
  ASSERT_NE(store, nullptr);
  StorageOptions wrong = Options();
  const std::string bad_key = testing::TestBase64("definitely-not-the-azurite-key-0123456789");
  wrong.settings["AZURE_STORAGE_ACCOUNT_KEY"] = bad_key;
  auto bad = OpenStorage(std::string("az://") + kContainer + "/x", wrong);
  ASSERT_TRUE(bad.ok());
  for (Status s : {(*bad)->Get("k").status(), (*bad)->Put("k", "v"), (*bad)->List("").status()}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("authentication failed"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("AZURE_STORAGE_ACCOUNT_KEY"), std::string::npos);
    EXPECT_EQ(s.message().find(bad_key), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(Azurite()["RS_TEST_AZURITE_KEY"]), std::string::npos);
  }
}

TEST(AzureBlobTest, ServiceSasTokenAuthorizesContainerOperations) {
  auto env = Azurite();
  ASSERT_TRUE(CreateAzureContainer(std::string("az://") + kContainer, Options()).ok());
  std::string sas =
      testing::ContainerSas(env["RS_TEST_AZURITE_ACCOUNT"], env["RS_TEST_AZURITE_KEY"], kContainer,
                            "racwdl", "2099-01-01T00:00:00Z");
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_ACCOUNT_NAME", env["RS_TEST_AZURITE_ACCOUNT"]},
                      {"AZURE_STORAGE_SAS_TOKEN", "?" + sas},
                      {"AZURE_STORAGE_ENDPOINT", env["RS_TEST_AZURITE_ENDPOINT"]}};
  auto store = OpenStorage(std::string("az://") + kContainer + "/" + UniqueRoot("sas"), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Put("s/one", "1").ok());
  EXPECT_TRUE((*store)->PutIfAbsent("s/one", "2").IsAlreadyExists());
  EXPECT_EQ((*store)->Get("s/one").ValueOr("?"), "1");
  EXPECT_EQ((*store)->List("s/").ValueOr({}).size(), 1u);
  EXPECT_TRUE((*store)->Delete("s/one").ok());
  EXPECT_TRUE((*store)->Head("s/one").status().IsNotFound());
}

TEST(AzureBlobTest, ReadOnlySasRefusesWritesWithoutShowingTheToken) {
  auto env = Azurite();
  std::string sas =
      testing::ContainerSas(env["RS_TEST_AZURITE_ACCOUNT"], env["RS_TEST_AZURITE_KEY"], kContainer,
                            "r", "2099-01-01T00:00:00Z");
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_ACCOUNT_NAME", env["RS_TEST_AZURITE_ACCOUNT"]},
                      {"AZURE_STORAGE_SAS_TOKEN", sas},
                      {"AZURE_STORAGE_ENDPOINT", env["RS_TEST_AZURITE_ENDPOINT"]}};
  auto store = OpenStorage(std::string("az://") + kContainer + "/x", options);
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Put("k", "v");  // the SAS grants read only
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("authentication failed with SAS token"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("sig="), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(sas), std::string::npos) << s.message();
}

TEST(AzureBlobTest, TransientFailuresAreRetriedUntilSuccess) {
  auto direct = FreshStore("retry");
  ASSERT_NE(direct, nullptr);
  ASSERT_TRUE(direct->Put("r/obj", "payload").ok());
  std::string uri = direct->Describe();
  for (int status : {503, 500, 429}) {
    FailingProxy proxy(2, status);
    auto store = OpenStorage(uri.substr(0, uri.find(' ')), Options(proxy.url()));
    ASSERT_TRUE(store.ok());
    auto got = (*store)->Get("r/obj");
    ASSERT_TRUE(got.ok()) << status << ": " << got.status().ToString();
    EXPECT_EQ(*got, "payload");
    EXPECT_EQ(proxy.injected(), 2);
    EXPECT_EQ(proxy.requests(), 3);
  }
}

TEST(AzureBlobTest, RetriedPutIfAbsentStillHasOneOutcome) {
  FailingProxy proxy(1);
  auto store = FreshStore("retry-put", Options(proxy.url()));
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->PutIfAbsent("once", "v").ok());
  EXPECT_TRUE(store->PutIfAbsent("once", "w").IsAlreadyExists());
  EXPECT_EQ(store->Get("once").ValueOr("?"), "v");
}

TEST(AzureBlobTest, PutIfAbsentWhoseReplyWasLostStillSucceedsOnce) {
  auto direct = FreshStore("lost-reply");
  ASSERT_NE(direct, nullptr);
  std::string uri = direct->Describe();
  uri = uri.substr(0, uri.find(' '));
  {
    FailingProxy proxy(1, 503, /*forward_first=*/true);
    auto store = OpenStorage(uri, Options(proxy.url()));
    ASSERT_TRUE(store.ok());
    Status s = (*store)->PutIfAbsent("commit/0.json", "ours");
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(proxy.requests(), 3);  // lost reply, 409 on the retry, read-back
  }
  {
    // The object already held other bytes: the retry's 409 is a real conflict.
    FailingProxy proxy(1, 503, /*forward_first=*/true);
    auto store = OpenStorage(uri, Options(proxy.url()));
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->PutIfAbsent("commit/0.json", "theirs").IsAlreadyExists());
  }
  EXPECT_EQ(direct->Get("commit/0.json").ValueOr("?"), "ours");
}

TEST(AzureBlobTest, PersistentUnavailabilityGivesUpWithAClearError) {
  FailingProxy proxy(1000, 503);
  auto store = OpenStorage(std::string("az://") + kContainer + "/x", Options(proxy.url()));
  ASSERT_TRUE(store.ok());
  auto got = (*store)->Get("k");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status().ToString();
  EXPECT_NE(got.status().message().find("HTTP 503"), std::string::npos);
  EXPECT_NE(got.status().message().find("gave up after 4 attempts"), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("/rs-storage-test/x/k"), std::string::npos);
  EXPECT_EQ(proxy.requests(), 4);
}

TEST(AzureBlobTest, RefusedConnectionIsRetriedThenUnavailable) {
  int port;
  {
    LoopbackHttpServer closed([](const ServedRequest&) { return ServedResponse{}; });
    port = closed.port();
  }
  auto store = OpenStorage(std::string("az://") + kContainer + "/x",
                           Options("http://127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Put("k", "v");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("gave up after 4 attempts"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rs::storage
