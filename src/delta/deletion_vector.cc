// Deletion vectors of a table: the three storage types of PROTOCOL.md
// "Deletion Vectors", each DV checked against its descriptor.
#include <fmt/format.h>
#include <zlib.h>

#include "delta/deletion_vector_internal.h"
#include "delta/log_internal.h"

namespace rs::delta {
namespace {

uint32_t DvLoadBE32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// The UUID of a 'u' descriptor (the last 20 characters) in canonical form.
Result<std::string> UuidText(std::string_view z85) {
  RS_ASSIGN_OR_RETURN(std::string bytes, Z85Decode(z85));
  std::string hex;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", static_cast<uint8_t>(bytes[i]));
  }
  return hex;
}

// A location without a trailing '/', and "file:" URIs as plain paths.
std::string NormalizeLocation(std::string_view location) {
  std::string s(location);
  if (s.rfind("file://", 0) == 0) {
    s = s.substr(7);
  } else if (s.rfind("file:", 0) == 0) {
    s = s.substr(5);
  }
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Result<std::string> InlineBytes(const DeletionVectorDescriptor& dv) {
  RS_ASSIGN_OR_RETURN(std::string bytes, Z85Decode(dv.path_or_inline_dv));
  // Z85 works on 4-byte groups: the writer pads the bitmap to a multiple of 4.
  if (dv.size_bytes < 0 || bytes.size() < static_cast<size_t>(dv.size_bytes) ||
      bytes.size() - static_cast<size_t>(dv.size_bytes) >= 4) {
    return Status::Corruption(
        fmt::format("inline data holds {} bytes, sizeInBytes is {}", bytes.size(), dv.size_bytes));
  }
  bytes.resize(static_cast<size_t>(dv.size_bytes));
  return bytes;
}

// The bitmap bytes of a 'u' or 'p' DV: its size, the bytes and their CRC-32.
Result<std::string> StoredBytes(storage::Storage& store, const std::string& key,
                                const DeletionVectorDescriptor& dv) {
  if (dv.size_bytes < 0) return Status::Corruption("negative sizeInBytes");
  uint64_t offset = static_cast<uint64_t>(dv.offset.value_or(1));  // after the version byte
  uint64_t length = static_cast<uint64_t>(dv.size_bytes) + 8;
  RS_ASSIGN_OR_RETURN(std::string framed, store.GetRange(key, offset, length));
  if (framed.size() != length) {
    return Status::Corruption(fmt::format("{} ends at byte {}, before the {} bytes at offset {}",
                                          key, offset + framed.size(), length, offset));
  }
  uint32_t stored_size = DvLoadBE32(framed.data());
  if (stored_size != static_cast<uint32_t>(dv.size_bytes)) {
    return Status::Corruption(fmt::format("{} at offset {} holds {} bytes, sizeInBytes is {}", key,
                                          offset, stored_size, dv.size_bytes));
  }
  std::string data = framed.substr(4, static_cast<size_t>(dv.size_bytes));
  uint32_t stored_crc = DvLoadBE32(framed.data() + 4 + data.size());
  uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  if (crc != stored_crc) {
    return Status::Corruption(fmt::format("{} at offset {}: checksum {:08x}, the data's is {:08x}",
                                          key, offset, stored_crc, crc));
  }
  return data;
}

}  // namespace

std::string DescribeDeletionVector(const DeletionVectorDescriptor& dv) {
  std::string id = dv.path_or_inline_dv;
  if (dv.storage_type == 'i' && id.size() > 24) id = id.substr(0, 20) + "...";
  std::string out = fmt::format("deletion vector {}:{}", dv.storage_type, id);
  if (dv.offset) out += fmt::format("@{}", *dv.offset);
  return out;
}

Result<std::string> DeletionVectorKey(const storage::Storage& store, const std::string& root,
                                      const DeletionVectorDescriptor& dv) {
  if (dv.storage_type == 'u') {
    const std::string& s = dv.path_or_inline_dv;
    if (s.size() < 20) {
      return Status::Corruption(fmt::format("'u' pathOrInlineDv '{}' is shorter than 20", s));
    }
    RS_ASSIGN_OR_RETURN(std::string uuid, UuidText(std::string_view(s).substr(s.size() - 20)));
    std::string prefix = s.substr(0, s.size() - 20);
    return storage::JoinKey(root, storage::JoinKey(prefix, "deletion_vector_" + uuid + ".bin"));
  }
  if (dv.storage_type == 'p') {
    RS_ASSIGN_OR_RETURN(std::string path, UnescapePath(dv.path_or_inline_dv));
    std::string table = NormalizeLocation(store.Describe());
    if (!root.empty()) table += "/" + root;  // not JoinKey, which drops a leading slash
    std::string target = NormalizeLocation(path);
    if (target.size() > table.size() + 1 && target.compare(0, table.size(), table) == 0 &&
        target[table.size()] == '/') {
      return storage::JoinKey(root, target.substr(table.size() + 1));
    }
    return Status::Unimplemented(
        fmt::format("'p' deletion vector path {} lies outside the table at {}", path, table));
  }
  return Status::Corruption(
      fmt::format("unknown deletion vector storageType '{}'", std::string(1, dv.storage_type)));
}

Result<DeletedRows> LoadDeletionVector(storage::Storage& store, const std::string& root,
                                       const AddFile& file) {
  const DeletionVectorDescriptor& dv = *file.deletion_vector;
  std::string context = fmt::format("data file {}: {}", file.path, DescribeDeletionVector(dv));
  Result<std::string> bytes = Status::Internal("unset");
  if (dv.storage_type == 'i') {
    bytes = InlineBytes(dv);
  } else {
    RS_ASSIGN_OR_RETURN_CTX(std::string key, DeletionVectorKey(store, root, dv), context);
    bytes = StoredBytes(store, key, dv);
    if (!bytes.ok() && bytes.status().IsNotFound()) {
      return Status::NotFound(fmt::format("{}: file {} is missing", context, key));
    }
  }
  RS_RETURN_IF_ERROR_CTX(bytes.status(), context);
  RS_ASSIGN_OR_RETURN_CTX(DeletedRows rows, DeletedRows::Parse(*bytes), context);
  if (rows.cardinality() != static_cast<uint64_t>(dv.cardinality)) {
    return Status::Corruption(fmt::format("{}: holds {} row indices, cardinality is {}", context,
                                          rows.cardinality(), dv.cardinality));
  }
  return rows;
}

}  // namespace rs::delta
