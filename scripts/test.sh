#!/usr/bin/env bash
# Runs every test of ranking-signals, as CI does (.ci/run calls this):
#   1. installs dependencies (scripts/setup.sh --deps),
#   2. builds the integration half (rs_integration_tests: the CLI, the
#      integration test programs, their helper programs and the benchmark
#      programs) as g++ Release in build/ and runs `ctest -L integration`;
#      ctest starts and stops its own throwaway PostgreSQL and Azurite through
#      fixtures,
#   3. builds the unit half (rs_unit_tests) and the fuzz targets with clang,
#      ASan+UBSan and libFuzzer coverage in build-fuzz/, runs `ctest -L unit`
#      there under the sanitizers, then each libFuzzer target for a bounded time
#      (scripts/fuzz.sh).
# Each test runs once: the unit tests under the sanitizers, the integration
# tests against the optimized program users run. `cmake --build build` (all)
# still builds both halves for a plain `ctest --test-dir build`.
# Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "setup: dependencies"
scripts/setup.sh --deps

step "Release build (build/, g++): rs_integration_tests"
# Release (-O3, no debug info): debug info makes compiling and linking the
# test programs much slower.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j"$jobs" --target rs_integration_tests

status=0
step "ctest: integration tests (build/)"
ctest --test-dir build -L integration --output-on-failure -j"$jobs" || status=1

# One clang build (build-fuzz/, ASan+UBSan with libFuzzer coverage) serves
# both the unit tests under sanitizers and the fuzz targets.
step "sanitizer build (clang, ASan+UBSan): unit tests under sanitizers, then bounded fuzzing"
RS_FUZZ_UNIT_TESTS=1 scripts/fuzz.sh || status=1

if [ "$status" = 0 ]; then step "all tests passed"; else step "TESTS FAILED"; fi
exit "$status"
