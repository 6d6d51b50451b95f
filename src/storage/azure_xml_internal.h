// The few XML documents of the Blob REST API we read and write: List Blobs
// results, error bodies and block lists. Replies are parsed with expat, so
// values arrive entity-decoded as UTF-8 and malformed replies are refused.
#ifndef RS_STORAGE_AZURE_XML_INTERNAL_H_
#define RS_STORAGE_AZURE_XML_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace rs::storage::internal {

struct ListBlobsPage {
  std::vector<ObjectInfo> blobs;  // keys are full blob names
  std::string next_marker;        // empty on the last page
};

// Parses a List Blobs response body; Corruption when it is not well-formed
// XML, not an EnumerationResults document, or a blob lacks a name or size.
Result<ListBlobsPage> ParseListBlobs(std::string_view xml);

// Text of the first element named `tag` in `xml` (document order); "" when
// absent or when `xml` is not well-formed (an error body from a proxy).
std::string XmlElementText(std::string_view xml, std::string_view tag);

// Escapes & < > " ' for element text we write.
std::string XmlEscape(std::string_view text);

// <BlockList><Latest>id</Latest>...</BlockList> for Put Block List.
std::string BlockListXml(const std::vector<std::string>& block_ids);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_AZURE_XML_INTERNAL_H_
