#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine, set up, then run the
# ranking job end to end on the embedded default: a local lake under ./out/lake,
# generated sample data, and a throwaway local PostgreSQL so the dual write is
# visible. Prints where the output is and a short summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
bin=build/src/cli/ranking-signals
out=${OUT_DIR:-$root/out}
lake=$out/lake
services=$out/services
rm -rf "$lake"; mkdir -p "$lake" "$services"

scripts/services/pg.sh start "$services" >/dev/null
trap 'scripts/services/pg.sh stop "$services"' EXIT
set -a; . "$services/pg.env"; set +a
export POSTGRES_DSN="$RS_TEST_PG_DSN"

echo "==> migrate PostgreSQL"
"$bin" migrate
echo "==> generate sample gold data under $lake"
"$bin" sample-data --lake "$lake"
echo "==> run the ranking job (rank, materialize, write Delta, replicate to PostgreSQL)"
"$bin" run --lake "$lake" --months all
echo "==> verify Delta against PostgreSQL"
"$bin" verify --lake "$lake" --months all
echo
echo "Delta tables:   $lake/platinum/rankings, $lake/platinum/signals/ranking_signals, $lake/platinum/signals/daily"
echo "Inspect:        $bin table info $lake/platinum/signals/ranking_signals"
echo "PostgreSQL:     ranking.ranking_signal, ranking.composite_signal_daily, ranking.signal_sync_state"
psql "$POSTGRES_DSN" -X -q -c "SELECT year_month, status, signals_rows, composite_rows, synced_at FROM ranking.signal_sync_state ORDER BY year_month DESC LIMIT 5"
echo "(the throwaway PostgreSQL is stopped on exit; the lake stays in $lake)"
