#!/usr/bin/env bash
# Runs every test of ranking-signals, as CI does (.ci/run calls this):
#   1. installs dependencies (scripts/setup.sh --deps),
#   2. builds the integration half (rs_integration_tests: the CLI, the
#      integration test programs, their helper programs and the benchmark
#      programs) as g++ Release in build/ and starts `ctest -L integration`
#      there in the background (ctest starts and stops its own throwaway
#      PostgreSQL and Azurite through fixtures); its output is printed whole
#      when it ends, after step 4,
#   3. meanwhile builds the unit half (rs_unit_tests) and the fuzz targets with
#      clang, ASan+UBSan and libFuzzer coverage in build-fuzz/, runs
#      `ctest -L unit` there under the sanitizers, then each libFuzzer target
#      for a bounded time (scripts/fuzz.sh),
#   4. builds the tests that use threads (label tsan, RS_TSAN_TESTS in
#      tests/CMakeLists.txt) with ThreadSanitizer in build-tsan/ (preset tsan)
#      and runs them, with their own PostgreSQL and Azurite.
# The integration tests mostly wait on PostgreSQL, Azurite and child
# processes, so running them beside the sanitizer builds costs little.
# Every unit and integration test runs once outside TSan: the unit tests under
# ASan+UBSan, the integration tests against the optimized program users run.
# `cmake --build build` (all) still builds both halves for a plain
# `ctest --test-dir build`.
# Each step prints "==> step" when it starts and "==> step: W s wall, C s CPU"
# (user+sys of its processes) when it ends; a summary closes the run.
# Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
start=$SECONDS
timings=()
timing_file=$(mktemp "${TMPDIR:-/tmp}/rs-test-timing.XXXXXX")
trap 'rm -f "$timing_file" "$timing_file".*' EXIT

# Sets total_cpu: CPU seconds (user+sys) of this shell's finished children
# so far. `times` must run in this shell: a $(...) subshell has no children.
child_cpu() {
  times >"$timing_file.times"
  total_cpu=$(awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
    "$timing_file.times")
}

# timed FILE CMD...: runs CMD in a subshell and writes "WALL CPU" (seconds,
# CPU = user+sys of CMD's processes only, not of the background ctest) to FILE.
timed() {
  local file=$1 rc=0
  shift
  (
    TIMEFORMAT='%R %U %S'
    { time "$@" 2>&3; } 3>&2 2>"$file.raw"
  ) || rc=$?
  tail -n 1 "$file.raw" | awk '{ printf "%d %d\n", $1, $2 + $3 }' >"$file"
  rm -f "$file.raw"
  return "$rc"
}

# step NAME CMD...: runs CMD and prints "==> NAME: W s wall, C s CPU";
# returns CMD's status.
step() {
  local name=$1 rc=0 wall cpu
  shift
  printf '\n==> %s\n' "$name"
  timed "$timing_file" "$@" || rc=$?
  read -r wall cpu <"$timing_file"
  record "$(printf '%s: %d s wall, %d s CPU' "$name" "$wall" "$cpu")" "$rc"
  return "$rc"
}

record() {
  local line=$1
  [ "$2" = 0 ] || line+=", FAILED (exit $2)"
  printf '==> %s\n' "$line"
  timings+=("$line")
}

release_build() {
  # Release (-O3, no debug info): debug info makes compiling and linking the
  # test programs much slower. The libraries, the binary and the benchmarks
  # are -O3 as users get them; the test programs' own GoogleTest-heavy code is
  # -O0 (RS_TEST_OPTIMIZATION), which compiles faster and runs beside the
  # sanitizer steps anyway. So is the benchmark programs' own code
  # (RS_BENCH_OPTIMIZATION): the bench smoke test only checks that they run;
  # bench/run.sh measures with its own -O3 tree.
  # -Werror: the g++ build of every library, the binary and the integration
  # tests stays free of warnings (RS_WERROR).
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
    -DRS_TEST_OPTIMIZATION="${RS_TEST_OPTIMIZATION:--O0}" \
    -DRS_BENCH_OPTIMIZATION="${RS_BENCH_OPTIMIZATION:--O0}" -DRS_WERROR=ON >/dev/null
  cmake --build build -j"$jobs" --target rs_integration_tests
}

tsan() {
  cmake --preset tsan >/dev/null
  # Its build log is kept apart (the integration tests may still be running);
  # errors are printed.
  if ! cmake --build --preset tsan -j"$jobs" >build-tsan/build.log 2>&1; then
    grep -E -A3 'error|FAILED' build-tsan/build.log | head -n 80
    echo "test.sh: the ThreadSanitizer build failed; full log: build-tsan/build.log" >&2
    return 1
  fi
  ctest --preset tsan -j"$jobs"
}

step "setup: dependencies" scripts/setup.sh --deps
step "Release build (build/, g++): rs_integration_tests" release_build

status=0
# ctest -L integration in the background; its output is printed when it ends.
integration_log=build/ctest-integration.log
set +e
timed "$timing_file.integration" \
  ctest --test-dir build -L integration --output-on-failure -j"$jobs" >"$integration_log" 2>&1 &
integration_pid=$!
set -e
echo "==> ctest: integration tests (build/), in the background: output follows the ThreadSanitizer step"

# One clang build (build-fuzz/, ASan+UBSan with libFuzzer coverage) serves
# both the unit tests under sanitizers and the fuzz targets.
step "sanitizer build (clang, ASan+UBSan): unit tests under sanitizers, then bounded fuzzing" \
  env RS_FUZZ_UNIT_TESTS=1 scripts/fuzz.sh || status=1

step "ThreadSanitizer (build-tsan/, clang): tests that use threads (ctest -L tsan)" tsan || status=1

t0=$SECONDS
integration_rc=0
wait "$integration_pid" || integration_rc=$?
printf '\n==> ctest: integration tests (build/)\n'
cat "$integration_log"
read -r wall cpu <"$timing_file.integration"
record "$(printf 'ctest: integration tests (build/): %d s wall, %d s CPU (beside the sanitizer steps; %d s waited for after them)' \
  "$wall" "$cpu" $((SECONDS - t0)))" "$integration_rc"
[ "$integration_rc" = 0 ] || status=1

child_cpu  # PostgreSQL and Azurite run detached: not counted
printf '\n==> timings (total %d s wall, %d s CPU)\n' $((SECONDS - start)) "$total_cpu"
printf '    %s\n' "${timings[@]}"
if [ "$status" = 0 ]; then printf '\n==> all tests passed\n'; else printf '\n==> TESTS FAILED\n'; fi
exit "$status"
