// Token sources that fetch OAuth tokens: managed identity and workload
// identity. Neither message nor Kind() ever holds a token or assertion.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/azure_auth_internal.h"
#include "storage/uri_internal.h"

namespace rs::storage::internal {
namespace {

constexpr std::string_view kStorageResource = "https://storage.azure.com/";

// Reads a number that token endpoints send either as JSON number or string.
std::optional<int64_t> JsonInt(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Token and expiry from a token endpoint's JSON reply; `step` names the call.
Result<CachingTokenSource::Fetched> ParseTokenResponse(const std::string& step,
                                                       const HttpResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200) {
    std::string code = body.is_object() && body.contains("error") && body["error"].is_string()
                           ? body["error"].get<std::string>()
                           : std::string("no error code");
    Status (*make)(std::string) =
        IsRetryableHttpStatus(response.status) ? &Status::Unavailable : &Status::FailedPrecondition;
    return make(step + ": HTTP " + std::to_string(response.status) + " (" + code +
                "): could not obtain a storage token; check the identity's configuration");
  }
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return Status::Corruption(step + ": reply has no access_token");
  }
  auto now = std::chrono::system_clock::now();
  CachingTokenSource::Fetched fetched;
  fetched.token = body["access_token"].get<std::string>();
  if (auto on = JsonInt(body, "expires_on")) {
    fetched.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(*on));
  } else if (auto in = JsonInt(body, "expires_in")) {
    fetched.expires_at = now + std::chrono::seconds(*in);
  } else {
    fetched.expires_at = now + std::chrono::minutes(10);
  }
  return fetched;
}

class ManagedIdentityTokenSource final : public CachingTokenSource {
 public:
  ManagedIdentityTokenSource(std::shared_ptr<HttpClient> http, std::string endpoint,
                             std::string identity_header, std::string client_id)
      : http_(std::move(http)),
        endpoint_(std::move(endpoint)),
        identity_header_(std::move(identity_header)),
        client_id_(std::move(client_id)) {}

  std::string Kind() const override { return "managed identity"; }

 protected:
  Result<Fetched> Fetch() override {
    std::string url = endpoint_ + (endpoint_.find('?') == std::string::npos ? "?" : "&") +
                      "resource=" + PercentEncode(kStorageResource, false) +
                      "&api-version=2019-08-01";
    if (!client_id_.empty()) url += "&client_id=" + PercentEncode(client_id_, false);
    auto build = [&]() -> Result<HttpRequest> {
      return HttpRequest{"GET", url, {{"X-IDENTITY-HEADER", identity_header_}}, {}};
    };
    std::string step = "managed identity token from " + RedactUrl(endpoint_);
    RS_ASSIGN_OR_RETURN_CTX(HttpResponse response, http_->Send(build), step);
    return ParseTokenResponse(step, response);
  }

 private:
  std::shared_ptr<HttpClient> http_;
  std::string endpoint_;
  std::string identity_header_;
  std::string client_id_;
};

class WorkloadIdentityTokenSource final : public CachingTokenSource {
 public:
  WorkloadIdentityTokenSource(std::shared_ptr<HttpClient> http, std::string authority_host,
                              std::string tenant_id, std::string client_id, std::string token_file)
      : http_(std::move(http)),
        token_url_(std::move(authority_host)),
        client_id_(std::move(client_id)),
        token_file_(std::move(token_file)) {
    while (!token_url_.empty() && token_url_.back() == '/') token_url_.pop_back();
    token_url_ += "/" + tenant_id + "/oauth2/v2.0/token";
  }

  std::string Kind() const override { return "workload identity"; }

 protected:
  Result<Fetched> Fetch() override {
    std::string step = "workload identity token from " + RedactUrl(token_url_);
    RS_ASSIGN_OR_RETURN_CTX(std::string assertion, ReadAssertion(), step);
    std::string form =
        "client_id=" + PercentEncode(client_id_, false) +
        "&scope=" + PercentEncode("https://storage.azure.com/.default", false) +
        "&client_assertion_type=" +
        PercentEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", false) +
        "&client_assertion=" + PercentEncode(assertion, false) + "&grant_type=client_credentials";
    auto build = [&]() -> Result<HttpRequest> {
      return HttpRequest{
          "POST", token_url_, {{"Content-Type", "application/x-www-form-urlencoded"}}, form};
    };
    RS_ASSIGN_OR_RETURN_CTX(HttpResponse response, http_->Send(build), step);
    return ParseTokenResponse(step, response);
  }

 private:
  // The file is rotated by the platform, so it is read on every refresh.
  Result<std::string> ReadAssertion() const {
    std::ifstream in(token_file_);
    if (!in) {
      return Status::FailedPrecondition("read AZURE_FEDERATED_TOKEN_FILE " + token_file_ +
                                        ": cannot open");
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string assertion = text.str();
    while (!assertion.empty() && std::isspace(static_cast<unsigned char>(assertion.back()))) {
      assertion.pop_back();
    }
    if (assertion.empty()) {
      return Status::FailedPrecondition("read AZURE_FEDERATED_TOKEN_FILE " + token_file_ +
                                        ": empty");
    }
    return assertion;
  }

  std::shared_ptr<HttpClient> http_;
  std::string token_url_;
  std::string client_id_;
  std::string token_file_;
};

}  // namespace

std::shared_ptr<TokenSource> NewManagedIdentityTokenSource(std::shared_ptr<HttpClient> http,
                                                           std::string endpoint,
                                                           std::string identity_header,
                                                           std::string client_id) {
  return std::make_shared<ManagedIdentityTokenSource>(
      std::move(http), std::move(endpoint), std::move(identity_header), std::move(client_id));
}

std::shared_ptr<TokenSource> NewWorkloadIdentityTokenSource(std::shared_ptr<HttpClient> http,
                                                            std::string authority_host,
                                                            std::string tenant_id,
                                                            std::string client_id,
                                                            std::string token_file) {
  return std::make_shared<WorkloadIdentityTokenSource>(std::move(http), std::move(authority_host),
                                                       std::move(tenant_id), std::move(client_id),
                                                       std::move(token_file));
}

}  // namespace rs::storage::internal
