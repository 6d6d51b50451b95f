// A lake in a process-wide in-memory store with deterministic sample inputs,
// for tests that drive the job layer without the binary.
#ifndef RS_TESTS_JOB_JOB_TEST_LAKE_H_
#define RS_TESTS_JOB_JOB_TEST_LAKE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>

#include "common/calendar.h"
#include "common/log.h"
#include "job/lake.h"
#include "job/sample_data.h"

namespace rs::job::testing {

// A new, empty mem:// lake of its own.
inline Lake NewMemoryLake(const std::string& tag) {
  static std::atomic<int> counter{0};
  LakeLayout layout;
  layout.lake = "mem://" + tag + "-" + std::to_string(counter++);
  auto lake = Lake::Open(layout, {});
  EXPECT_TRUE(lake.ok()) << lake.status().ToString();
  return std::move(lake).value();
}

// Sample inputs for 2023-01 .. 2024-03: enough history for every strategy
// in the 2024 months.
inline void WriteSampleInputs(const Lake& lake, int symbols = 12,
                              const std::string& first_day = "2023-01-01",
                              const std::string& last_day = "2024-03-31") {
  signals::SampleOptions so;
  so.symbols = symbols;
  so.start_date = *ParseDate(first_day);
  so.end_date = *ParseDate(last_day);
  auto written = WriteSampleData(lake, so, "sample");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
}

// A logger writing into a string.
struct TestLog {
  std::ostringstream text;
  Logger log{text, LogFormat::kText, "test-run", false};
};

}  // namespace rs::job::testing

#endif  // RS_TESTS_JOB_JOB_TEST_LAKE_H_
