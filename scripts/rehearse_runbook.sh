#!/usr/bin/env bash
# Rehearses every step of the runbook in docs/operations.md ("Runbook") on a
# small sample lake and a throwaway PostgreSQL, printing each command, the end
# of its output and its exit code. Usage: scripts/rehearse_runbook.sh [BINARY]
# (default build/src/cli/ranking-signals). Takes about 15 s.
set -uo pipefail
B=${1:-$(dirname "$0")/../build/src/cli/ranking-signals}
B=$(realpath "$B")
cd "$(dirname "$0")/.."
R=${RUNBOOK_DIR:-$(mktemp -d)}; rm -rf $R; mkdir -p $R
scripts/services/pg.sh start $R/pg >/dev/null
trap 'scripts/services/pg.sh stop $R/pg >/dev/null' EXIT
set -a; . $R/pg/pg.env; set +a
export POSTGRES_DSN="$RS_TEST_PG_DSN" RANKING_MIGRATIONS_DIR=$PWD/deploy/sql/postgres/migrations
x() { echo "\$ $*"; "$@" >$R/out 2>$R/err; rc=$?; tail -n 4 $R/out | cut -c1-200; grep -E "WARN|ERROR|summary: |replication:" $R/err | cut -c1-220 | tail -n 4; echo "(exit $rc)"; }
LAKE=$R/lake
x $B migrate
x $B sample-data --lake $LAKE --symbols 30 --start 2023-01-02 --end 2024-03-31
x $B run --lake $LAKE --months all
echo "## verify exited 3"
psql "$POSTGRES_DSN" -X -q -c "DELETE FROM ranking.ranking_signal WHERE (tableoid, ctid) IN (SELECT tableoid, ctid FROM ranking.ranking_signal WHERE year_month='2024-01' LIMIT 3)"
x $B verify --lake $LAKE
x $B sync --lake $LAKE --dry-run
x $B sync --lake $LAKE
x $B verify --lake $LAKE
echo "## best effort run, then heal"
POSTGRES_DSN="postgresql://u:p@127.0.0.1:1/x?connect_timeout=2" POSTGRES_SIGNALS_WRITE_REQUIRED=false x $B run --lake $LAKE --months 2024-03
x $B verify --lake $LAKE --months 2024-03
x $B sync --lake $LAKE
echo "## rebuild PostgreSQL from Delta"
psql "$POSTGRES_DSN" -X -q -c "CREATE DATABASE rebuilt"
NEW_DSN="${POSTGRES_DSN%/*}/rebuilt"
POSTGRES_DSN="$NEW_DSN" x $B migrate
POSTGRES_DSN="$NEW_DSN" x $B sync --lake $LAKE
POSTGRES_DSN="$NEW_DSN" x $B verify --lake $LAKE
echo "## backfill with shards"
x $B run --lake $LAKE --months all --shard 0/2 &
x $B run --lake $LAKE --months all --shard 1/2
wait
x $B verify --lake $LAKE
echo "## rotate the DSN"
psql "$POSTGRES_DSN" -X -q -c "ALTER ROLE $RS_TEST_PG_USER PASSWORD 'rotated-secret-2'"
x $B migrate --status
ROT="postgresql://$RS_TEST_PG_USER:rotated-secret-2@$RS_TEST_PG_HOST:$RS_TEST_PG_PORT/postgres"
POSTGRES_DSN="$ROT" x $B migrate --status
POSTGRES_DSN="$ROT" x $B verify --lake $LAKE
psql "$ROT" -X -q -c "ALTER ROLE $RS_TEST_PG_USER PASSWORD '$RS_TEST_PG_PASSWORD'"
echo "## move the lake"
cp -r $LAKE $R/lake2
x $B verify --lake $R/lake2
x $B sync --lake $R/lake2
x $B verify --lake $R/lake2
echo "## vacuum schedule"
x $B table vacuum $LAKE/platinum/rankings --dry-run
x $B table vacuum $LAKE/platinum/rankings --retain-hours 0 --force --dry-run
echo "## shard claims"
x $B run --lake $LAKE --months all --shard auto/2 --shard-group backfill-1 --shard-owner a
ls -R $LAKE/_ranking_jobs 2>&1 | head
