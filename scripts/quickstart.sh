#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine, install what the
# job needs, build the `ranking-signals` binary alone (Release), then run the
# ranking job end to end on a local lake under ./out/lake with generated sample
# data and a throwaway local PostgreSQL, so the dual write is visible. Prints a
# few lines; the job's own logs go to out/quickstart.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT_DIR:-$root/out}
lake=$out/lake
services=$out/services
log=$out/quickstart.log
build_dir=${BUILD_DIR:-build-release}
mkdir -p "$out"
echo "==> installing what the job needs and building it (a few minutes the first time)"
BUILD_DIR=$build_dir scripts/setup.sh --job
bin=$build_dir/src/cli/ranking-signals
rm -rf "$lake"; mkdir -p "$lake" "$services"
: >"$log"

scripts/services/pg.sh start "$services" >>"$log" 2>&1
trap 'scripts/services/pg.sh stop "$services" >>"$log" 2>&1' EXIT
set -a; . "$services/pg.env"; set +a
export POSTGRES_DSN="$RS_TEST_PG_DSN"

step() {  # step "what" command...: runs it with its logs in $log, stops on failure
  local what=$1; shift
  echo "==> $what"
  if ! "$@" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "quickstart: '$what' failed; the whole log is in $log" >&2
    exit 1
  fi
}
step "migrating a throwaway PostgreSQL" "$bin" migrate
step "writing sample gold data (market_daily, finance_daily) under $lake" \
  "$bin" sample-data --lake "$lake"
step "running the job: rank, materialize, write Delta, replicate to PostgreSQL" \
  "$bin" run --lake "$lake" --months all --output "$out/run.json"
step "verifying PostgreSQL against Delta" "$bin" verify --lake "$lake" --months all
months=$(psql "$POSTGRES_DSN" -X -A -t -c "SELECT count(*) FROM ranking.signal_sync_state WHERE status = 'success'")
rows=$(psql "$POSTGRES_DSN" -X -A -t -c "SELECT count(*) FROM ranking.ranking_signal")
echo
echo "Delta lake:     $lake (platinum/rankings, platinum/signals/ranking_signals, platinum/signals/daily)"
echo "PostgreSQL:     $months months replicated, $rows ranking_signal rows; verify: all in sync"
echo "Run result:     $out/run.json; logs: $log"
echo "Try next:       $bin table history $lake/platinum/rankings --limit 3"
echo "                $bin run --lake $lake --months latest --dry-run"
echo "                $bin --help"
echo "(the throwaway PostgreSQL stops now; the lake stays in $lake)"
