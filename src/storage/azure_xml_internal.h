// The few XML documents of the Blob REST API we read and write: List Blobs
// results, error bodies and block lists. Values are entity-decoded.
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

// Parses a List Blobs response body.
Result<ListBlobsPage> ParseListBlobs(std::string_view xml);

// Text of the first <tag>...</tag> in `xml`, entity-decoded; "" when absent.
std::string XmlElementText(std::string_view xml, std::string_view tag);

// Decodes &amp; &lt; &gt; &quot; &apos; and numeric character references.
std::string XmlDecode(std::string_view text);
std::string XmlEscape(std::string_view text);

// <BlockList><Latest>id</Latest>...</BlockList> for Put Block List.
std::string BlockListXml(const std::vector<std::string>& block_ids);

}  // namespace rs::storage::internal

#endif  // RS_STORAGE_AZURE_XML_INTERNAL_H_
