// A minimal reader for the service's fixed, well-formed XML; it looks for
// elements by name instead of building a tree.
#include <charconv>

#include "storage/azure_auth_internal.h"
#include "storage/azure_xml_internal.h"

namespace rs::storage::internal {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one entity starting at text[0] == '&'; returns its length or 0.
size_t DecodeEntity(std::string_view text, std::string* out) {
  size_t semi = text.find(';');
  if (semi == std::string_view::npos || semi > 12) return 0;
  std::string_view name = text.substr(1, semi - 1);
  if (name == "amp")
    *out += '&';
  else if (name == "lt")
    *out += '<';
  else if (name == "gt")
    *out += '>';
  else if (name == "quot")
    *out += '"';
  else if (name == "apos")
    *out += '\'';
  else if (name.starts_with("#")) {
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    std::string_view digits = name.substr(hex ? 2 : 1);
    uint32_t cp = 0;
    auto [ptr, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return 0;
    AppendUtf8(cp, out);
  } else {
    return 0;
  }
  return semi + 1;
}

// Content of each <tag ...>...</tag> in `xml`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag);
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size() || (xml[after] != '>' && xml[after] != ' ' && xml[after] != '/')) {
      pos = after;
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <tag/>
      out.push_back({});
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

}  // namespace

std::string XmlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      size_t used = DecodeEntity(text.substr(i), &out);
      if (used > 0) {
        i += used - 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string XmlElementText(std::string_view xml, std::string_view tag) {
  auto found = Elements(xml, tag);
  return found.empty() ? std::string() : XmlDecode(found.front());
}

Result<ListBlobsPage> ParseListBlobs(std::string_view xml) {
  if (xml.find("<EnumerationResults") == std::string_view::npos) {
    return Status::Corruption("list blobs: response is not an EnumerationResults document");
  }
  ListBlobsPage page;
  for (std::string_view blob : Elements(xml, "Blob")) {
    // Accounts with a hierarchical namespace (ADLS Gen2, abfss://) list
    // their directories too; they are not objects.
    if (XmlElementText(blob, "ResourceType") == "directory") continue;
    ObjectInfo info;
    info.key = XmlElementText(blob, "Name");
    std::string length = XmlElementText(blob, "Content-Length");
    std::from_chars(length.data(), length.data() + length.size(), info.size_bytes);
    info.modified_unix_ms = ParseHttpDateUnixMs(XmlElementText(blob, "Last-Modified")).value_or(0);
    if (info.key.empty()) return Status::Corruption("list blobs: a <Blob> has no <Name>");
    page.blobs.push_back(std::move(info));
  }
  page.next_marker = XmlElementText(xml, "NextMarker");
  return page;
}

std::string BlockListXml(const std::vector<std::string>& block_ids) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const auto& id : block_ids) xml += "<Latest>" + XmlEscape(id) + "</Latest>";
  xml += "</BlockList>";
  return xml;
}

}  // namespace rs::storage::internal
