#!/usr/bin/env bash
# Runs every test of ranking-signals, as CI does (.ci/run calls this):
#   1. installs dependencies and builds (scripts/setup.sh),
#   2. runs all ctest tests (unit + integration; ctest starts and stops its own
#      throwaway PostgreSQL and Azurite through fixtures),
#   3. builds with ASan+UBSan and runs the unit tests under them,
#   4. runs each libFuzzer target for a bounded time (when any exist).
# Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "setup and Release build"
BUILD_DIR=build scripts/setup.sh

status=0
step "ctest: all tests (build/)"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1

step "ASan+UBSan build (build-asan/)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRS_SANITIZE=ON -DRS_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
step "ctest: unit tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L unit --output-on-failure -j"$jobs" || status=1

if [ -x scripts/fuzz.sh ]; then
  step "fuzzing (bounded)"
  scripts/fuzz.sh || status=1
fi

if [ "$status" = 0 ]; then step "all tests passed"; else step "TESTS FAILED"; fi
exit "$status"
