#include "parquet/metadata_internal.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include <thrift/TConfiguration.h>
#include <thrift/Thrift.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace rs::parquet {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

std::string ExceptionText(const std::exception& e) { return e.what(); }

}  // namespace

Status SerializeThrift(const apache::thrift::TBase& value, std::string* out) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(buffer);
    value.write(&protocol);
    uint8_t* data = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&data, &size);
    out->append(reinterpret_cast<const char*>(data), size);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal("thrift serialize: " + ExceptionText(e));
  }
}

Result<size_t> DeserializeThrift(std::string_view bytes, apache::thrift::TBase* value,
                                 const ThriftLimits& limits) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::Corruption("thrift decode: " + std::to_string(bytes.size()) +
                              " bytes exceed the 2 GiB metadata limit");
  }
  try {
    // The message-size budget is the input itself: Thrift then rejects any
    // list whose declared length cannot fit in the remaining bytes.
    auto config = std::make_shared<TConfiguration>(
        std::max<int>(static_cast<int>(bytes.size()), 1));
    // OBSERVE never writes through the pointer; the cast only satisfies the API.
    auto buffer = std::make_shared<TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
        static_cast<uint32_t>(bytes.size()), TMemoryBuffer::OBSERVE, config);
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, limits.max_string_bytes,
                                              limits.max_container_items);
    value->read(&protocol);
    return bytes.size() - buffer->available_read();
  } catch (const std::exception& e) {
    return Status::Corruption("thrift decode: " + ExceptionText(e));
  }
}

Result<format::FileMetaData> DecodeFileMetaData(std::string_view bytes, std::string_view what,
                                                const ThriftLimits& limits) {
  format::FileMetaData metadata;
  RS_ASSIGN_OR_RETURN_CTX(size_t consumed, DeserializeThrift(bytes, &metadata, limits),
                          "decode " + std::string(what));
  (void)consumed;
  return metadata;
}

Result<format::PageHeader> DecodePageHeader(std::string_view bytes, size_t* consumed,
                                            const ThriftLimits& limits) {
  format::PageHeader header;
  RS_ASSIGN_OR_RETURN_CTX(*consumed, DeserializeThrift(bytes, &header, limits),
                          "decode page header");
  if (header.compressed_page_size < 0 || header.uncompressed_page_size < 0) {
    return Status::Corruption("decode page header: negative page size (compressed " +
                              std::to_string(header.compressed_page_size) + ", uncompressed " +
                              std::to_string(header.uncompressed_page_size) + ")");
  }
  return header;
}

}  // namespace rs::parquet
