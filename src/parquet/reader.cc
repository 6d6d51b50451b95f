#include "parquet/reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/parallel.h"
#include "parquet/decoding_internal.h"
#include "parquet/metadata_internal.h"
#include "parquet/nested_internal.h"
#include "parquet/reader_column_internal.h"
#include "parquet/reader_stats_internal.h"
#include "parquet/schema_reader_internal.h"

namespace rs::parquet {
namespace {

constexpr uint64_t kTailBytes = 64 * 1024;
constexpr std::string_view kMagic = "PAR1";
constexpr std::string_view kEncryptedMagic = "PARE";

std::string TypeName(const DataType& t) {
  static const char* kNames[] = {"boolean", "byte",   "short",     "integer", "long",
                                 "float",   "double", "string",    "binary",  "date",
                                 "timestamp", "timestamp_ntz", "decimal", "struct", "array", "map"};
  std::string name = kNames[static_cast<int>(t.id)];
  if (t.id == TypeId::kDecimal) {
    name += "(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
  } else if (t.is_nested()) {
    name += "<";
    for (size_t i = 0; i < t.children.size(); ++i) {
      if (i > 0) name += ",";
      if (t.id == TypeId::kStruct) name += t.children[i].name + ":";
      name += TypeName(t.children[i].type);
    }
    name += ">";
  }
  return name;
}

bool SameType(const DataType& a, const DataType& b) {
  if (a.id != b.id || a.children.size() != b.children.size()) return false;
  if (a.id == TypeId::kDecimal && (a.precision != b.precision || a.scale != b.scale)) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (a.id == TypeId::kStruct && a.children[i].name != b.children[i].name) return false;
    if (!SameType(a.children[i].type, b.children[i].type)) return false;
  }
  return true;
}

uint32_t LoadLe32(std::string_view bytes) {
  uint32_t v = 0;
  std::memcpy(&v, bytes.data(), 4);
  return v;
}

}  // namespace

struct FileReader::Impl {
  std::string name;
  std::shared_ptr<storage::Storage> storage;  // null for OpenBuffer
  std::string key;
  std::string buffer;
  uint64_t file_size = 0;
  format::FileMetaData meta;
  FileSchema schema;
  std::map<std::string, std::string> key_value;
  ReadStats stats;
  std::vector<int64_t> first_row;  // per row group, its first row's position in the file

  Status Fail(Status st) const { return st.Annotate("parquet file " + name); }

  // Bytes [offset, offset + length) of the file; a view into `buffer` or `*scratch`.
  Result<std::string_view> Fetch(uint64_t offset, uint64_t length, std::string* scratch) {
    if (offset > file_size || length > file_size - offset) {
      return Status::Corruption("range [" + std::to_string(offset) + ", +" +
                                std::to_string(length) + ") lies beyond the file size " +
                                std::to_string(file_size));
    }
    if (storage == nullptr) return std::string_view(buffer).substr(offset, length);
    RS_ASSIGN_OR_RETURN(*scratch, storage->GetRange(key, offset, length));
    if (scratch->size() != length) {
      return Status::Corruption("short read at offset " + std::to_string(offset) + ": " +
                                std::to_string(scratch->size()) + " of " +
                                std::to_string(length) + " bytes");
    }
    return std::string_view(*scratch);
  }

  Status LoadFooter();
  Status Validate() const;
  Result<std::vector<int>> ResolveColumns(const ReadOptions& options) const;
  Status CheckExpected(const ReadOptions& options) const;
  Result<bool> MayMatch(int row_group, const std::vector<RangePredicate>& predicates) const;
  Result<std::optional<std::vector<std::string>>> Dictionary(int row_group,
                                                             const std::string& column);
  Status ReadLeaf(int leaf, const std::vector<int>& row_groups,
                  const std::vector<const uint8_t*>& keep_rows, LeafData* out, ReadStats* stats);
  Status DecodeLeaves(const std::vector<int>& leaves, const std::vector<int>& row_groups,
                      const std::vector<const uint8_t*>& keep_rows, int num_threads,
                      std::vector<LeafData>* data);
};

Status FileReader::Impl::LoadFooter() {
  if (file_size < 12) {
    return Status::Corruption("file of " + std::to_string(file_size) +
                              " bytes is too short for Parquet");
  }
  std::string tail_scratch;
  const uint64_t tail_size = std::min(file_size, kTailBytes);
  RS_ASSIGN_OR_RETURN(std::string_view tail, Fetch(file_size - tail_size, tail_size, &tail_scratch));
  const std::string_view magic = tail.substr(tail.size() - 4);
  if (magic == kEncryptedMagic) {
    return Status::Unimplemented("encrypted footer (PARE) is not supported");
  }
  if (magic != kMagic) return Status::Corruption("bad magic at end of file (not Parquet)");
  if (tail_size == file_size && tail.substr(0, 4) != kMagic) {
    return Status::Corruption("bad magic at start of file (not Parquet)");
  }
  const uint64_t footer_len = LoadLe32(tail.substr(tail.size() - 8, 4));
  if (footer_len + 12 > file_size) {
    return Status::Corruption("footer length " + std::to_string(footer_len) +
                              " exceeds the file size " + std::to_string(file_size));
  }
  std::string footer_scratch;
  std::string_view footer;
  if (footer_len + 8 <= tail_size) {
    footer = tail.substr(tail.size() - 8 - footer_len, footer_len);
  } else {
    RS_ASSIGN_OR_RETURN(footer, Fetch(file_size - 8 - footer_len, footer_len, &footer_scratch));
  }
  RS_ASSIGN_OR_RETURN(meta, DecodeFileMetaData(footer, "footer"));
  RS_ASSIGN_OR_RETURN_CTX(schema, BuildFileSchema(meta.schema), "schema");
  RS_RETURN_IF_ERROR(Validate());
  int64_t rows = 0;
  for (const auto& rg : meta.row_groups) {
    first_row.push_back(rows);
    rows += rg.num_rows;
  }
  for (const auto& kv : meta.key_value_metadata) key_value[kv.key] = kv.value;
  return Status::OK();
}

Status FileReader::Impl::Validate() const {
  if (meta.num_rows < 0) return Status::Corruption("negative row count");
  int64_t rows = 0;
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const auto& rg = meta.row_groups[g];
    const std::string where = "row group " + std::to_string(g);
    if (rg.columns.size() != schema.leaves.size()) {
      return Status::Corruption(where + " has " + std::to_string(rg.columns.size()) +
                                " column chunks, the schema " +
                                std::to_string(schema.leaves.size()) + " columns");
    }
    if (rg.num_rows < 0) return Status::Corruption(where + ": negative row count");
    rows += rg.num_rows;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      if (rg.columns[c].__isset.file_path) {
        return Status::Unimplemented(where + " column '" + schema.leaves[c].path +
                                     "' lives in another file");
      }
      if (!rg.columns[c].__isset.meta_data) {
        return Status::Corruption(where + " column '" + schema.leaves[c].path +
                                  "' has no metadata");
      }
    }
  }
  if (rows != meta.num_rows) {
    return Status::Corruption("row groups hold " + std::to_string(rows) + " rows, footer says " +
                              std::to_string(meta.num_rows));
  }
  return Status::OK();
}

Result<std::vector<int>> FileReader::Impl::ResolveColumns(const ReadOptions& options) const {
  std::vector<int> out;
  if (options.columns.empty()) {
    for (size_t i = 0; i < schema.fields.size(); ++i) out.push_back(static_cast<int>(i));
    return out;
  }
  for (const auto& name : options.columns) {
    auto it = std::find_if(schema.fields.begin(), schema.fields.end(),
                           [&](const Field& f) { return f.name == name; });
    if (it == schema.fields.end()) {
      return Status::InvalidArgument("column '" + name + "' is not in the file");
    }
    out.push_back(static_cast<int>(it - schema.fields.begin()));
  }
  return out;
}

Status FileReader::Impl::CheckExpected(const ReadOptions& options) const {
  for (const Field& want : options.expected) {
    auto it = std::find_if(schema.fields.begin(), schema.fields.end(),
                           [&](const Field& f) { return f.name == want.name; });
    if (it == schema.fields.end()) {
      return Status::FailedPrecondition("expected column '" + want.name + "' is not in the file");
    }
    if (!SameType(it->type, want.type)) {
      return Status::FailedPrecondition("column '" + want.name + "' is " + TypeName(it->type) +
                                        " in the file, expected " + TypeName(want.type));
    }
  }
  return Status::OK();
}

Result<bool> FileReader::Impl::MayMatch(int row_group,
                                        const std::vector<RangePredicate>& predicates) const {
  const auto& rg = meta.row_groups[static_cast<size_t>(row_group)];
  bool may_match = true;
  for (const auto& p : predicates) {
    auto it = std::find_if(schema.fields.begin(), schema.fields.end(),
                           [&](const Field& f) { return f.name == p.column; });
    if (it == schema.fields.end()) {
      return Status::InvalidArgument("predicate column '" + p.column + "' is not in the file");
    }
    const SchemaNode& node = schema.top[static_cast<size_t>(it - schema.fields.begin())];
    if (node.kind != SchemaNode::Kind::kLeaf) {
      return Status::InvalidArgument("predicate column '" + p.column + "' is not primitive");
    }
    const LeafInfo& leaf = schema.leaves[static_cast<size_t>(node.leaf)];
    RS_RETURN_IF_ERROR(CheckPredicateType(p, leaf));
    RS_ASSIGN_OR_RETURN(bool chunk_match,
                        ChunkMayMatch(rg.columns[static_cast<size_t>(node.leaf)].meta_data, leaf, p));
    may_match = may_match && chunk_match;
  }
  return may_match;
}

Result<std::optional<std::vector<std::string>>> FileReader::Impl::Dictionary(
    int row_group, const std::string& column) {
  using Unknown = std::optional<std::vector<std::string>>;
  if (row_group < 0 || static_cast<size_t>(row_group) >= meta.row_groups.size()) {
    return Status::InvalidArgument("row group " + std::to_string(row_group) + " out of range");
  }
  auto it = std::find_if(schema.fields.begin(), schema.fields.end(),
                         [&](const Field& f) { return f.name == column; });
  if (it == schema.fields.end()) {
    return Status::InvalidArgument("column '" + column + "' is not in the file");
  }
  const SchemaNode& node = schema.top[static_cast<size_t>(it - schema.fields.begin())];
  if (node.kind != SchemaNode::Kind::kLeaf ||
      (it->type.id != TypeId::kString && it->type.id != TypeId::kBinary)) {
    return Status::InvalidArgument("column '" + column + "' is not a string or binary column");
  }
  const LeafInfo& leaf = schema.leaves[static_cast<size_t>(node.leaf)];
  const auto& cm = meta.row_groups[static_cast<size_t>(row_group)]
                       .columns[static_cast<size_t>(node.leaf)]
                       .meta_data;
  // The dictionary page, when there is one, lies in front of the data pages.
  if (!AllDataPagesDictionaryEncoded(cm) || !cm.__isset.dictionary_page_offset ||
      cm.dictionary_page_offset < 4 || cm.dictionary_page_offset >= cm.data_page_offset) {
    return Unknown();
  }
  const std::string where = "column '" + column + "' row group " + std::to_string(row_group);
  const int64_t length = cm.data_page_offset - cm.dictionary_page_offset;
  if (cm.total_compressed_size < 0 || length > cm.total_compressed_size) {
    return Status::Corruption(where + ": dictionary page of " + std::to_string(length) +
                              " bytes in a chunk of " + std::to_string(cm.total_compressed_size));
  }
  std::string scratch;
  RS_ASSIGN_OR_RETURN_CTX(std::string_view page,
                          Fetch(static_cast<uint64_t>(cm.dictionary_page_offset),
                                static_cast<uint64_t>(length), &scratch),
                          where);
  stats.bytes_fetched += length;
  RS_ASSIGN_OR_RETURN_CTX(std::optional<ColumnVector> values,
                          ReadDictionaryPage(page, cm.dictionary_page_offset, cm, leaf), where);
  if (!values) return Unknown();
  return Unknown(std::move(std::get<std::vector<std::string>>(values->values)));
}

// keep_rows: empty, or per row group read its rows' keep bytes (null = all).
Status FileReader::Impl::ReadLeaf(int leaf, const std::vector<int>& row_groups,
                                  const std::vector<const uint8_t*>& keep_rows, LeafData* out,
                                  ReadStats* leaf_stats) {
  const LeafInfo& info = schema.leaves[static_cast<size_t>(leaf)];
  std::string scratch;
  if (info.max_rep == 0) {
    // One entry per row: size the outputs once instead of growing them page by page.
    // Row counts come from the footer, so the hint is capped by the chunk bytes
    // (no encoding stores 8 values in fewer than one byte but RLE, which then just grows).
    int64_t rows = 0, bytes = 0;
    for (int g : row_groups) {
      const auto& rg = meta.row_groups[static_cast<size_t>(g)];
      rows += rg.num_rows;
      bytes += std::max<int64_t>(rg.columns[static_cast<size_t>(leaf)].meta_data.total_compressed_size, 0);
    }
    rows = std::min(rows, bytes * 8 + 1024);
    if (rows <= kMaxChunkEntries) {
      std::visit([rows](auto& v) { v.reserve(static_cast<size_t>(rows)); }, out->values.values);
      if (info.max_def > 0) out->def.reserve(static_cast<size_t>(rows));
    }
  }
  for (size_t i = 0; i < row_groups.size(); ++i) {
    const int g = row_groups[i];
    const auto& rg = meta.row_groups[static_cast<size_t>(g)];
    const auto& cm = rg.columns[static_cast<size_t>(leaf)].meta_data;
    const std::string where =
        "column '" + info.path + "' row group " + std::to_string(g);
    if (info.max_rep == 0 && cm.num_values != rg.num_rows) {
      return Status::Corruption(where + ": " + std::to_string(cm.num_values) + " values for " +
                                std::to_string(rg.num_rows) + " rows");
    }
    int64_t start = cm.data_page_offset;
    if (cm.__isset.dictionary_page_offset && cm.dictionary_page_offset > 0 &&
        cm.dictionary_page_offset < start) {
      start = cm.dictionary_page_offset;
    }
    if (start < 4 || cm.total_compressed_size < 0) {
      return Status::Corruption(where + ": invalid chunk offset " + std::to_string(start) +
                                " or size " + std::to_string(cm.total_compressed_size));
    }
    RS_ASSIGN_OR_RETURN_CTX(
        std::string_view chunk,
        Fetch(static_cast<uint64_t>(start), static_cast<uint64_t>(cm.total_compressed_size), &scratch),
        where);
    leaf_stats->bytes_fetched += cm.total_compressed_size;
    RowSelection selection;
    if (!keep_rows.empty()) selection = RowSelection{keep_rows[i], rg.num_rows};
    RS_RETURN_IF_ERROR_CTX(ReadColumnChunk(chunk, start, cm, info, selection, out), where);
  }
  return Status::OK();
}

// Leaves are independent until assembly, so each is decoded by one worker;
// the first failing leaf stops the decoding, and the error reported is the
// lowest failing leaf's whatever the scheduling (ParallelFor).
Status FileReader::Impl::DecodeLeaves(const std::vector<int>& leaves,
                                      const std::vector<int>& row_groups,
                                      const std::vector<const uint8_t*>& keep_rows, int num_threads,
                                      std::vector<LeafData>* data) {
  std::vector<ReadStats> leaf_stats(leaves.size());
  ParallelOptions parallel;
  parallel.max_threads = num_threads;
  Status decoded = ParallelFor(leaves.size(), parallel, [&](size_t i) {
    return ReadLeaf(leaves[i], row_groups, keep_rows, &(*data)[i], &leaf_stats[i]);
  });
  // Leaves past the first failure may not have run; their stats are zero.
  for (const ReadStats& leaf : leaf_stats) stats.bytes_fetched += leaf.bytes_fetched;
  return decoded;
}

FileReader::FileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileReader::~FileReader() = default;

Result<std::unique_ptr<FileReader>> FileReader::Open(std::shared_ptr<storage::Storage> storage,
                                                     const std::string& key) {
  if (!storage) return Status::InvalidArgument("parquet file " + key + ": no storage given");
  auto impl = std::make_unique<Impl>();
  impl->name = key;
  impl->storage = std::move(storage);
  impl->key = key;
  RS_ASSIGN_OR_RETURN_CTX(storage::ObjectInfo info, impl->storage->Head(key),
                          "parquet file " + key);
  impl->file_size = info.size_bytes;
  RS_RETURN_IF_ERROR(impl->Fail(impl->LoadFooter()));
  return std::unique_ptr<FileReader>(new FileReader(std::move(impl)));
}

Result<std::unique_ptr<FileReader>> FileReader::OpenBuffer(std::string bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->buffer = std::move(bytes);
  impl->file_size = impl->buffer.size();
  RS_RETURN_IF_ERROR(impl->Fail(impl->LoadFooter()));
  return std::unique_ptr<FileReader>(new FileReader(std::move(impl)));
}

const Schema& FileReader::schema() const { return impl_->schema.fields; }
int64_t FileReader::num_rows() const { return impl_->meta.num_rows; }
int FileReader::num_row_groups() const { return static_cast<int>(impl_->meta.row_groups.size()); }
int64_t FileReader::row_group_num_rows(int row_group) const {
  return impl_->meta.row_groups.at(static_cast<size_t>(row_group)).num_rows;
}
const std::map<std::string, std::string>& FileReader::key_value_metadata() const {
  return impl_->key_value;
}
const std::string& FileReader::created_by() const { return impl_->meta.created_by; }
const ReadStats& FileReader::stats() const { return impl_->stats; }

Result<bool> FileReader::RowGroupMayMatch(int row_group,
                                          const std::vector<RangePredicate>& predicates) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return impl_->Fail(Status::InvalidArgument("row group " + std::to_string(row_group) +
                                               " out of range"));
  }
  auto result = impl_->MayMatch(row_group, predicates);
  if (!result.ok()) return impl_->Fail(result.status());
  return result;
}

Result<std::optional<std::vector<std::string>>> FileReader::DictionaryValues(
    int row_group, const std::string& column) {
  auto result = impl_->Dictionary(row_group, column);
  if (!result.ok()) return impl_->Fail(result.status());
  return result;
}

Result<RecordBatch> FileReader::Read(const ReadOptions& options) {
  std::vector<int> groups;
  for (int g = 0; g < num_row_groups(); ++g) groups.push_back(g);
  return ReadGroups(groups, options);
}

Result<RecordBatch> FileReader::ReadRowGroup(int row_group, const ReadOptions& options) {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return impl_->Fail(Status::InvalidArgument("row group " + std::to_string(row_group) +
                                               " out of range"));
  }
  return ReadGroups({row_group}, options);
}

Result<RecordBatch> FileReader::ReadGroups(const std::vector<int>& row_groups,
                                           const ReadOptions& options) {
  Impl& d = *impl_;
  auto top = d.ResolveColumns(options);
  if (!top.ok()) return d.Fail(top.status());
  RS_RETURN_IF_ERROR(d.Fail(d.CheckExpected(options)));
  if (options.keep_rows && options.keep_rows->size() != static_cast<size_t>(num_rows())) {
    return d.Fail(Status::InvalidArgument("keep_rows holds " +
                                          std::to_string(options.keep_rows->size()) +
                                          " rows, the file " + std::to_string(num_rows())));
  }
  std::vector<int> kept;
  std::vector<const uint8_t*> keep_rows;  // per kept group, when options.keep_rows
  size_t num_rows = 0;
  for (int g : row_groups) {
    auto match = d.MayMatch(g, options.predicates);
    if (!match.ok()) return d.Fail(match.status());
    if (!*match) continue;
    kept.push_back(g);
    const auto group_rows = static_cast<size_t>(d.meta.row_groups[static_cast<size_t>(g)].num_rows);
    if (!options.keep_rows) {
      num_rows += group_rows;
      continue;
    }
    const uint8_t* keep = options.keep_rows->data() + d.first_row[static_cast<size_t>(g)];
    keep_rows.push_back(keep);
    num_rows += group_rows - CountZeroBytes(keep, group_rows);
  }
  d.stats.row_groups_read += static_cast<int>(kept.size());
  d.stats.row_groups_skipped += static_cast<int>(row_groups.size() - kept.size());
  // Decode every leaf of the projected fields (in parallel when asked), then
  // assemble each field from its leaves.
  std::vector<int> leaves;
  for (int t : *top) {
    const SchemaNode& node = d.schema.top[static_cast<size_t>(t)];
    for (int leaf = node.first_leaf; leaf < node.first_leaf + node.num_leaves; ++leaf) {
      leaves.push_back(leaf);
    }
  }
  std::vector<LeafData> data;
  data.reserve(leaves.size());
  for (int leaf : leaves) data.emplace_back(d.schema.leaves[static_cast<size_t>(leaf)]);
  RS_RETURN_IF_ERROR(d.Fail(d.DecodeLeaves(leaves, kept, keep_rows, options.num_threads, &data)));
  RecordBatch batch;
  batch.num_rows = num_rows;
  size_t next = 0;
  for (int t : *top) {
    const SchemaNode& node = d.schema.top[static_cast<size_t>(t)];
    const Field& field = d.schema.fields[static_cast<size_t>(t)];
    std::vector<LeafData*> ptrs;
    for (int i = 0; i < node.num_leaves; ++i) ptrs.push_back(&data[next++]);
    auto column = AssembleColumn(node, field, d.schema.leaves, ptrs, num_rows);
    if (!column.ok()) return d.Fail(column.status());
    batch.schema.push_back(field);
    batch.columns.push_back(std::move(column).value());
  }
  return batch;
}

}  // namespace rs::parquet
