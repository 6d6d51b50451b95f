#include <string>
#include <utility>

#include "parquet/nested_internal.h"

namespace rs::parquet {
namespace {

// Spreads the defined values of a flat leaf over its rows, nulls where the
// definition level is below the maximum.
template <typename T>
void Scatter(std::vector<T>* values, const std::vector<uint8_t>& def, int max_def,
             std::vector<uint8_t>* validity) {
  std::vector<T> out(def.size());
  validity->resize(def.size());
  size_t j = 0;
  for (size_t i = 0; i < def.size(); ++i) {
    const bool valid = def[i] == max_def;
    (*validity)[i] = valid;
    if (valid) out[i] = std::move((*values)[j++]);
  }
  *values = std::move(out);
}

Result<ColumnVector> AssembleFlat(const LeafInfo& info, LeafData* leaf, const Field& field,
                                  size_t num_rows) {
  if (leaf->num_entries != num_rows) {
    return Status::Corruption("column '" + info.path + "' holds " +
                              std::to_string(leaf->num_entries) + " values for " +
                              std::to_string(num_rows) + " rows");
  }
  ColumnVector column;
  column.field = field;
  column.values = std::move(leaf->values.values);
  if (info.max_def > 0 && column.size() != num_rows) {
    std::visit([&](auto& v) { Scatter(&v, leaf->def, info.max_def, &column.validity); },
               column.values);
  }
  if (column.size() != num_rows) {
    return Status::Internal("column '" + info.path + "': value count mismatch after assembly");
  }
  return column;
}

// Walks all leaves of one top-level field in step. Each leaf has an entry
// cursor (levels) and a value cursor (defined values).
class Assembler {
 public:
  Assembler(const std::vector<LeafInfo>& infos, const std::vector<LeafData*>& leaves,
            int first_leaf)
      : infos_(infos), leaves_(leaves), first_leaf_(first_leaf),
        entry_(leaves.size(), 0), value_(leaves.size(), 0) {}

  bool AtEnd() const { return entry_[0] >= leaves_[0]->num_entries; }
  Status CheckRowStart() const;
  Status CheckAllConsumed() const;
  Status Node(const SchemaNode& node, Value* out);

 private:
  LeafData& Leaf(int leaf) const { return *leaves_[static_cast<size_t>(leaf - first_leaf_)]; }
  size_t Slot(int leaf) const { return static_cast<size_t>(leaf - first_leaf_); }
  int Def(int leaf) const;
  int Rep(int leaf) const;
  Status SkipNull(const SchemaNode& node);
  Status Repeated(const SchemaNode& node, Value* out);

  const std::vector<LeafInfo>& infos_;
  const std::vector<LeafData*>& leaves_;
  int first_leaf_;
  std::vector<size_t> entry_;
  std::vector<size_t> value_;
};

int Assembler::Def(int leaf) const {
  const LeafData& data = Leaf(leaf);
  return data.def.empty() ? 0 : data.def[entry_[Slot(leaf)]];
}

int Assembler::Rep(int leaf) const {
  const LeafData& data = Leaf(leaf);
  return data.rep.empty() ? 0 : data.rep[entry_[Slot(leaf)]];
}

Status Assembler::CheckRowStart() const {
  for (size_t i = 0; i < leaves_.size(); ++i) {
    const int leaf = first_leaf_ + static_cast<int>(i);
    if (entry_[i] >= leaves_[i]->num_entries || Rep(leaf) != 0) {
      return Status::Corruption("column '" + infos_[static_cast<size_t>(leaf)].path +
                                "': levels do not start a new row at entry " +
                                std::to_string(entry_[i]));
    }
  }
  return Status::OK();
}

Status Assembler::CheckAllConsumed() const {
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (entry_[i] != leaves_[i]->num_entries || value_[i] != leaves_[i]->values.size()) {
      return Status::Corruption("column '" + infos_[static_cast<size_t>(first_leaf_) + i].path +
                                "': entries left over after the last row");
    }
  }
  return Status::OK();
}

// A null (or empty) node: every leaf below it has exactly one entry for it.
Status Assembler::SkipNull(const SchemaNode& node) {
  for (int leaf = node.first_leaf; leaf < node.first_leaf + node.num_leaves; ++leaf) {
    if (entry_[Slot(leaf)] >= Leaf(leaf).num_entries) {
      return Status::Corruption("column '" + infos_[static_cast<size_t>(leaf)].path +
                                "': levels end inside a row");
    }
    if (Def(leaf) >= infos_[static_cast<size_t>(leaf)].max_def) {
      return Status::Corruption("column '" + infos_[static_cast<size_t>(leaf)].path +
                                "': a value under a null parent");
    }
    ++entry_[Slot(leaf)];
  }
  return Status::OK();
}

Status Assembler::Node(const SchemaNode& node, Value* out) {
  if (entry_[Slot(node.first_leaf)] >= Leaf(node.first_leaf).num_entries) {
    return Status::Corruption("column '" + infos_[static_cast<size_t>(node.first_leaf)].path +
                              "': levels end inside a row");
  }
  if (Def(node.first_leaf) < node.def_level) {
    *out = Value::Null();
    return SkipNull(node);
  }
  switch (node.kind) {
    case SchemaNode::Kind::kLeaf: {
      const size_t slot = Slot(node.leaf);
      LeafData& data = Leaf(node.leaf);
      if (value_[slot] >= data.values.size()) {
        return Status::Corruption("column '" + infos_[static_cast<size_t>(node.leaf)].path +
                                  "': fewer values than defined levels");
      }
      *out = ValueAt(data.values, value_[slot]++);
      ++entry_[slot];
      return Status::OK();
    }
    case SchemaNode::Kind::kStruct:
      out->kind = Value::Kind::kStruct;
      out->children.resize(node.children.size());
      for (size_t i = 0; i < node.children.size(); ++i) {
        RS_RETURN_IF_ERROR(Node(node.children[i], &out->children[i]));
      }
      return Status::OK();
    case SchemaNode::Kind::kList:
    case SchemaNode::Kind::kMap:
      return Repeated(node, out);
  }
  return Status::Internal("unknown schema node kind");
}

Status Assembler::Repeated(const SchemaNode& node, Value* out) {
  const bool is_map = node.kind == SchemaNode::Kind::kMap;
  out->kind = is_map ? Value::Kind::kMap : Value::Kind::kList;
  if (Def(node.first_leaf) < node.repeated_def) return SkipNull(node);  // empty
  const int leaf0 = node.first_leaf;
  while (true) {
    for (const SchemaNode& child : node.children) {
      out->children.emplace_back();
      RS_RETURN_IF_ERROR(Node(child, &out->children.back()));
    }
    if (entry_[Slot(leaf0)] >= Leaf(leaf0).num_entries || Rep(leaf0) != node.repeated_rep) break;
  }
  return Status::OK();
}

}  // namespace

Result<ColumnVector> AssembleColumn(const SchemaNode& node, const Field& field,
                                    const std::vector<LeafInfo>& infos,
                                    const std::vector<LeafData*>& leaves, size_t num_rows) {
  if (node.num_leaves == 0 || leaves.size() != static_cast<size_t>(node.num_leaves)) {
    return Status::Internal("column '" + field.name + "': leaf data missing");
  }
  if (node.kind == SchemaNode::Kind::kLeaf) {
    return AssembleFlat(infos[static_cast<size_t>(node.leaf)], leaves[0], field, num_rows);
  }
  ColumnVector column = ColumnVector::Make(field);
  auto& values = column.As<Value>();
  values.reserve(num_rows);
  Assembler assembler(infos, leaves, node.first_leaf);
  bool any_null = false;
  while (!assembler.AtEnd()) {
    if (values.size() == num_rows) {
      return Status::Corruption("column '" + field.name + "' holds more than " +
                                std::to_string(num_rows) + " rows");
    }
    RS_RETURN_IF_ERROR(assembler.CheckRowStart());
    values.emplace_back();
    RS_RETURN_IF_ERROR(assembler.Node(node, &values.back()));
    any_null = any_null || values.back().is_null();
  }
  RS_RETURN_IF_ERROR(assembler.CheckAllConsumed());
  if (values.size() != num_rows) {
    return Status::Corruption("column '" + field.name + "' holds " + std::to_string(values.size()) +
                              " rows, expected " + std::to_string(num_rows));
  }
  if (any_null) {
    column.validity.resize(num_rows);
    for (size_t i = 0; i < num_rows; ++i) column.validity[i] = !values[i].is_null();
  }
  return column;
}

}  // namespace rs::parquet
