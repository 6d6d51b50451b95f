// Azure Blob store without Azurite: URI and settings resolution, signing
// and XML helpers, token sources, retries, and the rule that no credential
// ever reaches a Status message — all against loopback fake servers.
#include "storage/azure_blob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/test_services.h"
#include "storage/azure_auth_internal.h"
#include "storage/azure_config_internal.h"
#include "storage/azure_xml_internal.h"
#include "storage/loopback_http_server.h"
#include "storage/storage.h"

namespace rs::storage {
namespace {

using internal::AzureConfig;
using internal::ResolveAzureConfig;
using testing::LoopbackHttpServer;
using testing::ServedRequest;
using testing::ServedResponse;

constexpr char kKey[] = "c2VjcmV0LWFjY291bnQta2V5LWJ5dGVzLTAxMjM0NTY3ODk=";  // base64
constexpr char kKeyBytes[] = "secret-account-key-bytes-0123456789";

Result<AzureConfig> Resolve(const std::string& uri, std::map<std::string, std::string> settings) {
  auto http = std::make_shared<internal::HttpClient>(internal::HttpOptions{});
  return ResolveAzureConfig(uri, StorageOptions{std::move(settings)}, http);
}

TEST(AzureConfigTest, AbfssUriNamesAccountContainerAndRoot) {
  auto config = Resolve("abfss://lake@myacct.dfs.core.windows.net/gold//rankings/",
                        {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "https://myacct.blob.core.windows.net");
  EXPECT_EQ(config->base_path, "");
  EXPECT_EQ(config->account, "myacct");
  EXPECT_EQ(config->container, "lake");
  EXPECT_EQ(config->root, "gold/rankings");
  EXPECT_EQ(config->credential.kind, internal::AzureCredential::Kind::kSharedKey);
  EXPECT_EQ(config->credential.account_key, kKeyBytes);
  EXPECT_EQ(config->display, "abfss://lake@myacct.dfs.core.windows.net/gold//rankings/");
}

TEST(AzureConfigTest, AzUriTakesTheAccountFromSettings) {
  auto config = Resolve(
      "az://lake/x", {{"AZURE_STORAGE_ACCOUNT_NAME", "acct2"}, {"AZURE_STORAGE_ACCESS_KEY", kKey}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "https://acct2.blob.core.windows.net");
  EXPECT_EQ(config->root, "x");
}

TEST(AzureConfigTest, AzUriWithoutAccountIsInvalid) {
  auto config = Resolve("az://lake/x", {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("AZURE_STORAGE_ACCOUNT_NAME"), std::string::npos)
      << config.status().message();
}

TEST(AzureConfigTest, EmulatorDefaultsToLocalAzuriteAndTheDevelopmentKey) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_USE_EMULATOR", "true"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "http://127.0.0.1:10000");
  EXPECT_EQ(config->base_path, "/devstoreaccount1");
  EXPECT_EQ(config->account, "devstoreaccount1");
  EXPECT_EQ(config->credential.kind, internal::AzureCredential::Kind::kSharedKey);
  EXPECT_EQ(config->root, "");
}

TEST(AzureConfigTest, EndpointOverrideKeepsItsAccountPath) {
  auto config = Resolve("az://lake/r", {{"AZURE_STORAGE_ENDPOINT", "http://10.0.0.1:1234/acct9/"},
                                        {"AZURE_STORAGE_ACCOUNT_KEY", kKey}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "http://10.0.0.1:1234");
  EXPECT_EQ(config->base_path, "/acct9");
  EXPECT_EQ(config->account, "acct9");
  EXPECT_EQ(config->display, "az://lake/r (http://10.0.0.1:1234/acct9)");
}

TEST(AzureConfigTest, ConnectionStringGivesAccountKeyProtocolAndSuffix) {
  auto config = Resolve("az://lake",
                        {{"AZURE_STORAGE_CONNECTION_STRING",
                          std::string("DefaultEndpointsProtocol=http;AccountName=cs1;AccountKey=") +
                              kKey + ";EndpointSuffix=core.chinacloudapi.cn"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "http://cs1.blob.core.chinacloudapi.cn");
  EXPECT_EQ(config->credential.account_key, kKeyBytes);
}

TEST(AzureConfigTest, ConnectionStringSasAndBlobEndpoint) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_CONNECTION_STRING",
                                       "BlobEndpoint=https://custom.example/acct;"
                                       "SharedAccessSignature=sv=2020&sig=abc"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->origin, "https://custom.example");
  EXPECT_EQ(config->credential.kind, internal::AzureCredential::Kind::kSas);
  EXPECT_EQ(config->credential.sas, "sv=2020&sig=abc");
}

TEST(AzureConfigTest, InvalidContainerNameIsRejected) {
  auto config = Resolve("az://Bad_Name/x", {{"AZURE_STORAGE_USE_EMULATOR", "true"}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("container name 'Bad_Name' is invalid"),
            std::string::npos);
}

TEST(AzureConfigTest, MissingCredentialsListTheOptions) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("no credentials"), std::string::npos);
  EXPECT_NE(config.status().message().find("IDENTITY_ENDPOINT"), std::string::npos);
}

TEST(AzureConfigTest, WorkloadIdentityNeedsClientAndTenant) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"},
                                      {"AZURE_FEDERATED_TOKEN_FILE", "/tmp/x"}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("AZURE_TENANT_ID"), std::string::npos);
}

TEST(AzureConfigTest, BadTuningValueNamesTheSetting) {
  auto config = Resolve(
      "az://lake", {{"AZURE_STORAGE_USE_EMULATOR", "true"}, {"RS_STORAGE_MAX_RETRIES", "many"}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("RS_STORAGE_MAX_RETRIES='many'"), std::string::npos);
}

TEST(AzureConfigTest, BooleansAcceptTheCliSpellingsAndRejectOthers) {
  auto on = Resolve("az://lake", {{"AZURE_STORAGE_USE_EMULATOR", " On "}});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->account, "devstoreaccount1");
  auto bad = Resolve("az://lake", {{"AZURE_STORAGE_USE_EMULATOR", "maybe"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("AZURE_STORAGE_USE_EMULATOR='maybe'"), std::string::npos);
}

// Issue 24: one settings grammar. Storage numbers state their range as the
// CLI's do (they were ">= MIN", and values above the limits were clamped);
// a set but empty boolean is an error, as in the CLI (it was read as false).
TEST(AzureConfigTest, Issue24TuningOutOfRangeStatesTheRange) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"RS_STORAGE_MAX_RETRIES=51",
       "RS_STORAGE_MAX_RETRIES='51' is not a whole number from 0 to 50"},
      {"RS_STORAGE_UPLOAD_CONCURRENCY=65",
       "RS_STORAGE_UPLOAD_CONCURRENCY='65' is not a whole number from 1 to 64"},
      {"RS_STORAGE_LIST_PAGE_SIZE=0",
       "RS_STORAGE_LIST_PAGE_SIZE='0' is not a whole number from 1 to 5000"},
      {"RS_STORAGE_RETRY_BASE_DELAY_MS=-1",
       "RS_STORAGE_RETRY_BASE_DELAY_MS='-1' is not a whole number from 0 to 1000000000"},
  };
  for (const auto& [setting, message] : cases) {
    size_t eq = setting.find('=');
    auto config = Resolve("az://lake", {{"AZURE_STORAGE_USE_EMULATOR", "true"},
                                        {setting.substr(0, eq), setting.substr(eq + 1)}});
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << setting;
    EXPECT_EQ(config.status().message(), message);
  }
}

TEST(AzureConfigTest, Issue24EmptyBooleanIsAnError) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_USE_EMULATOR", "true"},
                                      {"AZURE_SKIP_SIGNATURE", ""}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("AZURE_SKIP_SIGNATURE='' is not a boolean"),
            std::string::npos);
}

TEST(AzureConfigTest, MalformedSecretsAreReportedWithoutTheirValue) {
  const std::string secret = "not*base64*secret-value";
  for (auto settings : std::vector<std::map<std::string, std::string>>{
           {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"}, {"AZURE_STORAGE_ACCOUNT_KEY", secret}},
           {{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=a1;" + secret}},
           {{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=a1;AccountKey=" + secret}}}) {
    auto config = Resolve("az://lake", settings);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().message().find(secret), std::string::npos)
        << config.status().message();
  }
}

TEST(AzureSigningTest, StringToSignFollowsTheDocumentedLayout) {
  internal::Headers headers = {{"x-ms-version", "2021-08-06"},
                               {"Content-Type", "application/octet-stream"},
                               {"x-ms-date", "Wed, 25 Nov 2026 09:00:00 GMT"},
                               {"If-None-Match", "*"},
                               {"x-ms-blob-type", "BlockBlob"}};
  internal::Headers query = {{"comp", "block"}, {"blockid", "YWJj"}};
  std::string s =
      internal::SharedKeyStringToSign("PUT", "acct", "/acct/c/a%20b", query, headers, 11);
  EXPECT_EQ(s,
            "PUT\n\n\n11\n\napplication/octet-stream\n\n\n\n*\n\n\n"
            "x-ms-blob-type:BlockBlob\nx-ms-date:Wed, 25 Nov 2026 09:00:00 GMT\n"
            "x-ms-version:2021-08-06\n/acct/acct/c/a%20b\nblockid:YWJj\ncomp:block");
  EXPECT_EQ(internal::SharedKeyStringToSign("GET", "a", "/c/b", {}, {}, 0),
            "GET\n\n\n\n\n\n\n\n\n\n\n\n/a/c/b");
}

TEST(AzureSigningTest, HmacAndBase64MatchKnownVectors) {
  // RFC 4231 test case 2.
  std::string mac = internal::HmacSha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(internal::Base64Encode(mac), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  EXPECT_EQ(internal::Base64Decode("aGVsbG8=").ValueOr("?"), "hello");
  EXPECT_EQ(internal::Base64Decode("aGVsbG8h").ValueOr("?"), "hello!");
  EXPECT_FALSE(internal::Base64Decode("abc").ok());
}

TEST(AzureSigningTest, HttpDatesRoundTrip) {
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1764061856));
  std::string text = internal::HttpDate(t);
  EXPECT_EQ(text, "Tue, 25 Nov 2025 09:10:56 GMT");
  EXPECT_EQ(internal::ParseHttpDateUnixMs(text), 1764061856000);
  EXPECT_FALSE(internal::ParseHttpDateUnixMs("yesterday").has_value());
}

TEST(AzureXmlTest, ListBlobsPageIsParsedAndDecoded) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ContainerName=\"c\">"
      "<Prefix>p/</Prefix><Blobs><Blob><Name>p/a&amp;b &lt;1&gt;</Name><Properties>"
      "<Last-Modified>Tue, 25 Nov 2025 09:10:56 GMT</Last-Modified><Content-Length>42"
      "</Content-Length></Properties></Blob><Blob><Name>p/&#xE9;t&#233;</Name><Properties>"
      "<Content-Length>0</Content-Length></Properties></Blob>"
      "<Blob><Name>p/dir</Name><Properties><Content-Length>0</Content-Length>"
      "<ResourceType>directory</ResourceType></Properties></Blob></Blobs>"
      "<NextMarker>2!abc</NextMarker></EnumerationResults>";
  auto page = internal::ParseListBlobs(xml);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->blobs.size(), 2u);
  EXPECT_EQ(page->blobs[0].key, "p/a&b <1>");
  EXPECT_EQ(page->blobs[0].size_bytes, 42u);
  EXPECT_EQ(page->blobs[0].modified_unix_ms, 1764061856000);
  EXPECT_EQ(page->blobs[1].key, "p/\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(page->next_marker, "2!abc");
}

TEST(AzureXmlTest, EmptyNextMarkerEndsListing) {
  auto page =
      internal::ParseListBlobs("<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
  EXPECT_EQ(page->next_marker, "");
  EXPECT_EQ(internal::ParseListBlobs("<html>proxy error</html>").status().code(),
            StatusCode::kCorruption);
}

// ---- Against a fake Blob service -------------------------------------------

StorageOptions FakeOptions(const LoopbackHttpServer& server,
                           std::map<std::string, std::string> extra = {}) {
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_ENDPOINT", server.url() + "/fakeacct"},
                      {"RS_STORAGE_MAX_RETRIES", "2"},
                      {"RS_STORAGE_RETRY_BASE_DELAY_MS", "1"},
                      {"RS_STORAGE_RETRY_MAX_DELAY_MS", "5"},
                      {"RS_STORAGE_SINGLE_PUT_MAX_BYTES", "10"},
                      {"RS_STORAGE_BLOCK_SIZE_BYTES", "4"}};
  for (auto& [k, v] : extra) options.settings[k] = v;
  return options;
}

// Every operation's Status, for a store whose server answers with one status.
std::vector<Status> EveryOperation(Storage& store, const std::string& uri,
                                   const StorageOptions& options) {
  return {store.Get("k").status(),
          store.GetRange("k", 1, 2).status(),
          store.GetRange("k", 0, 0).status(),
          store.Put("k", "small"),
          store.Put("k", "large enough for blocks"),
          store.PutIfAbsent("k", "small"),
          store.PutIfAbsent("k", "large enough for blocks"),
          store.List("p/").status(),
          store.Delete("k"),
          store.Head("k").status(),
          CreateAzureContainer(uri, options)};
}

TEST(AzureSecretsTest, NoCredentialAppearsInAnyErrorOrDescription) {
  const std::string sas_secret = "SASSIGNATURESECRET";
  const std::string token_secret = "BEARERTOKENSECRET";
  std::vector<std::map<std::string, std::string>> credentials = {
      {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}},
      {{"AZURE_STORAGE_SAS_TOKEN", "?sv=2021-08-06&sp=r&sig=" + sas_secret}},
      {{"AZURE_STORAGE_TOKEN", token_secret}},
      {{"AZURE_STORAGE_CONNECTION_STRING",
        std::string("AccountName=fakeacct;AccountKey=") + kKey}}};
  const std::vector<std::string> secrets = {kKey, kKeyBytes, sas_secret, token_secret};
  for (int status : {400, 401, 403, 404, 409, 412, 416, 418, 500, 503}) {
    for (const char* code : {"AuthenticationFailed", "ContainerNotFound", "BlobNotFound"}) {
      LoopbackHttpServer server([&](const ServedRequest&) {
        // A hostile or buggy server echoing everything back must not leak either.
        return ServedResponse{status,
                              {{"x-ms-error-code", code}},
                              std::string("<Error><Code>") + code +
                                  "</Code><Message>bad request\nRequestId:1</Message></Error>"};
      });
      for (const auto& credential : credentials) {
        StorageOptions options = FakeOptions(server, credential);
        std::string uri = "az://fake-container/root";
        auto store = OpenStorage(uri, options);
        ASSERT_TRUE(store.ok()) << store.status().ToString();
        std::vector<Status> results = EveryOperation(**store, uri, options);
        for (const Status& s : results) {
          for (const auto& secret : secrets) {
            EXPECT_EQ(s.message().find(secret), std::string::npos)
                << status << " " << code << ": " << s.ToString();
          }
        }
        for (const auto& secret : secrets) {
          EXPECT_EQ((*store)->Describe().find(secret), std::string::npos);
        }
      }
    }
  }
}

TEST(AzureSecretsTest, TransportErrorsDoNotShowTheSasQuery) {
  int port;
  {
    LoopbackHttpServer closed([](const ServedRequest&) { return ServedResponse{}; });
    port = closed.port();
  }
  StorageOptions options;
  options.settings = {{"AZURE_STORAGE_ENDPOINT", "http://127.0.0.1:" + std::to_string(port) + "/a"},
                      {"AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=TRANSPORTSECRET"},
                      {"RS_STORAGE_MAX_RETRIES", "1"},
                      {"RS_STORAGE_RETRY_BASE_DELAY_MS", "1"}};
  auto store = OpenStorage("az://cont/x", options);
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Put("k", "v");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("http://127.0.0.1:" + std::to_string(port) + "/a/cont/x/k"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("TRANSPORTSECRET"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("sig="), std::string::npos) << s.message();
}

TEST(AzureErrorTest, MessagesNameOperationUrlStatusCodeAndMeaning) {
  LoopbackHttpServer server([](const ServedRequest& r) {
    if (r.method == "DELETE") return ServedResponse{404, {{"x-ms-error-code", "BlobNotFound"}}, ""};
    return ServedResponse{403, {{"x-ms-error-code", "AuthenticationFailed"}}, ""};
  });
  auto store =
      OpenStorage("az://cont/root", FakeOptions(server, {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}}));
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Get("dir/a b.json").status();
  EXPECT_EQ(s.message(), "get " + server.url() +
                             "/fakeacct/cont/root/dir/a%20b.json: HTTP 403 AuthenticationFailed: "
                             "authentication failed with shared key: check "
                             "AZURE_STORAGE_ACCOUNT_KEY/SAS token/identity and its permissions on "
                             "account 'fakeacct'");
  EXPECT_TRUE((*store)->Delete("gone").ok());
}

TEST(AzureRetryTest, RetryableStatusesAreRetriedAndOthersAreNot) {
  std::atomic<int> calls{0};
  LoopbackHttpServer server([&](const ServedRequest&) {
    int n = calls++;
    if (n < 2) return ServedResponse{n == 0 ? 503 : 429, {}, ""};
    if (n == 2) return ServedResponse{200, {}, "body"};
    return ServedResponse{400, {{"x-ms-error-code", "InvalidUri"}}, ""};
  });
  auto store = OpenStorage("az://cont", FakeOptions(server, {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "body");
  EXPECT_EQ(calls.load(), 3);
  Status s = (*store)->Get("k").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calls.load(), 4);  // 400 is final
}

TEST(AzureRetryTest, RetryAfterIsHonoured) {
  std::atomic<int> calls{0};
  LoopbackHttpServer server([&](const ServedRequest&) {
    if (calls++ == 0) return ServedResponse{503, {{"Retry-After", "1"}}, ""};
    return ServedResponse{200, {}, "late"};
  });
  auto store =
      OpenStorage("az://cont", FakeOptions(server, {{"AZURE_STORAGE_ACCOUNT_KEY", kKey},
                                                    {"RS_STORAGE_RETRY_MAX_DELAY_MS", "5000"}}));
  ASSERT_TRUE(store.ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "late");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
}

// A 10-byte blob served in ranges; the first `changes` range reads after the
// first one see a new ETag (412), as when a writer replaces the blob mid-read.
struct RangedBlobServer {
  const std::string data = "0123456789";
  std::atomic<int> changes{0};
  std::atomic<int> requests{0};
  LoopbackHttpServer server{[this](const ServedRequest& r) {
    ++requests;
    std::string range = r.headers.at("x-ms-range");  // bytes=a-b
    size_t dash = range.find('-');
    size_t from = std::stoul(range.substr(6, dash - 6));
    size_t to = std::min<size_t>(std::stoul(range.substr(dash + 1)), data.size() - 1);
    if (from > 0 && r.headers.count("if-match") && changes > 0) {
      --changes;
      return ServedResponse{412, {{"x-ms-error-code", "ConditionNotMet"}}, ""};
    }
    return ServedResponse{
        206,
        {{"Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(to) + "/10"},
         {"ETag", "\"v1\""}},
        data.substr(from, to - from + 1)};
  }};
};

TEST(AzureGetTest, LargeBlobIsReadInParallelRanges) {
  RangedBlobServer fake;
  auto store =
      OpenStorage("az://cont", FakeOptions(fake.server, {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "0123456789");
  EXPECT_EQ(fake.requests.load(), 3);  // 0-3, 4-7, 8-9
}

TEST(AzureGetTest, BlobReplacedDuringTheReadRestartsIt) {
  RangedBlobServer fake;
  fake.changes = 1;
  auto store =
      OpenStorage("az://cont", FakeOptions(fake.server, {{"AZURE_STORAGE_ACCOUNT_KEY", kKey}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "0123456789");
  EXPECT_GE(fake.requests.load(), 5);
  fake.changes = 1000;
  Status s = (*store)->Get("k").status();
  EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
  EXPECT_NE(s.message().find("object changed while reading"), std::string::npos);
}

// ---- Token sources -----------------------------------------------------------

struct TokenServer {
  std::mutex mu;
  std::vector<ServedRequest> token_requests;
  std::vector<std::string> authorizations;
  std::string token_reply;
  LoopbackHttpServer server{[this](const ServedRequest& r) {
    std::lock_guard lock(mu);
    if (r.target.starts_with("/identity") || r.target.find("/oauth2/") != std::string::npos) {
      token_requests.push_back(r);
      return ServedResponse{200, {{"Content-Type", "application/json"}}, token_reply};
    }
    authorizations.push_back(r.headers.count("authorization") ? r.headers.at("authorization") : "");
    return ServedResponse{200, {}, "blob"};
  }};
};

TEST(AzureTokenTest, StaticBearerTokenIsSentAsAuthorization) {
  TokenServer fake;
  auto store =
      OpenStorage("az://cont", FakeOptions(fake.server, {{"AZURE_STORAGE_TOKEN", "tok1"}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  ASSERT_EQ(fake.authorizations.size(), 1u);
  EXPECT_EQ(fake.authorizations[0], "Bearer tok1");
}

TEST(AzureTokenTest, SkipSignatureSendsNoAuthorization) {
  TokenServer fake;
  auto store =
      OpenStorage("az://cont", FakeOptions(fake.server, {{"AZURE_SKIP_SIGNATURE", "true"},
                                                         {"AZURE_STORAGE_TOKEN", "unused"}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  EXPECT_EQ(fake.authorizations, std::vector<std::string>({""}));
}

TEST(AzureTokenTest, ManagedIdentityFailureHidesTheIdentityHeader) {
  LoopbackHttpServer server([](const ServedRequest&) {
    return ServedResponse{500, {}, "{\"error\":\"unavailable\"}"};
  });
  auto store = OpenStorage("az://cont",
                           FakeOptions(server, {{"IDENTITY_ENDPOINT", server.url() + "/identity"},
                                                {"IDENTITY_HEADER", "IDHEADERSECRET"}}));
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Head("k").status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("managed identity token from " + server.url() + "/identity: HTTP 500"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("IDHEADERSECRET"), std::string::npos);
}

TEST(AzureTokenTest, ManagedIdentityTokenIsFetchedOnceAndCached) {
  TokenServer fake;
  int64_t expires_on = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() +
                       3600;
  fake.token_reply = "{\"access_token\":\"mi-token\",\"expires_on\":\"" +
                     std::to_string(expires_on) + "\",\"token_type\":\"Bearer\"}";
  auto store = OpenStorage(
      "az://cont", FakeOptions(fake.server, {{"IDENTITY_ENDPOINT", fake.server.url() + "/identity"},
                                             {"IDENTITY_HEADER", "hdr-secret"},
                                             {"AZURE_CLIENT_ID", "cid-1"}}));
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  ASSERT_EQ(fake.token_requests.size(), 1u);
  const ServedRequest& r = fake.token_requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_NE(r.target.find("resource=https%3A%2F%2Fstorage.azure.com%2F"), std::string::npos)
      << r.target;
  EXPECT_NE(r.target.find("api-version=2019-08-01"), std::string::npos);
  EXPECT_NE(r.target.find("client_id=cid-1"), std::string::npos);
  EXPECT_EQ(r.headers.at("x-identity-header"), "hdr-secret");
  EXPECT_EQ(fake.authorizations, std::vector<std::string>(3, "Bearer mi-token"));
}

TEST(AzureTokenTest, ExpiringTokenIsRefreshed) {
  TokenServer fake;
  fake.token_reply = "{\"access_token\":\"short\",\"expires_in\":0}";
  auto store = OpenStorage(
      "az://cont", FakeOptions(fake.server, {{"IDENTITY_ENDPOINT", fake.server.url() + "/identity"},
                                             {"IDENTITY_HEADER", "h"}}));
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Get("k").ok());
  EXPECT_TRUE((*store)->Get("k").ok());
  EXPECT_EQ(fake.token_requests.size(), 2u);
}

TEST(AzureTokenTest, WorkloadIdentityPostsTheFederatedAssertion) {
  TokenServer fake;
  fake.token_reply = "{\"access_token\":\"wi-token\",\"expires_in\":3600}";
  std::string dir = rs::testing::MakeTempDir("workload");
  std::string file = dir + "/token";
  std::ofstream(file) << "federated.jwt.value\n";
  auto store = OpenStorage(
      "az://cont", FakeOptions(fake.server, {{"AZURE_FEDERATED_TOKEN_FILE", file},
                                             {"AZURE_CLIENT_ID", "app-id"},
                                             {"AZURE_TENANT_ID", "tenant-1"},
                                             {"AZURE_AUTHORITY_HOST", fake.server.url() + "/"}}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  ASSERT_EQ(fake.token_requests.size(), 1u);
  const ServedRequest& r = fake.token_requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/tenant-1/oauth2/v2.0/token");
  EXPECT_NE(r.body.find("client_assertion=federated.jwt.value&"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(r.body.find("client_id=app-id"), std::string::npos);
  EXPECT_NE(r.body.find("scope=https%3A%2F%2Fstorage.azure.com%2F.default"), std::string::npos);
  EXPECT_NE(r.body.find("jwt-bearer"), std::string::npos);
  EXPECT_EQ(fake.authorizations.at(0), "Bearer wi-token");
  std::filesystem::remove_all(dir);
}

TEST(AzureTokenTest, TokenEndpointRefusalIsClearAndHidesTheAssertion) {
  LoopbackHttpServer server([](const ServedRequest&) {
    return ServedResponse{401, {}, "{\"error\":\"invalid_client\",\"error_description\":\"no\"}"};
  });
  std::string dir = rs::testing::MakeTempDir("workload-bad");
  std::string file = dir + "/token";
  std::ofstream(file) << "ASSERTIONSECRET";
  auto store =
      OpenStorage("az://cont", FakeOptions(server, {{"AZURE_FEDERATED_TOKEN_FILE", file},
                                                    {"AZURE_CLIENT_ID", "app"},
                                                    {"AZURE_TENANT_ID", "t"},
                                                    {"AZURE_AUTHORITY_HOST", server.url()}}));
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Get("k").status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(
      s.message().find("workload identity token from " + server.url() + "/t/oauth2/v2.0/token"),
      std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("invalid_client"), std::string::npos);
  EXPECT_EQ(s.message().find("ASSERTIONSECRET"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(AzureTokenTest, ServicePrincipalPostsTheClientSecretAndHidesIt) {
  TokenServer fake;
  fake.token_reply = "{\"access_token\":\"sp-token\",\"expires_in\":3600}";
  auto store = OpenStorage("az://cont",
                           FakeOptions(fake.server, {{"AZURE_CLIENT_SECRET", "s3cr&t=SPSECRET"},
                                                     {"AZURE_CLIENT_ID", "app-id"},
                                                     {"AZURE_TENANT_ID", "tenant-1"},
                                                     {"AZURE_AUTHORITY_HOST", fake.server.url()}}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  ASSERT_EQ(fake.token_requests.size(), 1u);
  const ServedRequest& r = fake.token_requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/tenant-1/oauth2/v2.0/token");
  EXPECT_NE(r.body.find("client_secret=s3cr%26t%3DSPSECRET"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(r.body.find("client_id=app-id"), std::string::npos);
  EXPECT_NE(r.body.find("scope=https%3A%2F%2Fstorage.azure.com%2F.default"), std::string::npos);
  EXPECT_EQ(r.body.find("client_assertion"), std::string::npos);
  EXPECT_EQ(fake.authorizations.at(0), "Bearer sp-token");
}

TEST(AzureTokenTest, ServicePrincipalRefusalIsClearAndHidesTheSecret) {
  LoopbackHttpServer server([](const ServedRequest&) {
    return ServedResponse{401, {}, "{\"error\":\"invalid_client\"}"};
  });
  auto store =
      OpenStorage("az://cont", FakeOptions(server, {{"AZURE_CLIENT_SECRET", "SPSECRET"},
                                                    {"AZURE_CLIENT_ID", "app"},
                                                    {"AZURE_TENANT_ID", "t"},
                                                    {"AZURE_AUTHORITY_HOST", server.url()}}));
  ASSERT_TRUE(store.ok());
  Status s = (*store)->Get("k").status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("service principal token from " + server.url() +
                             "/t/oauth2/v2.0/token"
                             ": HTTP 401 (invalid_client)"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("SPSECRET"), std::string::npos);
}

TEST(AzureConfigTest, ServicePrincipalNeedsClientAndTenantAndNeverEchoesTheSecret) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"},
                                      {"AZURE_CLIENT_SECRET", "SPSECRET"},
                                      {"AZURE_CLIENT_ID", "app"}});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("AZURE_CLIENT_SECRET is set: a service "
                                           "principal also needs AZURE_CLIENT_ID and "
                                           "AZURE_TENANT_ID"),
            std::string::npos)
      << config.status().message();
  EXPECT_EQ(config.status().message().find("SPSECRET"), std::string::npos);
}

TEST(AzureTokenTest, InstanceMetadataIdentityAsksWithTheMetadataHeader) {
  TokenServer fake;
  fake.token_reply =
      "{\"access_token\":\"imds-token\",\"expires_in\":\"3599\","
      "\"token_type\":\"Bearer\"}";
  auto store =
      OpenStorage("az://cont",
                  FakeOptions(fake.server,
                              {{"AZURE_MSI_ENDPOINT", fake.server.url() + "/identity/oauth2/token"},
                               {"AZURE_CLIENT_ID", "user-assigned-1"}}));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (int i = 0; i < 2; ++i) EXPECT_EQ((*store)->Get("k").ValueOr("?"), "blob");
  ASSERT_EQ(fake.token_requests.size(), 1u);
  const ServedRequest& r = fake.token_requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_TRUE(
      r.target.starts_with("/identity/oauth2/token?resource=https%3A%2F%2Fstorage.azure.com%2F"))
      << r.target;
  EXPECT_NE(r.target.find("api-version=2018-02-01"), std::string::npos);
  EXPECT_NE(r.target.find("client_id=user-assigned-1"), std::string::npos);
  EXPECT_EQ(r.headers.at("metadata"), "true");
  EXPECT_EQ(r.headers.count("x-identity-header"), 0u);
  EXPECT_EQ(fake.authorizations, std::vector<std::string>(2, "Bearer imds-token"));
}

TEST(AzureConfigTest, ManagedIdentityOnRequestUsesTheInstanceMetadataAddress) {
  auto config = Resolve(
      "az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"}, {"AZURE_USE_MANAGED_IDENTITY", "true"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->credential.Describe(), "bearer token (instance metadata identity)");
  // Without the setting the instance metadata service is never tried.
  auto none = Resolve(
      "az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"}, {"AZURE_USE_MANAGED_IDENTITY", "false"}});
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("AZURE_USE_MANAGED_IDENTITY=true"), std::string::npos);
  EXPECT_NE(none.status().message().find("AZURE_CLIENT_SECRET"), std::string::npos);
}

TEST(AzureConfigTest, SasKeyIsTheDeltaRsSpellingOfTheSasToken) {
  auto config = Resolve("az://lake", {{"AZURE_STORAGE_ACCOUNT_NAME", "a1"},
                                      {"AZURE_STORAGE_SAS_KEY", "?sv=2022&sig=xyz"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->credential.kind, internal::AzureCredential::Kind::kSas);
  EXPECT_EQ(config->credential.sas, "sv=2022&sig=xyz");
}

}  // namespace
}  // namespace rs::storage
