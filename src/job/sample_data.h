// Deterministic synthetic gold inputs (signals/sample_data.h) written as the
// lake's market_daily and finance_daily Delta tables, partitioned by
// year_month, for demos, tests and benchmarks.
#ifndef RS_JOB_SAMPLE_DATA_H_
#define RS_JOB_SAMPLE_DATA_H_

#include <cstdint>
#include <string>

#include "common/status.h"
#include "job/lake.h"
#include "signals/sample_data.h"

namespace rs::job {

struct SampleDataWritten {
  int64_t market_rows = 0, finance_rows = 0;
  int64_t market_version = -1, finance_version = -1;  // the Delta versions committed
};

// Generates the data of `options` and replaces the whole of both tables at
// lake.layout().market and .finance (created when absent).
Result<SampleDataWritten> WriteSampleData(const Lake& lake, const signals::SampleOptions& options,
                                          const std::string& run_id);

}  // namespace rs::job

#endif  // RS_JOB_SAMPLE_DATA_H_
