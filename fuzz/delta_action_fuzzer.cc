// Fuzzes the Delta log parsers in delta/log_internal.h on arbitrary text.
//
// Input: the last byte picks the parser (FuzzedDataProvider); the rest is the
// text: a commit file (newline-delimited JSON actions), a schemaString, a
// partition value of a primitive type, or a path / log file name.
//
// Invariants (RS_FUZZ_CHECK aborts otherwise):
//   - no parser crashes or lets an exception escape (nlohmann-json throws);
//   - actions: every parsed action other than an unknown kind re-encodes with
//     ActionToJson to a line that ParseActionJson accepts and that re-encodes
//     to the same line (the first encoding may normalise the input);
//   - schemaString: SchemaToString of a parsed schema parses back and
//     re-encodes to the same text;
//   - partition values: a parsed value formats, the formatted text parses,
//     and formats to the same text again;
//   - paths: UnescapePath(EscapePath(s)) == s; a file name classified as a
//     commit is CommitFileName of its version.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/columnar.h"
#include "delta/log_internal.h"
#include "fuzz_check.h"

namespace rs::delta {
namespace {

void FuzzCommit(const std::string& text) {
  Result<std::vector<Action>> actions = ParseCommit(text, "00000000000000000000.json");
  if (!actions.ok()) return;
  for (const Action& action : *actions) {
    if (action.kind == Action::Kind::kOther) continue;
    const std::string line = ActionToJson(action);
    const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    RS_FUZZ_CHECK(!parsed.is_discarded());
    Result<Action> again = ParseActionJson(parsed);
    RS_FUZZ_CHECK(again.ok());
    RS_FUZZ_CHECK(again->kind == action.kind);
    RS_FUZZ_CHECK(ActionToJson(*again) == line);
  }
}

void FuzzSchemaString(const std::string& text) {
  Result<Schema> schema = ParseSchemaString(text);
  if (!schema.ok()) return;
  const std::string encoded = SchemaToString(*schema);
  Result<Schema> again = ParseSchemaString(encoded);
  RS_FUZZ_CHECK(again.ok());
  RS_FUZZ_CHECK(SchemaToString(*again) == encoded);
}

void FuzzPartitionValue(FuzzedDataProvider& in) {
  static constexpr TypeId kTypes[] = {TypeId::kBoolean, TypeId::kByte,      TypeId::kShort,
                                      TypeId::kInteger, TypeId::kLong,      TypeId::kFloat,
                                      TypeId::kDouble,  TypeId::kString,    TypeId::kBinary,
                                      TypeId::kDate,    TypeId::kTimestamp, TypeId::kTimestampNtz};
  const DataType type = in.ConsumeBool()
                            ? DataType::Decimal(in.ConsumeIntegralInRange<int>(1, 38),
                                                in.ConsumeIntegralInRange<int>(0, 18))
                            : DataType::Primitive(in.PickValueInArray(kTypes));
  const std::string text = in.ConsumeRemainingBytesAsString();
  Result<Value> value = ParsePartitionValue(text, type);
  if (!value.ok()) return;
  Result<std::optional<std::string>> formatted = FormatPartitionValue(*value, type);
  RS_FUZZ_CHECK(formatted.ok());
  if (!formatted->has_value()) return;
  Result<Value> again = ParsePartitionValue(**formatted, type);
  RS_FUZZ_CHECK(again.ok());
  Result<std::optional<std::string>> reformatted = FormatPartitionValue(*again, type);
  RS_FUZZ_CHECK(reformatted.ok() && *reformatted == *formatted);
}

void FuzzPaths(const std::string& text) {
  Result<std::string> unescaped = UnescapePath(EscapePath(text));
  RS_FUZZ_CHECK(unescaped.ok() && *unescaped == text);
  (void)UnescapePath(text);
  const LogFile file = ClassifyLogFile(text);
  if (file.kind == LogFile::Kind::kCommit) RS_FUZZ_CHECK(CommitFileName(file.version) == text);
}

}  // namespace
}  // namespace rs::delta

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: rs::delta::FuzzCommit(in.ConsumeRemainingBytesAsString()); break;
    case 1: rs::delta::FuzzSchemaString(in.ConsumeRemainingBytesAsString()); break;
    case 2: rs::delta::FuzzPartitionValue(in); break;
    default: rs::delta::FuzzPaths(in.ConsumeRemainingBytesAsString()); break;
  }
  return 0;
}
