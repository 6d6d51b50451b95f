// Helpers shared by the Azure Blob tests: a libcurl forwarder for the
// loopback proxy and a service SAS generator (Azure's documented format).
#ifndef RS_TESTS_STORAGE_AZURE_TEST_UTIL_H_
#define RS_TESTS_STORAGE_AZURE_TEST_UTIL_H_

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>

#include "storage/loopback_http_server.h"

namespace rs::storage::testing {

inline size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

inline size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<ServedResponse*>(user);
  std::string line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "transfer-encoding" || lower == "connection" || lower == "keep-alive") {
    return size * count;
  }
  std::string value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  response->headers.emplace_back(name, value);
  return size * count;
}

// Sends `request` unchanged (but for Host) to `origin` and returns the reply.
inline ServedResponse Forward(const std::string& origin, const ServedRequest& request) {
  std::unique_ptr<CURL, void (*)(CURL*)> h(curl_easy_init(), curl_easy_cleanup);
  ServedResponse response;
  curl_slist* headers = nullptr;
  bool has_type = false;
  for (const auto& [name, value] : request.headers) {
    if (name == "host" || name == "content-length" || name == "expect") continue;
    if (name == "content-type") has_type = true;
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  if (!has_type) headers = curl_slist_append(headers, "Content-Type:");
  std::string url = origin + request.target;
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h.get(), CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(h.get(), CURLOPT_HEADERDATA, &response);
  if (request.method == "HEAD") {
    curl_easy_setopt(h.get(), CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode code = curl_easy_perform(h.get());
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return ServedResponse{502, {}, curl_easy_strerror(code)};
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  if (request.method != "HEAD") {
    std::erase_if(response.headers, [](const auto& kv) {
      std::string lower = kv.first;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower == "content-length";
    });
  }
  return response;
}

inline std::string TestBase64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

inline std::string TestBase64Decode(const std::string& text) {
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  size_t pad =
      (text.size() > 0 && text.back() == '=') + (text.size() > 1 && text[text.size() - 2] == '=');
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

inline std::string UrlEncodeAll(const std::string& text) {
  std::string out;
  char buf[4];
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A service SAS (version 2018-11-09) for a whole container, signed with the
// account key: the string-to-sign is the documented newline-joined field list.
inline std::string ContainerSas(const std::string& account, const std::string& key_b64,
                                const std::string& container, const std::string& permissions,
                                const std::string& expiry) {
  const std::string version = "2018-11-09";
  std::string to_sign = permissions + "\n" +                           // sp
                        "\n" +                                         // st
                        expiry + "\n" +                                // se
                        "/blob/" + account + "/" + container + "\n" +  // canonicalized resource
                        "\n" +                                         // si
                        "\n" +                                         // sip
                        "\n" +                                         // spr
                        version + "\n" +                               // sv
                        "c\n" +                                        // sr
                        "\n" +                                         // snapshot time
                        "\n\n\n\n";                                    // rscc rscd rsce rscl rsct
  std::string key = TestBase64Decode(key_b64);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), digest, &length);
  std::string sig = TestBase64(std::string(reinterpret_cast<char*>(digest), length));
  return "sv=" + version + "&sr=c&sp=" + permissions + "&se=" + UrlEncodeAll(expiry) +
         "&sig=" + UrlEncodeAll(sig);
}

}  // namespace rs::storage::testing

#endif  // RS_TESTS_STORAGE_AZURE_TEST_UTIL_H_
