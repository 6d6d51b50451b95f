// Token sources that fetch OAuth tokens: managed identity (App Service /
// Container Apps endpoint, or the instance metadata service) and the
// client-credentials grant (client secret or federated token). Neither a
// message nor Kind() ever holds a token, secret, assertion or identity header.
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

// Managed identity: a GET to a local endpoint that answers with a token for
// the identity of the host (App Service and Container Apps, or the instance
// metadata service of VMs, scale sets and AKS nodes; they differ in header
// and API version only).
class ManagedIdentityTokenSource final : public CachingTokenSource {
 public:
  ManagedIdentityTokenSource(std::shared_ptr<HttpClient> http, ManagedIdentityEndpoint endpoint,
                             std::string client_id)
      : http_(std::move(http)), endpoint_(std::move(endpoint)), client_id_(std::move(client_id)) {}

  std::string Kind() const override { return endpoint_.kind; }

 protected:
  Result<Fetched> Fetch() override {
    const std::string& base = endpoint_.url;
    std::string url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                      "resource=" + PercentEncode(kStorageResource, false) +
                      "&api-version=" + endpoint_.api_version;
    if (!client_id_.empty()) url += "&client_id=" + PercentEncode(client_id_, false);
    auto build = [&]() -> Result<HttpRequest> {
      return HttpRequest{"GET", url, {{endpoint_.header_name, endpoint_.header_value}}, {}};
    };
    std::string step = endpoint_.kind + " token from " + RedactUrl(base);
    RS_ASSIGN_OR_RETURN_CTX(HttpResponse response, http_->Send(build), step);
    return ParseTokenResponse(step, response);
  }

 private:
  std::shared_ptr<HttpClient> http_;
  ManagedIdentityEndpoint endpoint_;
  std::string client_id_;
};

// The OAuth 2.0 client-credentials grant at
// {authority}/{tenant}/oauth2/v2.0/token, proving the application either
// with a client secret (a service principal) or with a federated token file
// (workload identity).
class ClientCredentialsTokenSource final : public CachingTokenSource {
 public:
  ClientCredentialsTokenSource(std::shared_ptr<HttpClient> http, std::string authority_host,
                               const std::string& tenant_id, std::string client_id,
                               ClientProof proof)
      : http_(std::move(http)),
        token_url_(std::move(authority_host)),
        client_id_(std::move(client_id)),
        proof_(std::move(proof)) {
    while (!token_url_.empty() && token_url_.back() == '/') token_url_.pop_back();
    token_url_ += "/" + tenant_id + "/oauth2/v2.0/token";
  }

  std::string Kind() const override {
    return proof_.kind == ClientProof::Kind::kSecret ? "service principal" : "workload identity";
  }

 protected:
  Result<Fetched> Fetch() override {
    std::string step = Kind() + " token from " + RedactUrl(token_url_);
    std::string form = "client_id=" + PercentEncode(client_id_, false) +
                       "&scope=" + PercentEncode("https://storage.azure.com/.default", false);
    if (proof_.kind == ClientProof::Kind::kSecret) {
      form += "&client_secret=" + PercentEncode(proof_.value, false);
    } else {
      RS_ASSIGN_OR_RETURN_CTX(std::string assertion, ReadAssertion(), step);
      form += "&client_assertion_type=" +
              PercentEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", false) +
              "&client_assertion=" + PercentEncode(assertion, false);
    }
    form += "&grant_type=client_credentials";
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
    const std::string& file = proof_.value;
    std::ifstream in(file);
    if (!in) {
      return Status::FailedPrecondition("read AZURE_FEDERATED_TOKEN_FILE " + file +
                                        ": cannot open");
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string assertion = text.str();
    while (!assertion.empty() && std::isspace(static_cast<unsigned char>(assertion.back()))) {
      assertion.pop_back();
    }
    if (assertion.empty()) {
      return Status::FailedPrecondition("read AZURE_FEDERATED_TOKEN_FILE " + file + ": empty");
    }
    return assertion;
  }

  std::shared_ptr<HttpClient> http_;
  std::string token_url_;
  std::string client_id_;
  ClientProof proof_;
};

}  // namespace

std::shared_ptr<TokenSource> NewManagedIdentityTokenSource(std::shared_ptr<HttpClient> http,
                                                           ManagedIdentityEndpoint endpoint,
                                                           std::string client_id) {
  return std::make_shared<ManagedIdentityTokenSource>(std::move(http), std::move(endpoint),
                                                      std::move(client_id));
}

std::shared_ptr<TokenSource> NewClientCredentialsTokenSource(std::shared_ptr<HttpClient> http,
                                                             std::string authority_host,
                                                             const std::string& tenant_id,
                                                             std::string client_id,
                                                             ClientProof proof) {
  return std::make_shared<ClientCredentialsTokenSource>(std::move(http), std::move(authority_host),
                                                        tenant_id, std::move(client_id),
                                                        std::move(proof));
}

}  // namespace rs::storage::internal
