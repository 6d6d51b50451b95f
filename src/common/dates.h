// Calendar arithmetic shared by the modules: proleptic Gregorian dates as
// days since 1970-01-01 (Delta/Parquet DATE).
#ifndef RS_COMMON_DATES_H_
#define RS_COMMON_DATES_H_

#include <cstdint>

namespace rs {

// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31), using
// Howard Hinnant's published days_from_civil formula. Valid for any int64
// year whose result fits; callers bound the year.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace rs

#endif  // RS_COMMON_DATES_H_
