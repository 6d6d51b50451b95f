#include "parquet/writer.h"

#include <cassert>
#include <cstring>
#include <utility>

#include "parquet/compression_internal.h"
#include "parquet/metadata_internal.h"
#include "parquet/writer_column_internal.h"
#include "parquet/writer_schema_internal.h"

namespace rs::parquet {
namespace {

constexpr char kMagic[] = "PAR1";
constexpr char kCreatedBy[] = "ranking-signals version 0.1.0";
// Rows appended between two row-group size checks.
constexpr size_t kSliceRows = 8192;

Codec ToCodec(Compression c) {
  switch (c) {
    case Compression::kNone: return Codec::kUncompressed;
    case Compression::kSnappy: return Codec::kSnappy;
    case Compression::kGzip: return Codec::kGzip;
    case Compression::kZstd: return Codec::kZstd;
  }
  return Codec::kUncompressed;
}

int CodecLevel(const WriterOptions& o) {
  return o.compression == Compression::kZstd ? o.zstd_level
         : o.compression == Compression::kGzip ? o.gzip_level : 0;
}

bool SameType(const DataType& a, const DataType& b) {
  if (a.id != b.id || a.children.size() != b.children.size()) return false;
  if (a.id == TypeId::kDecimal && (a.precision != b.precision || a.scale != b.scale)) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (a.children[i].name != b.children[i].name) return false;
    if (!SameType(a.children[i].type, b.children[i].type)) return false;
  }
  return true;
}

// Writes a Value tree into the leaves under `node` as levels and values.
class Shredder {
 public:
  explicit Shredder(std::vector<ColumnChunkWriter>* leaves) : leaves_(leaves) {}

  Status Shred(const ShredNode& node, const Value& v, int16_t parent_def, int16_t rep) {
    if (v.is_null()) {
      if (!node.optional) return Status::InvalidArgument("field " + node.name + ": null in a non-nullable field");
      EmitAbsent(node, parent_def, rep);
      return Status::OK();
    }
    switch (node.kind) {
      case ShredNode::Kind::kLeaf: return (*leaves_)[static_cast<size_t>(node.leaf)].AppendValue(rep, v);
      case ShredNode::Kind::kStruct: return ShredStruct(node, v, rep);
      case ShredNode::Kind::kList:
      case ShredNode::Kind::kMap: return ShredRepeated(node, v, rep);
    }
    return Status::OK();
  }

 private:
  void EmitAbsent(const ShredNode& node, int16_t def, int16_t rep) {
    for (int i = node.first_leaf; i < node.end_leaf; ++i) (*leaves_)[static_cast<size_t>(i)].AppendNull(def, rep);
  }

  static Status WrongKind(const ShredNode& node, const char* want) {
    return Status::InvalidArgument("field " + node.name + ": expected a " + want + " value");
  }

  Status ShredStruct(const ShredNode& node, const Value& v, int16_t rep) {
    if (v.kind != Value::Kind::kStruct) return WrongKind(node, "struct");
    if (v.children.size() != node.children.size()) {
      return Status::InvalidArgument("field " + node.name + ": struct value has " +
                                     std::to_string(v.children.size()) + " fields, schema has " +
                                     std::to_string(node.children.size()));
    }
    for (size_t i = 0; i < node.children.size(); ++i) {
      RS_RETURN_IF_ERROR(Shred(node.children[i], v.children[i], node.def, rep));
    }
    return Status::OK();
  }

  // The first item continues the enclosing record's repetition level; later
  // items repeat at this node's level. An empty list/map is defined up to node.def.
  Status ShredRepeated(const ShredNode& node, const Value& v, int16_t rep) {
    const bool is_map = node.kind == ShredNode::Kind::kMap;
    if (v.kind != (is_map ? Value::Kind::kMap : Value::Kind::kList)) {
      return WrongKind(node, is_map ? "map" : "list");
    }
    if (is_map && v.children.size() % 2 != 0) {
      return Status::InvalidArgument("field " + node.name + ": map value has an odd child count");
    }
    if (v.children.empty()) {
      EmitAbsent(node, node.def, rep);
      return Status::OK();
    }
    const size_t stride = is_map ? 2 : 1;
    for (size_t i = 0; i < v.children.size(); i += stride) {
      int16_t r = i == 0 ? rep : node.repeated_rep;
      for (size_t c = 0; c < stride; ++c) {
        RS_RETURN_IF_ERROR(Shred(node.children[c], v.children[i + c], node.repeated_def, r));
      }
    }
    return Status::OK();
  }

  std::vector<ColumnChunkWriter>* leaves_;
};

}  // namespace

struct FileWriter::Impl {
  Schema schema;
  WriterOptions options;
  WriterSchema ws;
  std::vector<ColumnChunkWriter> columns;  // one per leaf
  std::vector<int> flat_leaf;              // top column -> its leaf, or -1 when nested
  std::unique_ptr<Compressor> compressor;
  std::string file;
  std::vector<format::RowGroup> row_groups;
  std::vector<LeafStats> file_stats;       // one per leaf
  int64_t buffered_rows = 0;
  int64_t total_rows = 0;
  bool failed = false;
  bool finished = false;
  FileSummary summary;

  Status CheckBatch(const RecordBatch& batch) const;
  Status AppendRows(const RecordBatch& batch, size_t begin, size_t end);
  int64_t BufferedBytes() const;
  Status FlushRowGroup();
  Status WriteFooter();
  void FillSummary();
};

Status FileWriter::Impl::CheckBatch(const RecordBatch& batch) const {
  if (batch.columns.size() != schema.size()) {
    return Status::InvalidArgument("batch has " + std::to_string(batch.columns.size()) +
                                   " columns, the file schema " + std::to_string(schema.size()));
  }
  for (size_t i = 0; i < schema.size(); ++i) {
    const ColumnVector& c = batch.columns[i];
    const std::string where = "column " + schema[i].name;
    if (c.field.name != schema[i].name || !SameType(c.field.type, schema[i].type)) {
      return Status::InvalidArgument(where + ": batch column " + c.field.name +
                                     " does not match the file schema");
    }
    if (c.values.index() != ColumnVector::Make(schema[i]).values.index()) {
      return Status::InvalidArgument(where + ": values vector has the wrong physical type");
    }
    if (c.size() != batch.num_rows || (!c.validity.empty() && c.validity.size() != batch.num_rows)) {
      return Status::InvalidArgument(where + ": has " + std::to_string(c.size()) + " values for " +
                                     std::to_string(batch.num_rows) + " rows");
    }
    if (!schema[i].nullable && !c.validity.empty()) {
      for (size_t r = 0; r < c.validity.size(); ++r) {
        if (c.validity[r] == 0) {
          return Status::InvalidArgument(where + ": null at row " + std::to_string(r) +
                                         " in a non-nullable column");
        }
      }
    }
  }
  return Status::OK();
}

Status FileWriter::Impl::AppendRows(const RecordBatch& batch, size_t begin, size_t end) {
  for (size_t i = 0; i < schema.size(); ++i) {
    const ColumnVector& c = batch.columns[i];
    if (flat_leaf[i] >= 0) {
      RS_RETURN_IF_ERROR(columns[static_cast<size_t>(flat_leaf[i])].AppendFlat(c, begin, end));
      continue;
    }
    Shredder shredder(&columns);
    const auto& values = c.As<Value>();
    for (size_t r = begin; r < end; ++r) {
      const Value& v = c.IsValid(r) ? values[r] : Value();
      RS_RETURN_IF_ERROR_CTX(shredder.Shred(ws.roots[i], v, 0, 0), "row " + std::to_string(r));
    }
  }
  buffered_rows += static_cast<int64_t>(end - begin);
  return Status::OK();
}

int64_t FileWriter::Impl::BufferedBytes() const {
  int64_t total = 0;
  for (const auto& c : columns) total += c.EstimatedBytes();
  return total;
}

Status FileWriter::Impl::FlushRowGroup() {
  format::RowGroup rg;
  int64_t uncompressed = 0, compressed = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    format::ColumnChunk chunk;
    LeafStats stats;
    RS_RETURN_IF_ERROR_CTX(columns[i].Flush(compressor.get(), &file, &chunk, &stats),
                           "write column " + ws.leaves[i].path.front());
    file_stats[i].Merge(stats, ws.leaves[i].storage);
    uncompressed += chunk.meta_data.total_uncompressed_size;
    compressed += chunk.meta_data.total_compressed_size;
    rg.columns.push_back(std::move(chunk));
  }
  rg.__set_total_byte_size(uncompressed);
  rg.__set_total_compressed_size(compressed);
  rg.__set_num_rows(buffered_rows);
  rg.__set_file_offset(rg.columns.front().file_offset);
  rg.__set_ordinal(static_cast<int16_t>(row_groups.size()));
  row_groups.push_back(std::move(rg));
  total_rows += buffered_rows;
  buffered_rows = 0;
  return Status::OK();
}

Status FileWriter::Impl::WriteFooter() {
  format::FileMetaData meta;
  meta.__set_version(2);
  meta.__set_schema(ws.elements);
  meta.__set_num_rows(total_rows);
  meta.__set_row_groups(row_groups);
  meta.__set_created_by(kCreatedBy);
  if (!options.key_value_metadata.empty()) {
    std::vector<format::KeyValue> kvs;
    for (const auto& [k, v] : options.key_value_metadata) {
      format::KeyValue kv;
      kv.__set_key(k);
      kv.__set_value(v);
      kvs.push_back(std::move(kv));
    }
    meta.__set_key_value_metadata(std::move(kvs));
  }
  format::ColumnOrder order;
  order.__set_TYPE_ORDER(format::TypeDefinedOrder());
  meta.__set_column_orders(std::vector<format::ColumnOrder>(ws.leaves.size(), order));
  size_t footer_start = file.size();
  RS_RETURN_IF_ERROR_CTX(SerializeThrift(meta, &file), "write footer");
  uint32_t footer_len = static_cast<uint32_t>(file.size() - footer_start);
  char len[4];
  std::memcpy(len, &footer_len, 4);
  file.append(len, 4);
  file.append(kMagic, 4);
  return Status::OK();
}

void FileWriter::Impl::FillSummary() {
  summary.num_rows = total_rows;
  summary.size_bytes = file.size();
  summary.num_row_groups = static_cast<int>(row_groups.size());
  for (size_t i = 0; i < schema.size(); ++i) {
    if (flat_leaf[i] < 0) continue;
    const LeafStats& st = file_stats[static_cast<size_t>(flat_leaf[i])];
    summary.columns.push_back(ColumnStatistics{schema[i].name, st.null_count, st.min, st.max});
  }
}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(Schema schema, WriterOptions options) {
  if (options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("parquet writer: row_group_bytes and page_bytes must be > 0");
  }
  auto impl = std::make_unique<Impl>();
  RS_ASSIGN_OR_RETURN_CTX(impl->ws, BuildWriterSchema(schema), "parquet writer schema");
  impl->schema = std::move(schema);
  impl->options = std::move(options);
  for (const LeafColumn& leaf : impl->ws.leaves) impl->columns.emplace_back(leaf, impl->options);
  impl->file_stats.resize(impl->ws.leaves.size());
  for (const ShredNode& root : impl->ws.roots) {
    impl->flat_leaf.push_back(root.kind == ShredNode::Kind::kLeaf ? root.leaf : -1);
  }
  impl->compressor = std::make_unique<Compressor>(ToCodec(impl->options.compression),
                                                  CodecLevel(impl->options));
  impl->file.append(kMagic, 4);
  return std::unique_ptr<FileWriter>(new FileWriter(std::move(impl)));
}

FileWriter::FileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FileWriter::~FileWriter() { assert(impl_->finished && "FileWriter needs Finish() or Abandon()"); }

Status FileWriter::WriteBatch(const RecordBatch& batch) {
  Impl& m = *impl_;
  if (m.finished || m.failed) {
    return Status::FailedPrecondition("parquet writer: WriteBatch after Finish, Abandon or an error");
  }
  Status st = m.CheckBatch(batch);
  for (size_t begin = 0; st.ok() && begin < batch.num_rows; begin += kSliceRows) {
    size_t end = std::min(batch.num_rows, begin + kSliceRows);
    st = m.AppendRows(batch, begin, end);
    if (st.ok() && m.BufferedBytes() >= m.options.row_group_bytes) st = m.FlushRowGroup();
  }
  if (!st.ok()) m.failed = true;
  return st.Annotate("parquet write batch");
}

Result<std::string> FileWriter::Finish() {
  Impl& m = *impl_;
  if (m.finished || m.failed) {
    return Status::FailedPrecondition("parquet writer: Finish after Finish, Abandon or an error");
  }
  m.finished = true;
  if (m.buffered_rows > 0) RS_RETURN_IF_ERROR_CTX(m.FlushRowGroup(), "parquet finish");
  RS_RETURN_IF_ERROR_CTX(m.WriteFooter(), "parquet finish");
  m.FillSummary();
  return std::move(m.file);
}

void FileWriter::Abandon() {
  impl_->finished = true;
  impl_->file.clear();
  impl_->columns.clear();
}

const FileSummary& FileWriter::summary() const { return impl_->summary; }

Result<FileSummary> WriteFile(storage::Storage& storage, const std::string& key,
                              const RecordBatch& batch, const WriterOptions& options) {
  const std::string what = "write parquet " + key;
  RS_ASSIGN_OR_RETURN_CTX(auto writer, FileWriter::Create(batch.schema, options), what);
  Status st = writer->WriteBatch(batch);
  if (!st.ok()) {
    writer->Abandon();
    return st.Annotate(what);
  }
  RS_ASSIGN_OR_RETURN_CTX(std::string bytes, writer->Finish(), what);
  RS_RETURN_IF_ERROR_CTX(storage.Put(key, bytes), what);
  return writer->summary();
}

}  // namespace rs::parquet
