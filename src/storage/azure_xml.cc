// The Blob service's XML replies are parsed with expat (libexpat1), which
// checks well-formedness and decodes entities, character references and
// UTF-8; this file only builds a small element tree and picks values from it.
// Requests we send are tiny and fixed (a block list), so writing needs no
// library.
#include <expat.h>

#include <charconv>
#include <limits>
#include <memory>

#include "storage/azure_auth_internal.h"
#include "storage/azure_xml_internal.h"

namespace rs::storage::internal {
namespace {

struct XmlElement {
  std::string name;
  std::string text;  // character data directly inside this element
  std::vector<XmlElement> children;

  // First descendant (depth first, document order) named `tag`, or nullptr.
  const XmlElement* Find(std::string_view tag) const {
    for (const XmlElement& child : children) {
      if (child.name == tag) return &child;
      if (const XmlElement* found = child.Find(tag)) return found;
    }
    return nullptr;
  }
  std::string TextOf(std::string_view tag) const {
    const XmlElement* found = Find(tag);
    return found == nullptr ? std::string() : found->text;
  }
};

// Expat's callbacks build the tree on a stack of open elements. Pointers on
// the stack stay valid: only the innermost open element gains children, and
// its own address lives in a parent that gains none while it is open.
struct TreeBuilder {
  XML_Parser parser = nullptr;
  XmlElement root;  // a synthetic parent of the document element
  std::vector<XmlElement*> open{&root};
  bool doctype = false;

  static void Start(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
    auto* self = static_cast<TreeBuilder*>(data);
    XmlElement* parent = self->open.back();
    parent->children.push_back(XmlElement{name, {}, {}});
    self->open.push_back(&parent->children.back());
  }
  static void End(void* data, const XML_Char* /*name*/) {
    static_cast<TreeBuilder*>(data)->open.pop_back();
  }
  // The service never sends a DTD; refusing one rules out entity expansion.
  static void Doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* self = static_cast<TreeBuilder*>(data);
    self->doctype = true;
    XML_StopParser(self->parser, XML_FALSE);
  }
  static void Text(void* data, const XML_Char* text, int length) {
    static_cast<TreeBuilder*>(data)->open.back()->text.append(text, static_cast<size_t>(length));
  }
};

using ParserPtr = std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)>;

// The document element of `xml`; Corruption naming expat's error and line.
Result<XmlElement> ParseDocument(std::string_view xml) {
  ParserPtr parser(XML_ParserCreate("UTF-8"), &XML_ParserFree);
  if (parser == nullptr) return Status::Internal("XML parser: out of memory");
  TreeBuilder builder;
  builder.parser = parser.get();
  XML_SetStartDoctypeDeclHandler(parser.get(), &TreeBuilder::Doctype);
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &TreeBuilder::Start, &TreeBuilder::End);
  XML_SetCharacterDataHandler(parser.get(), &TreeBuilder::Text);
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::Corruption("XML reply of " + std::to_string(xml.size()) + " bytes is too large");
  }
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()),
                /*isFinal=*/1) == XML_STATUS_ERROR) {
    if (builder.doctype) return Status::Corruption("malformed XML: a DOCTYPE declaration");
    return Status::Corruption(std::string("malformed XML: ") +
                              XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                              std::to_string(XML_GetCurrentLineNumber(parser.get())));
  }
  if (builder.root.children.size() != 1) return Status::Corruption("malformed XML: no element");
  return std::move(builder.root.children.front());
}

Result<ObjectInfo> BlobInfo(const XmlElement& blob) {
  ObjectInfo info;
  info.key = blob.TextOf("Name");
  if (info.key.empty()) return Status::Corruption("list blobs: a <Blob> has no <Name>");
  std::string length = blob.TextOf("Content-Length");
  auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), info.size_bytes);
  if (ec != std::errc() || end != length.data() + length.size()) {
    return Status::Corruption("list blobs: blob '" + info.key + "' has Content-Length '" + length +
                              "', not a byte count");
  }
  info.modified_unix_ms = ParseHttpDateUnixMs(blob.TextOf("Last-Modified")).value_or(0);
  return info;
}

}  // namespace

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
  auto document = ParseDocument(xml);
  if (!document.ok()) return std::string();
  if (document->name == tag) return document->text;
  return document->TextOf(tag);
}

Result<ListBlobsPage> ParseListBlobs(std::string_view xml) {
  RS_ASSIGN_OR_RETURN_CTX(XmlElement document, ParseDocument(xml), "list blobs");
  if (document.name != "EnumerationResults") {
    return Status::Corruption("list blobs: response is a <" + document.name +
                              "> document, not EnumerationResults");
  }
  ListBlobsPage page;
  if (const XmlElement* blobs = document.Find("Blobs")) {
    for (const XmlElement& blob : blobs->children) {
      if (blob.name != "Blob") continue;  // BlobPrefix appears only with a delimiter
      // Accounts with a hierarchical namespace (ADLS Gen2, abfss://) list
      // their directories too; they are not objects.
      if (blob.TextOf("ResourceType") == "directory") continue;
      RS_ASSIGN_OR_RETURN(ObjectInfo info, BlobInfo(blob));
      page.blobs.push_back(std::move(info));
    }
  }
  page.next_marker = document.TextOf("NextMarker");
  return page;
}

std::string BlockListXml(const std::vector<std::string>& block_ids) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const auto& id : block_ids) xml += "<Latest>" + XmlEscape(id) + "</Latest>";
  xml += "</BlockList>";
  return xml;
}

}  // namespace rs::storage::internal
