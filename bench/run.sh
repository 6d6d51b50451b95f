#!/usr/bin/env bash
# The benchmark suite in one command (issue 11): our implementation side by
# side with what users would pick instead, measured in the same run.
#
#   bench/run.sh [--quick] [--symbols N] [--years Y] [--repeat K]
#                [--build-dir DIR] [--no-build] [--jobs J] [--work DIR] [--keep]
#                [--out FILE] [--timeout S] [--only SECTIONS]
#
# --only takes a comma-separated subset of the sections market, signals,
# parquet_write, delta, postgres, job (default: all), to re-measure some rows.
#
# Steps: checks the tools (scripts/setup.sh --deps only when one is missing),
# builds Release into build-bench/ (ranking-signals, every bench_* program,
# signals_sample_csv), starts a throwaway PostgreSQL and Azurite (stopped on
# exit), runs bench/suite/suite.py, which prints a markdown table on stdout
# (progress goes to stderr). bench/README.md explains every row.
#
# Exit status: 0 when the suite ran and printed every row (a component that is
# missing or fails prints "n/a (reason)" in its row); 2 for a usage error;
# 1 when the suite itself is broken.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command_line="bench/run.sh${*:+ $*}"

quick=0 symbols="" years="" repeat="" build_dir=build-bench no_build=0 jobs=$(nproc)
work="" keep=0 out="" timeout="" only=""
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
int_value() {
  need_value "$@"
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $1 '$2': expected a positive integer" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --symbols) int_value "$@"; symbols=$2; shift 2 ;;
    --years) int_value "$@"; years=$2; shift 2 ;;
    --repeat) int_value "$@"; repeat=$2; shift 2 ;;
    --jobs|-j) int_value "$@"; jobs=$2; shift 2 ;;
    --timeout) int_value "$@"; timeout=$2; shift 2 ;;
    --build-dir) need_value "$@"; build_dir=$2; shift 2 ;;
    --no-build) no_build=1; shift ;;
    --work) need_value "$@"; work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --only) need_value "$@"; only=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
if [ "$quick" = 1 ]; then
  symbols=${symbols:-50} years=${years:-2} repeat=${repeat:-1} timeout=${timeout:-300}
else
  symbols=${symbols:-5000} years=${years:-10} repeat=${repeat:-5} timeout=${timeout:-14400}
fi
[ "$years" -le 50 ] || { echo "run.sh: --years $years: at most 50" >&2; exit 2; }
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac

log() { echo "bench: $*" >&2; }

# --- tools -------------------------------------------------------------------
# scripts/setup.sh --deps runs `npm ci`, which replaces node_modules under
# anyone else using it, so it runs only when something is actually missing.
tools_missing() {
  local m=()
  command -v node >/dev/null || m+=(node)
  [ -f node_modules/@duckdb/node-api/package.json ] || m+=(@duckdb/node-api)
  [ -f node_modules/@azure/storage-blob/package.json ] || m+=(@azure/storage-blob)
  [ -x node_modules/.bin/azurite-blob ] || m+=(azurite)
  /usr/bin/python3 -c 'import psycopg, pandas' 2>/dev/null || m+=(python3-psycopg/pandas)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || m+=(postgresql)
  if [ "$no_build" = 0 ]; then
    command -v cmake >/dev/null || m+=(cmake)
    [ -f /usr/include/benchmark/benchmark.h ] || m+=(libbenchmark-dev)
  fi
  echo "${m[*]}"
}
missing=$(tools_missing)
if [ -n "$missing" ]; then
  log "missing: $missing; running scripts/setup.sh --deps"
  scripts/setup.sh --deps >&2 || log "scripts/setup.sh --deps failed; affected rows will say n/a"
fi
if [ ! -x /usr/bin/time ]; then
  log "installing the 'time' package (/usr/bin/time measures peak RSS)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -qq --no-install-recommends time >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends time >/dev/null; }) ||
      log "could not install time; peak RSS falls back to getrusage"
  else
    log "not root: peak RSS falls back to getrusage"
  fi
fi

# --- build -------------------------------------------------------------------
build_log="$build_dir/bench-build.log"
if [ "$no_build" = 0 ]; then
  mkdir -p "$build_dir"
  generator=()
  [ -f "$build_dir/CMakeCache.txt" ] || { command -v ninja >/dev/null && generator=(-G Ninja); }
  log "configuring Release in $build_dir"
  if cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DRS_BUILD_BENCH=ON \
      -DRS_BENCH_OPTIMIZATION= \
      >"$build_log" 2>&1; then
    targets=(ranking-signals signals_sample_csv)
    while IFS= read -r f; do
      targets+=("bench_$(basename "$f" _benchmark.cc)")
    done < <(ls bench/*_benchmark.cc 2>/dev/null)
    log "building ${targets[*]} (-j$jobs; log: $build_log)"
    # Keep going past a broken target: its rows say n/a, the others still run.
    for t in "${targets[@]}"; do
      cmake --build "$build_dir" -j"$jobs" --target "$t" >>"$build_log" 2>&1 ||
        { log "build of $t failed"; echo "$t" >>"$build_dir/bench-build.failed"; }
    done
  else
    log "cmake configure failed (see $build_log); rows needing our binaries will say n/a"
  fi
fi

# --- services ----------------------------------------------------------------
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/rs-bench.XXXXXX)
else
  mkdir -p "$work"
fi
work=$(cd "$work" && pwd)
services="$work/services"
mkdir -p "$services"
cleanup() {
  scripts/services/pg.sh stop "$services" >/dev/null 2>&1 || true
  scripts/services/azurite.sh stop "$services" >/dev/null 2>&1 || true
  if [ "$keep" = 0 ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_env="" azurite_env=""
if scripts/services/pg.sh start "$services" >"$work/pg-start.log" 2>&1; then
  pg_env="$services/pg.env"
else
  log "PostgreSQL did not start: $(tail -n 1 "$work/pg-start.log")"
fi
if scripts/services/azurite.sh start "$services" >"$work/azurite-start.log" 2>&1; then
  azurite_env="$services/azurite.env"
else
  log "Azurite did not start: $(tail -n 1 "$work/azurite-start.log")"
fi

# --- measure -----------------------------------------------------------------
failed_targets=""
[ "$no_build" = 0 ] && [ -f "$build_dir/bench-build.failed" ] &&
  failed_targets=$(sort -u "$build_dir/bench-build.failed" | tr '\n' ',') &&
  rm -f "$build_dir/bench-build.failed"
args=(--root "$root" --build-dir "$build_dir" --work "$work" --symbols "$symbols" --years "$years"
      --repeat "$repeat" --timeout "$timeout" --failed-targets "$failed_targets"
      --command "$command_line")
[ "$quick" = 1 ] && args+=(--quick)
[ -n "$pg_env" ] && args+=(--pg-env "$pg_env")
[ -n "$azurite_env" ] && args+=(--azurite-env "$azurite_env")
[ -n "$out" ] && args+=(--out "$out")
[ -n "$only" ] && args+=(--only "$only")
/usr/bin/python3 bench/suite/suite.py "${args[@]}"
