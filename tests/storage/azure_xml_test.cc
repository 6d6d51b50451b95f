// The Blob service's XML replies as expat reads them: malformed or hostile
// documents are refused, error bodies that are not XML yield no text.
#include <gtest/gtest.h>

#include "storage/azure_xml_internal.h"

namespace rs::storage::internal {
namespace {

TEST(AzureXmlReplyTest, TruncatedListingIsCorruptionNamingTheLine) {
  auto page = ParseListBlobs("<EnumerationResults><Blobs><Blob><Name>a</Name>\n<Prop");
  ASSERT_EQ(page.status().code(), StatusCode::kCorruption);
  EXPECT_NE(page.status().message().find("list blobs: malformed XML"), std::string::npos)
      << page.status().ToString();
  EXPECT_NE(page.status().message().find("line 2"), std::string::npos);
}

TEST(AzureXmlReplyTest, BlobWithoutSizeOrNameIsCorruption) {
  auto no_size = ParseListBlobs(
      "<EnumerationResults><Blobs><Blob><Name>a</"
      "Name><Properties><Content-Length>x"
      "</Content-Length></Properties></Blob></Blobs></EnumerationResults>");
  EXPECT_EQ(no_size.status().code(), StatusCode::kCorruption);
  EXPECT_NE(no_size.status().message().find("blob 'a' has Content-Length 'x'"), std::string::npos);
  auto no_name = ParseListBlobs(
      "<EnumerationResults><Blobs><Blob><Properties/"
      "></Blob></Blobs></EnumerationResults>");
  EXPECT_EQ(no_name.status().code(), StatusCode::kCorruption);
}

TEST(AzureXmlReplyTest, NamesWithMarkupCharactersAndCdataAreDecoded) {
  auto page = ParseListBlobs(
      "<EnumerationResults><Blobs><Blob><Name><![CDATA[a<b>&c]]></"
      "Name><Properties>"
      "<Content-Length>7</Content-Length></Properties></Blob></Blobs>"
      "<NextMarker>m&amp;n</NextMarker></EnumerationResults>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->blobs.size(), 1u);
  EXPECT_EQ(page->blobs[0].key, "a<b>&c");
  EXPECT_EQ(page->blobs[0].size_bytes, 7u);
  EXPECT_EQ(page->next_marker, "m&n");
}

TEST(AzureXmlReplyTest, EntityExpansionBombIsRefused) {
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">";
  std::string prev = "a";
  for (int i = 0; i < 9; ++i) {
    std::string name = "e" + std::to_string(i);
    bomb += "<!ENTITY " + name + " \"";
    for (int j = 0; j < 10; ++j) bomb += "&" + prev + ";";
    bomb += "\">";
    prev = name;
  }
  bomb += "]><EnumerationResults><NextMarker>&" + prev + ";</NextMarker></EnumerationResults>";
  auto page = ParseListBlobs(bomb);
  EXPECT_EQ(page.status().code(), StatusCode::kCorruption);
  EXPECT_NE(page.status().message().find("DOCTYPE"), std::string::npos);
}

TEST(AzureXmlReplyTest, ErrorBodyTextIsFoundAndNonXmlBodiesGiveNothing) {
  std::string body =
      "\xEF\xBB\xBF<?xml version=\"1.0\" "
      "encoding=\"utf-8\"?><Error><Code>AuthorizationFailure"
      "</Code><Message>This request is not authorized &#x2014; "
      "check the key.</Message></Error>";
  EXPECT_EQ(XmlElementText(body, "Code"), "AuthorizationFailure");
  EXPECT_EQ(XmlElementText(body, "Message"),
            "This request is not authorized \xE2\x80\x94 check the key.");
  EXPECT_EQ(XmlElementText(body, "Missing"), "");
  EXPECT_EQ(XmlElementText("<html><body>502 Bad Gateway</body>", "Message"), "");
  EXPECT_EQ(XmlElementText("", "Code"), "");
}

TEST(AzureXmlReplyTest, BlockListEscapesIds) {
  EXPECT_EQ(BlockListXml({"QUFB", "a&<'\""}),
            "<?xml version=\"1.0\" "
            "encoding=\"utf-8\"?><BlockList><Latest>QUFB</Latest>"
            "<Latest>a&amp;&lt;&apos;&quot;</Latest></BlockList>");
}

}  // namespace
}  // namespace rs::storage::internal
