# Every dependency is a Debian 12 package (scripts/setup.sh installs them);
# nothing is downloaded at configure time. docs/dependencies.md says why each is here.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(CURL REQUIRED)
find_package(EXPAT REQUIRED)
find_package(roaring REQUIRED)  # CRoaring: the bitmaps of Delta deletion vectors
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SNAPPY REQUIRED IMPORTED_TARGET snappy)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(THRIFT REQUIRED IMPORTED_TARGET thrift)
find_program(THRIFT_COMPILER thrift REQUIRED)
# Only the tests and benchmarks need these: -DBUILD_TESTING=OFF builds the
# binary without them.
if(BUILD_TESTING)
  find_package(GTest REQUIRED)
endif()
if(RS_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
