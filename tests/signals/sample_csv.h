// CSV exchange with the DuckDB reference (crosscheck_duckdb.mjs): writes the
// gold inputs, reads the reference outputs. Doubles are written with 17
// significant digits (exact round trip); NULL is an empty field.
#ifndef RS_TESTS_SIGNALS_SAMPLE_CSV_H_
#define RS_TESTS_SIGNALS_SAMPLE_CSV_H_

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/columnar.h"
#include "signals/months.h"
#include "signals/sample_data.h"

namespace rs::signals::testing {

inline std::string CsvDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

inline std::string CsvCell(const ColumnVector& c, size_t row) {
  if (!c.IsValid(row)) return "";
  switch (c.field.type.id) {
    case TypeId::kDate: return FormatDate(c.As<int32_t>()[row]);
    case TypeId::kString: return c.As<std::string>()[row];
    case TypeId::kDouble: return CsvDouble(c.As<double>()[row]);
    case TypeId::kInteger: return std::to_string(c.As<int32_t>()[row]);
    case TypeId::kLong: return std::to_string(c.As<int64_t>()[row]);
    default: return "?";
  }
}

// Writes `batch` with a header line. False on an I/O error.
inline bool WriteCsv(const RecordBatch& batch, const std::string& path) {
  std::ofstream out(path);
  for (size_t k = 0; k < batch.schema.size(); ++k) {
    out << (k ? "," : "") << batch.schema[k].name;
  }
  out << "\n";
  std::string line;
  for (size_t row = 0; row < batch.num_rows; ++row) {
    line.clear();
    for (size_t k = 0; k < batch.columns.size(); ++k) {
      if (k) line += ',';
      line += CsvCell(batch.columns[k], row);
    }
    line += '\n';
    out << line;
  }
  return static_cast<bool>(out);
}

// market.csv and finance.csv in `dir`.
inline bool WriteSampleCsv(const SampleData& data, const std::string& dir) {
  return WriteCsv(data.market_daily, dir + "/market.csv") &&
         WriteCsv(data.finance_daily, dir + "/finance.csv");
}

// A CSV file as column name -> index and rows of fields (no quoting support).
struct Csv {
  std::map<std::string, size_t> columns;
  std::vector<std::vector<std::string>> rows;
  const std::string& Get(size_t row, const std::string& name) const {
    return rows[row][columns.at(name)];
  }
};

inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) fields.push_back(f);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

inline bool ReadCsv(const std::string& path, Csv* csv) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  if (!std::getline(in, line)) return false;
  auto header = SplitCsvLine(line);
  for (size_t k = 0; k < header.size(); ++k) csv->columns[header[k]] = k;
  while (std::getline(in, line)) {
    if (!line.empty()) csv->rows.push_back(SplitCsvLine(line));
  }
  return true;
}

}  // namespace rs::signals::testing

#endif  // RS_TESTS_SIGNALS_SAMPLE_CSV_H_
