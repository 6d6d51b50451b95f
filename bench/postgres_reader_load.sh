#!/usr/bin/env bash
# Readers during a full rebuild (issue 23): pgbench clients on loopback run
# the serving queries readers run, at a bounded rate for a bounded time,
# while `ranking-signals run --months all` rewrites every month and swaps
# each one in as a partition. Prints the readers' latency (p50, p99) and the
# longest stall (the slowest query) during the rebuild, next to the lock
# timeout the swaps wait under (POSTGRES_SIGNALS_LOCK_TIMEOUT_MS, default
# 2000 ms).
#
#   scripts/services/pg.sh start /tmp/rs-bench-pg && . /tmp/rs-bench-pg/pg.env
#   RS_BENCH_PG_DSN=$RS_TEST_PG_DSN bench/postgres_reader_load.sh BINARY WORKDIR
#
# Environment (optional): SYMBOLS (default 5000), START and END of the sample
# data (default 2023-01-01..2024-12-31: 24 months), CLIENTS (default 2), RATE
# (transactions per second of all clients together, default 20).
# The queries, chosen at random per transaction:
#   point (weight 9): one symbol's rows on one date, all strategies;
#   top50 (weight 1): a date's top 50 by rank for one strategy.
# The DSN must be a superuser URI ending in /dbname; the program creates and
# drops the database rs_bench_readers next to it.
set -euo pipefail
binary=$(realpath "${1:?usage: postgres_reader_load.sh BINARY WORKDIR}")
work=${2:?usage: postgres_reader_load.sh BINARY WORKDIR}
dsn=${RS_BENCH_PG_DSN:?set RS_BENCH_PG_DSN (superuser URI ending in /dbname)}
symbols=${SYMBOLS:-5000}
start=${START:-2023-01-01}
end=${END:-2024-12-31}
clients=${CLIENTS:-2}
rate=${RATE:-20}
lock_timeout_ms=${POSTGRES_SIGNALS_LOCK_TIMEOUT_MS:-2000}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbench" ] || { echo "postgres_reader_load.sh: pgbench not found (apt-get install postgresql)" >&2; exit 1; }

db=rs_bench_readers
dbdsn="${dsn%/*}/$db"
mkdir -p "$work"
work=$(realpath "$work")
psql -X -q "$dsn" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export POSTGRES_DSN=$dbdsn
"$binary" migrate --quiet
lake=$work/lake
if [ ! -d "$lake/gold/market_daily/_delta_log" ]; then
  "$binary" sample-data --quiet --lake "$lake" --symbols "$symbols" --start "$start" --end "$end"
fi

now() { date +%s.%N; }
t0=$(now)
"$binary" run --quiet --lake "$lake" --months all >/dev/null
t1=$(now)
fill=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "first fill (run --months all): $fill s"

# Keys the readers pick from: 10,000 (symbol, date) pairs of the served rows
# and every served date with one strategy.
psql -X -q -v ON_ERROR_STOP=1 "$dbdsn" <<'SQL'
CREATE SCHEMA bench;
CREATE TABLE bench.keys AS
  SELECT row_number() OVER () AS i, symbol, date
    FROM (SELECT symbol, date FROM ranking.composite_signal_daily
           ORDER BY random() LIMIT 10000) k;
CREATE TABLE bench.dates AS
  SELECT row_number() OVER (ORDER BY date) AS i, date,
         (SELECT min(strategy) FROM ranking.ranking_signal) AS strategy
    FROM (SELECT DISTINCT date FROM ranking.composite_signal_daily) d;
ALTER TABLE bench.keys ADD PRIMARY KEY (i);
ALTER TABLE bench.dates ADD PRIMARY KEY (i);
SQL
ndates=$(psql -X -qAt "$dbdsn" -c "SELECT count(*) FROM bench.dates")
nkeys=$(psql -X -qAt "$dbdsn" -c "SELECT count(*) FROM bench.keys")
cat >"$work/point.sql" <<SQL
\set k random(1, $nkeys)
SELECT r.* FROM bench.keys k JOIN ranking.ranking_signal r ON r.symbol = k.symbol AND r.date = k.date WHERE k.i = :k;
SQL
cat >"$work/top50.sql" <<SQL
\set d random(1, $ndates)
SELECT r.symbol, r.rank FROM bench.dates d JOIN ranking.ranking_signal r ON r.date = d.date AND r.strategy = d.strategy WHERE d.i = :d ORDER BY r.rank LIMIT 50;
SQL

# pgbench runs a little longer than the first fill took; the rebuild starts
# 2 s after it. Only transactions that end inside the rebuild are counted.
duration=$(awk -v f="$fill" 'BEGIN { printf "%d", f * 1.5 + 10 }')
rm -f "$work"/pgbench_log.*
(cd "$work" && "$pgbench" -n -c "$clients" -j "$clients" -R "$rate" -T "$duration" -l \
  -f point.sql@9 -f top50.sql@1 "$dbdsn" >"$work/pgbench.out" 2>&1) &
pgbench_pid=$!
sleep 2
r0=$(now)
"$binary" run --quiet --lake "$lake" --months all >/dev/null
r1=$(now)
wait "$pgbench_pid" || { cat "$work/pgbench.out" >&2; exit 1; }
months=$(psql -X -qAt "$dbdsn" -c "SELECT count(*) FROM ranking.signal_sync_state WHERE status = 'success'")

# Per-transaction log lines: client_id transaction_no time_us script_no
# time_epoch time_us_of_second schedule_lag_us. Under --rate, "time" counts
# from the transaction's scheduled start; a client that fell behind its
# schedule (the machine busy) adds that lag, so the lag is taken out: what is
# left is the query's own time from sending it to its last row, the stall a
# reader sees.
cat "$work"/pgbench_log.* | awk -v a="$r0" -v b="$r1" '{
    end_s = $5 + $6 / 1e6
    if (end_s >= a && end_s <= b) print ($3 - $7) / 1000.0, $4, $7 / 1000.0 }' >"$work/latencies.txt"
n=$(wc -l <"$work/latencies.txt")
[ "$n" -gt 0 ] || { echo "postgres_reader_load.sh: no reader transaction ended during the rebuild" >&2; exit 1; }
stats() {  # stats LABEL [SCRIPT_NO]: count, p50, p99, max in ms
  awk -v s="${2:-}" 's == "" || $2 == s { print $1 }' "$work/latencies.txt" | sort -n | awk -v l="$1" '
    { v[NR] = $1 }
    END { if (NR == 0) exit
          p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
          printf "| %s | %d | %.2f | %.2f | %.1f |\n", l, NR, p50, p99, v[NR] }'
}
rebuild=$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.1f", b - a }')
max_lag=$(sort -k3 -n "$work/latencies.txt" | tail -n 1 | awk '{ printf "%.0f", $3 }')
echo
echo "readers during a full rebuild: run --months all, $months months at $symbols symbols,"
echo "$rebuild s; $clients pgbench clients at $rate transactions/s in all; lock timeout $lock_timeout_ms ms;"
echo "latency = a query's own time (its schedule lag under --rate taken out; the largest lag was $max_lag ms)"
echo
echo "| queries | transactions | p50 ms | p99 ms | longest stall ms |"
echo "|---|---|---|---|---|"
stats "all"
stats "point: a symbol on a date" 0
stats "top 50 of a date, one strategy" 1
longest=$(sort -n "$work/latencies.txt" | tail -n 1 | awk '{ print $1 }')
awk -v m="$longest" -v t="$lock_timeout_ms" 'BEGIN {
  printf "\nlongest stall %.1f ms: %s the lock timeout (%d ms)\n", m, (m < t ? "under" : "NOT under"), t
  exit (m < t ? 0 : 1) }'
psql -X -q "$dsn" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
