#!/usr/bin/env bash
# The readers' access paths before and after migration 0005 (partitions) and
# 0008 (BRIN on year_month), on
# a small prefilled database: MONTHS months (default 12) of SYMBOLS symbols
# (default 500) x 6 strategies x 21 days. Prints, per query, the plan's top
# nodes and the median execution time of 5 warm EXPLAIN ANALYZE runs.
#   scripts/services/pg.sh start /tmp/rs-bench-pg && . /tmp/rs-bench-pg/pg.env
#   RS_BENCH_PG_DSN=$RS_TEST_PG_DSN bench/postgres_reader_paths.sh
set -euo pipefail
dsn=${RS_BENCH_PG_DSN:?set RS_BENCH_PG_DSN (superuser URI ending in /dbname)}
months=${MONTHS:-12}
symbols=${SYMBOLS:-500}
here=$(cd "$(dirname "$0")/.." && pwd)
db=rs_bench_paths
dbdsn="${dsn%/*}/$db"
psql -X -q "$dsn" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
for f in "$here"/deploy/sql/postgres/migrations/000[1-4]_*.sql; do
  psql -X -q -v ON_ERROR_STOP=1 -1 -f "$f" "$dbdsn" >/dev/null
done
psql -X -q -v ON_ERROR_STOP=1 "$dbdsn" <<SQL
INSERT INTO ranking.ranking_signal
SELECT d, to_char(d, 'YYYY-MM'), 'SYM' || lpad(s::text, 5, '0'), 'Strategy_' || k, s,
       1 - s / $symbols.0, $symbols, s * 0.001
  FROM generate_series(0, $months - 1) m, generate_series(1, 21) day,
       LATERAL (SELECT (DATE '2020-01-01' + make_interval(months => m)
                        + make_interval(days => day - 1))::date AS d) x,
       generate_series(1, $symbols) s, generate_series(1, 6) k;
INSERT INTO ranking.composite_signal_daily
SELECT d, to_char(d, 'YYYY-MM'), 'SYM' || lpad(s::text, 5, '0'), s / $symbols.0, 6, s % 7, s
  FROM generate_series(0, $months - 1) m, generate_series(1, 21) day,
       LATERAL (SELECT (DATE '2020-01-01' + make_interval(months => m)
                        + make_interval(days => day - 1))::date AS d) x,
       generate_series(1, $symbols) s;
VACUUM ANALYZE;
SQL

queries=(
  "by date range|SELECT * FROM ranking.ranking_signal WHERE date BETWEEN '2020-03-02' AND '2020-03-06'"
  "by symbol + date range|SELECT * FROM ranking.ranking_signal WHERE symbol = 'SYM00042' AND date BETWEEN '2020-01-01' AND '2020-06-30'"
  "by year_month|SELECT * FROM ranking.ranking_signal WHERE year_month = '2020-05'"
  "top 20 of a date, one strategy|SELECT symbol, rank FROM ranking.ranking_signal WHERE date = '2020-04-02' AND strategy = 'Strategy_1' ORDER BY rank LIMIT 20"
  "composite by symbol + date range|SELECT * FROM ranking.composite_signal_daily WHERE symbol = 'SYM00042' AND date BETWEEN '2020-01-01' AND '2020-06-30'"
)

measure() {
  local label=$1
  for q in "${queries[@]}"; do
    local name=${q%%|*} sql=${q#*|} times=() plan
    for i in 1 2 3 4 5 6; do
      out=$(psql -X -At "$dbdsn" -c "EXPLAIN (ANALYZE, COSTS OFF) $sql")
      [ "$i" = 1 ] && plan=$(grep -v -e 'Planning Time' -e 'Execution Time' <<<"$out" | head -4 | sed 's/ (actual.*//' | tr -s ' ' | paste -sd'/' -)
      [ "$i" -gt 1 ] && times+=("$(sed -n 's/Execution Time: \([0-9.]*\) ms/\1/p' <<<"$out")")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
    printf '%s | %s | %s ms | %s\n' "$label" "$name" "$median" "$plan"
  done
}

measure "before (0004)"
apply() {
  for f in "$@"; do
    start=$(date +%s.%N)
    psql -X -q -v ON_ERROR_STOP=1 -1 -f "$f" "$dbdsn" >/dev/null
    echo "applied $(basename "$f") in $(echo "$(date +%s.%N) - $start" | bc) s"
  done
  psql -X -q "$dbdsn" -c "VACUUM ANALYZE"
}
apply "$here"/deploy/sql/postgres/migrations/000[5-7]_*.sql
measure "after (0005, btree on year_month)"
apply "$here"/deploy/sql/postgres/migrations/0008_*.sql
measure "after (0008, BRIN on year_month)"
[ -n "${KEEP:-}" ] || psql -X -q "$dsn" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
