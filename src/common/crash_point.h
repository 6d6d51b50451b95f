// Named crash points for failure testing: the job can be killed (SIGKILL to
// itself) at a named point, to prove that a crash at any step leaves Delta at
// the old or the new version and PostgreSQL with whole months only.
//
// Only the CLI arms a point (from RS_CRASH_POINT, "name" or "name:N" to crash
// at the N-th hit; "name:N:TERM" or "name:N:INT" sends SIGTERM or SIGINT
// instead, which the process handles as an operator's stop); library code
// just marks points with CrashPoint("name").
// When nothing is armed, CrashPoint is one relaxed atomic load.
//
// Thread-safety: safe from any thread.
#ifndef RS_COMMON_CRASH_POINT_H_
#define RS_COMMON_CRASH_POINT_H_

#include <string>
#include <string_view>

namespace rs {

// Arms `spec` ("name" or "name:N"); an empty spec disarms.
void ArmCrashPoint(const std::string& spec);

// Kills the process with SIGKILL (or sends the armed signal) when `name` is
// armed and reached its count.
void CrashPoint(std::string_view name);

}  // namespace rs

#endif  // RS_COMMON_CRASH_POINT_H_
