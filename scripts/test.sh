#!/usr/bin/env bash
# Runs every test of ranking-signals, as CI does (.ci/run calls this):
#   1. installs dependencies and builds (scripts/setup.sh),
#   2. runs all ctest tests (unit + integration; ctest starts and stops its own
#      throwaway PostgreSQL and Azurite through fixtures),
#   3. builds with clang, ASan+UBSan and libFuzzer coverage (build-fuzz/), runs
#      the unit tests under the sanitizers there, then each libFuzzer target
#      for a bounded time (scripts/fuzz.sh).
# Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "setup and Release build"
# Release (-O3, no debug info): the CI build links about 60 test programs,
# and full debug info makes compiling and linking them much slower.
BUILD_DIR=build BUILD_TYPE=${BUILD_TYPE:-Release} scripts/setup.sh

status=0
step "ctest: all tests (build/)"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1

# One clang build (build-fuzz/, ASan+UBSan with libFuzzer coverage) serves
# both the unit tests under sanitizers and the fuzz targets.
step "sanitizer build (clang, ASan+UBSan): unit tests under sanitizers, then bounded fuzzing"
RS_FUZZ_UNIT_TESTS=1 scripts/fuzz.sh || status=1

if [ "$status" = 0 ]; then step "all tests passed"; else step "TESTS FAILED"; fi
exit "$status"
