// Column access and construction shared by the engine's stages.
#ifndef RS_SIGNALS_COLUMNS_INTERNAL_H_
#define RS_SIGNALS_COLUMNS_INTERNAL_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/columnar.h"
#include "common/status.h"

namespace rs::signals::internal {

// The column `name` of `table`, whose type must be one of `types`.
// Errors (InvalidArgument): "market_daily: missing column 'close' (expected double)",
// "market_daily: column 'close' has type string, expected double".
[[nodiscard]] Result<const ColumnVector*> RequireColumn(const RecordBatch& batch,
                                                        std::string_view table,
                                                        const std::string& name,
                                                        std::initializer_list<TypeId> types);

// A column for `field` holding `rows` default values (all valid).
ColumnVector MakeSizedColumn(const Field& field, size_t rows);

// A batch with `schema` and `rows` default-valued rows; columns are
// allocated and filled on up to `threads` threads.
RecordBatch MakeSizedBatch(const Schema& schema, size_t rows, int threads = 1);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_COLUMNS_INTERNAL_H_
