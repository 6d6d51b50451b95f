// Thrift (TCompactProtocol) encoding of Parquet metadata structs over memory
// buffers, shared by the writer and the reader.
//
// The generated structs live in "gen-cpp/parquet_types.h" (namespace
// rs::parquet::format); this header is the only place that touches the Thrift
// runtime, and no Thrift exception escapes it.
//
// Decoding treats its input as hostile: strings and containers are capped by
// ThriftLimits, nesting depth by Thrift's recursion limit, and every read is
// bounded by the given bytes.
#ifndef RS_PARQUET_METADATA_INTERNAL_H_
#define RS_PARQUET_METADATA_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/parquet_types.h"

namespace rs::parquet {

struct ThriftLimits {
  int32_t max_string_bytes = 64 << 20;      // one binary/string field (e.g. a statistic)
  int32_t max_container_items = 1 << 20;    // one list (columns, row groups, schema nodes)
};

// Appends the compact encoding of `value` to `out`.
[[nodiscard]] Status SerializeThrift(const apache::thrift::TBase& value, std::string* out);

// Decodes one struct from the front of `bytes` into `value`; returns the number
// of bytes it occupied (a page header is followed by its page data).
// Fails with Corruption on truncated or malformed input, or when a limit is hit.
Result<size_t> DeserializeThrift(std::string_view bytes, apache::thrift::TBase* value,
                                 const ThriftLimits& limits = ThriftLimits());

// Typed conveniences. `what` names the object in error messages ("footer of x.parquet").
Result<format::FileMetaData> DecodeFileMetaData(std::string_view bytes, std::string_view what,
                                                const ThriftLimits& limits = ThriftLimits());

// Decodes the page header at the front of `bytes`; *consumed gets its size.
Result<format::PageHeader> DecodePageHeader(std::string_view bytes, size_t* consumed,
                                            const ThriftLimits& limits = ThriftLimits());

}  // namespace rs::parquet

#endif  // RS_PARQUET_METADATA_INTERNAL_H_
