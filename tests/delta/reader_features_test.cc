// The reader-feature rules (issue 21 item 4, PROTOCOL.md "Table Features",
// "Valid Feature Names in Table Features"): every name in readerFeatures must
// be one we read (or one that asks nothing of a reader); a name we do not
// know refuses the table, naming it; writerFeatures never matter to a reader.
#include <gtest/gtest.h>

#include "delta/replay_internal.h"

namespace rs::delta {
namespace {

Protocol ReaderWriter(std::vector<std::string> reader, std::vector<std::string> writer) {
  Protocol p;
  p.min_reader_version = 3;
  p.min_writer_version = 7;
  p.reader_features = std::move(reader);
  p.writer_features = std::move(writer);
  return p;
}

TEST(ReaderFeatures, FeaturesWeReadOrThatAskNothingOfAReaderAreAccepted) {
  for (const char* feature : {"timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"}) {
    EXPECT_TRUE(CheckReadable(ReaderWriter({feature}, {feature}), {}).ok()) << feature;
  }
  Status all = CheckReadable(
      ReaderWriter({"timestampNtz", "v2Checkpoint", "vacuumProtocolCheck"},
                   {"timestampNtz", "v2Checkpoint", "vacuumProtocolCheck", "appendOnly"}),
      {});
  EXPECT_TRUE(all.ok()) << all.ToString();
  EXPECT_TRUE(CheckReadable(ReaderWriter({}, {}), {}).ok());
}

TEST(ReaderFeatures, OtherReaderFeaturesAreRefusedByName) {
  for (const char* feature : {"typeWidening", "variantType", "catalogManaged"}) {
    Status st =
        CheckReadable(ReaderWriter({"v2Checkpoint", feature}, {"v2Checkpoint", feature}), {});
    EXPECT_EQ(st.code(), StatusCode::kUnimplemented) << feature;
    EXPECT_EQ(st.message(), std::string("table requires unsupported reader feature: ") + feature);
  }
}

TEST(ReaderFeatures, UnknownReaderFeaturesAreRefusedByName) {
  Status st = CheckReadable(
      ReaderWriter({"timestampNtz", "fancyNewThing", "v2Checkpoint", "otherThing"}, {}), {});
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(st.message(), "table requires unsupported reader feature: fancyNewThing, otherThing");
  // A writer-only feature listed as a reader feature is not one we know as such.
  st = CheckReadable(ReaderWriter({"appendOnly"}, {"appendOnly"}), {});
  EXPECT_EQ(st.message(), "table requires unsupported reader feature: appendOnly");
}

TEST(ReaderFeatures, WriterFeaturesAreIgnoredByAReader) {
  std::vector<std::string> writer_only = {"appendOnly",          "invariants",
                                          "checkConstraints",    "generatedColumns",
                                          "allowColumnDefaults", "changeDataFeed",
                                          "identityColumns",     "rowTracking",
                                          "domainMetadata",      "icebergCompatV1",
                                          "icebergCompatV2",     "clustering",
                                          "inCommitTimestamp",   "someFutureWriterFeature"};
  Status st = CheckReadable(ReaderWriter({"v2Checkpoint"}, writer_only), {});
  EXPECT_TRUE(st.ok()) << st.ToString();
  // Writer version 7 with reader version 1: only writerFeatures, nothing for a reader.
  Protocol p;
  p.min_reader_version = 1;
  p.min_writer_version = 7;
  p.writer_features = writer_only;
  EXPECT_TRUE(CheckReadable(p, {}).ok());
}

TEST(ReaderFeatures, ReaderVersionsBeyondThreeAreRefused) {
  Protocol p;
  p.min_reader_version = 4;
  EXPECT_EQ(CheckReadable(p, {}).message(), "table requires unsupported reader version 4");
}

}  // namespace
}  // namespace rs::delta
