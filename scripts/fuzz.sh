#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzzer.cc) with clang into build-fuzz/
# and runs each for a bounded time on a temporary copy of its seed corpus
# (fuzz/corpus/<target>/; the committed corpus never grows). Prints the
# executions per target and exits non-zero if any target crashes, leaks,
# times out or runs out of memory; the offending input is kept under
# build-fuzz/fuzz-artifacts/<target>/ and its path printed. Targets whose
# module libraries do not build with clang yet are listed as skipped
# (fuzz/README.md, "Missing").
#
# Environment (all optional):
#   RS_FUZZ_SECONDS   seconds per target (default 8; six targets, about 30 s
#                     on 2 cores)
#   RS_FUZZ_PARALLEL  targets run at once (default: nproc)
#   RS_FUZZ_TARGETS   space-separated subset of targets to run (default: all)
#   RS_FUZZ_BUILD_DIR build tree (default: build-fuzz, or build-fuzz-strict)
#   RS_FUZZ_JOBS      build parallelism (default: nproc)
#   RS_FUZZ_CC, RS_FUZZ_CXX  compilers (default clang-14, clang++-14)
#   RS_FUZZ_STRICT=1  also check the invariants of known, unfixed findings
#                     (fuzz/README.md "Known findings"); expected to fail until fixed
#   RS_FUZZ_UNIT_TESTS=1  also build the unit tests in the same instrumented
#                     tree and run them (ctest -L unit) under ASan+UBSan before
#                     fuzzing: one clang build serves both (scripts/test.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${RS_FUZZ_SECONDS:-8}
jobs=${RS_FUZZ_JOBS:-$(nproc)}
cc=${RS_FUZZ_CC:-clang-14}
cxx=${RS_FUZZ_CXX:-clang++-14}

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found; libFuzzer needs clang (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi

# The whole tree is instrumented so the module libraries report coverage to
# libFuzzer; fuzz/CMakeLists.txt adds -fsanitize=fuzzer to the fuzzers' link.
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
strict=OFF
build=${RS_FUZZ_BUILD_DIR:-$root/build-fuzz}
if [ "${RS_FUZZ_STRICT:-0}" = 1 ]; then
  strict=ON
  build=${RS_FUZZ_BUILD_DIR:-$root/build-fuzz-strict}
  export RS_FUZZ_DSN_STRICT=1
fi
# lld links the instrumented programs faster than ld.bfd (scripts/setup.sh installs lld-14).
ld_flags=""
if command -v ld.lld-14 >/dev/null || command -v ld.lld >/dev/null; then ld_flags="-fuse-ld=lld"; fi
echo "==> configure $build ($cxx)"
# Line tables only: enough for sanitizer stack traces, far cheaper to build
# and link than full debug info. -O1, as the sanitizers' documentation
# advises: reasonable speed, clear stack traces, and a much faster build.
# The test programs' own code at -O0 (RS_TEST_OPTIMIZATION): GoogleTest-heavy,
# not where the bugs are looked for, and a third cheaper to compile; and
# without libFuzzer's coverage instrumentation (RS_TEST_COMPILE_FLAGS), which
# only the code a fuzz target reaches needs: about 30% less to compile.
# The modules no fuzz target reaches (cli, job, postgres) and storage, which
# only delta_checkpoint_fuzzer's in-memory store touches, at -O0
# (RS_O0_LIBRARIES): they compile in about 55% of the time (a unity batch of
# rs_cli 45 s -> 25 s, rs_job 37 s -> 21 s) and their tests mostly wait on
# files and processes.
CC=$cc CXX=$cxx cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DRS_BUILD_FUZZ=ON -DRS_BUILD_BENCH=OFF -DRS_FUZZ_STRICT=$strict \
  -DRS_TEST_OPTIMIZATION=-O0 -DRS_O0_LIBRARIES="rs_cli;rs_job;rs_postgres;rs_storage" \
  -DRS_TEST_COMPILE_FLAGS="-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table" \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined $ld_flags" >/dev/null
# fuzz/CMakeLists.txt lists the targets it could enable; a target whose module
# libraries do not build with clang yet is skipped there, with the reason.
if [ -s "$build/fuzz/skipped.txt" ]; then
  sed 's/^/==> skipped: /' "$build/fuzz/skipped.txt"
fi
targets=${RS_FUZZ_TARGETS:-$(cat "$build/fuzz/targets.txt")}
if [ -z "$targets" ]; then
  echo "fuzz.sh: no fuzz targets enabled"
  exit 0
fi
unit_targets=""
if [ "${RS_FUZZ_UNIT_TESTS:-0}" = 1 ]; then
  # rs_unit_tests: every unit test program and the helper programs they run.
  unit_targets=rs_unit_tests
  echo "==> build fuzz targets and the unit tests (rs_unit_tests)"
else
  echo "==> build fuzz targets: $(echo $targets)"
fi
build_log=$build/fuzz-build.log
# shellcheck disable=SC2086  # one --target per name
if ! cmake --build "$build" -j"$jobs" $(printf -- '--target %s ' $targets $unit_targets) >"$build_log" 2>&1; then
  grep -E -A3 'error|FAILED' "$build_log" | head -n 80
  echo "fuzz.sh: building failed; full log: $build_log" >&2
  exit 1
fi

unit_status=0
if [ -n "$unit_targets" ]; then
  echo "==> ctest: unit tests under ASan+UBSan ($build)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$build" -L unit --output-on-failure -j"$jobs" || unit_status=1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rs-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Targets run $fuzz_jobs at a time (RS_FUZZ_PARALLEL, default nproc), each
# still for $seconds; results are reported in target order.
fuzz_jobs=${RS_FUZZ_PARALLEL:-$(nproc)}
fuzz_one() {
  local t=$1 bin=$build/fuzz/$1 corpus=$work/$1 artifacts=$build/fuzz-artifacts/$1 rc=0
  local dict=()
  if [ -f "fuzz/$t.dict" ]; then dict=(-dict="fuzz/$t.dict"); fi
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" >"$work/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$t.rc"
}
running=0
for t in $targets; do
  corpus=$work/$t
  mkdir -p "$corpus" "$build/fuzz-artifacts/$t"
  if [ -d "fuzz/corpus/$t" ]; then cp -R "fuzz/corpus/$t/." "$corpus/"; fi
  echo "==> $t: ${seconds}s on a copy of fuzz/corpus/$t ($(ls "$corpus" | wc -l) seeds)"
  if [ "$running" -ge "$fuzz_jobs" ]; then wait -n || true; running=$((running - 1)); fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait

failed=()
summary=()
for t in $targets; do
  bin=$build/fuzz/$t
  log=$work/$t.log
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo "?")
  execs=$(awk '/stat::number_of_executed_units:/ {n = $2} END {print n + 0}' "$log")
  if [ "$rc" = 0 ]; then
    summary+=("$(printf '%-24s ok      %10s executions' "$t" "$execs")")
  else
    failed+=("$t")
    summary+=("$(printf '%-24s FAILED  %10s executions (exit %s)' "$t" "$execs" "$rc")")
    echo "---- $t failed (exit $rc); last lines of its log:"
    tail -n 60 "$log"
    grep -h "Test unit written to" "$log" | sed 's/^/---- reproducer: /' || true
    echo "---- reproduce with: $bin <input>"
  fi
done

echo "==> fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" != 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
if [ "$unit_status" != 0 ]; then
  echo "fuzz.sh: unit tests under ASan+UBSan FAILED (see above)" >&2
  exit 1
fi
