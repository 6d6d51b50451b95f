// What this binary was built from, for `ranking-signals --version`.
// The definition is generated at build time by cmake/WriteBuildInfo.cmake.
#ifndef RS_CLI_BUILD_INFO_H_
#define RS_CLI_BUILD_INFO_H_

namespace rs::cli {

struct BuildInfoData {
  const char* version;     // the project's version (CMakeLists.txt)
  const char* git_commit;  // full hash, "-dirty" when built from changed files; "unknown"
  const char* build_type;  // CMAKE_BUILD_TYPE, e.g. Release
};

const BuildInfoData& BuildInfo();

}  // namespace rs::cli

#endif  // RS_CLI_BUILD_INFO_H_
