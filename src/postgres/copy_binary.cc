#include <cstring>
#include <string>
#include <vector>

#include "postgres/copy_binary_internal.h"

namespace rs::postgres::internal {
namespace {

enum class Kind { kDate, kText, kInt4, kInt8, kFloat8 };

// A column reduced to raw pointers, so the row loop does no variant lookups.
struct ColumnView {
  Kind kind = Kind::kInt4;
  const int32_t* i32 = nullptr;
  const int64_t* i64 = nullptr;
  const double* f64 = nullptr;
  const std::string* str = nullptr;
  const uint8_t* validity = nullptr;
};

Result<ColumnView> ViewOf(const ColumnVector& col) {
  ColumnView v;
  v.validity = col.validity.empty() ? nullptr : col.validity.data();
  switch (col.field.type.id) {
    case TypeId::kDate: v.kind = Kind::kDate; v.i32 = col.As<int32_t>().data(); break;
    case TypeId::kInteger: v.kind = Kind::kInt4; v.i32 = col.As<int32_t>().data(); break;
    case TypeId::kLong: v.kind = Kind::kInt8; v.i64 = col.As<int64_t>().data(); break;
    case TypeId::kDouble: v.kind = Kind::kFloat8; v.f64 = col.As<double>().data(); break;
    case TypeId::kString: v.kind = Kind::kText; v.str = col.As<std::string>().data(); break;
    default:
      return Status::InvalidArgument("column " + col.field.name +
                                     ": type not supported by binary COPY encoder");
  }
  return v;
}

inline char* PutBE16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
  return p + 2;
}
inline char* PutBE32(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
  return p + 4;
}
inline char* PutBE64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
  return p + 8;
}

// Upper bound of the encoded size of `row`.
size_t RowBytes(const std::vector<ColumnView>& cols, size_t row) {
  size_t n = 2 + cols.size() * 12;
  for (const ColumnView& c : cols) {
    if (c.kind == Kind::kText) n += c.str[row].size();
  }
  return n;
}

char* EncodeRow(const std::vector<ColumnView>& cols, size_t row, char* p) {
  p = PutBE16(p, static_cast<uint16_t>(cols.size()));
  for (const ColumnView& c : cols) {
    if (c.validity != nullptr && c.validity[row] == 0) {
      p = PutBE32(p, 0xFFFFFFFFu);
      continue;
    }
    switch (c.kind) {
      case Kind::kDate:
        p = PutBE32(PutBE32(p, 4), static_cast<uint32_t>(c.i32[row] - kPostgresEpochDays));
        break;
      case Kind::kInt4: p = PutBE32(PutBE32(p, 4), static_cast<uint32_t>(c.i32[row])); break;
      case Kind::kInt8: p = PutBE64(PutBE32(p, 8), static_cast<uint64_t>(c.i64[row])); break;
      case Kind::kFloat8: {
        uint64_t bits;
        std::memcpy(&bits, &c.f64[row], 8);
        p = PutBE64(PutBE32(p, 8), bits);
        break;
      }
      case Kind::kText: {
        const std::string& s = c.str[row];
        p = PutBE32(p, static_cast<uint32_t>(s.size()));
        std::memcpy(p, s.data(), s.size());
        p += s.size();
        break;
      }
    }
  }
  return p;
}

}  // namespace

Status EncodeBinaryCopy(const RecordBatch& batch, size_t chunk_bytes, const ChunkSink& sink,
                        const std::vector<uint32_t>* row_order) {
  if (row_order != nullptr && row_order->size() != batch.num_rows) {
    return Status::InvalidArgument("row order has " + std::to_string(row_order->size()) +
                                   " entries for " + std::to_string(batch.num_rows) + " rows");
  }
  std::vector<ColumnView> cols;
  for (const ColumnVector& c : batch.columns) {
    if (c.size() != batch.num_rows || (!c.validity.empty() && c.validity.size() != batch.num_rows)) {
      return Status::InvalidArgument("column " + c.field.name + " has " + std::to_string(c.size()) +
                                     " values for " + std::to_string(batch.num_rows) + " rows");
    }
    RS_ASSIGN_OR_RETURN(ColumnView v, ViewOf(c));
    cols.push_back(v);
  }
  std::string buf;
  buf.resize(chunk_bytes + 64);
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";  // + flags, ext
  std::memcpy(buf.data(), kHeader, 19);
  size_t used = 19;
  for (size_t i = 0; i < batch.num_rows; ++i) {
    size_t row = row_order != nullptr ? (*row_order)[i] : i;
    if (row >= batch.num_rows) return Status::InvalidArgument("row order names a row out of range");
    size_t need = RowBytes(cols, row);
    if (used + need > buf.size()) {
      if (used > 0) RS_RETURN_IF_ERROR(sink(std::string_view(buf.data(), used)));
      used = 0;
      if (need > buf.size()) buf.resize(need);
    }
    used = static_cast<size_t>(EncodeRow(cols, row, buf.data() + used) - buf.data());
    if (used >= chunk_bytes) {
      RS_RETURN_IF_ERROR(sink(std::string_view(buf.data(), used)));
      used = 0;
    }
  }
  if (used + 2 > buf.size()) buf.resize(used + 2);
  PutBE16(buf.data() + used, 0xFFFF);
  return sink(std::string_view(buf.data(), used + 2));
}

}  // namespace rs::postgres::internal
