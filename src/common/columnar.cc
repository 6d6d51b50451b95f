#include "common/columnar.h"

namespace rs {

ColumnVector ColumnVector::Make(Field f) {
  ColumnVector c;
  switch (f.type.id) {
    case TypeId::kBoolean:
      c.values = std::vector<uint8_t>{};
      break;
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInteger:
    case TypeId::kDate:
      c.values = std::vector<int32_t>{};
      break;
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      c.values = std::vector<int64_t>{};
      break;
    case TypeId::kFloat:
      c.values = std::vector<float>{};
      break;
    case TypeId::kDouble:
      c.values = std::vector<double>{};
      break;
    case TypeId::kString:
    case TypeId::kBinary:
      c.values = std::vector<std::string>{};
      break;
    case TypeId::kDecimal:
      if (f.type.precision <= 9) {
        c.values = std::vector<int32_t>{};
      } else if (f.type.precision <= 18) {
        c.values = std::vector<int64_t>{};
      } else {
        c.values = std::vector<std::string>{};
      }
      break;
    case TypeId::kStruct:
    case TypeId::kArray:
    case TypeId::kMap:
      c.values = std::vector<Value>{};
      break;
  }
  c.field = std::move(f);
  return c;
}

int RecordBatch::FindColumn(const std::string& name) const {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace rs
