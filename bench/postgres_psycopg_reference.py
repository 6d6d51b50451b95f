#!/usr/bin/python3
"""Reference for bench_postgres_replace: the Python predecessor's replication
design, replacing one month with psycopg 3 `cursor.copy()` + `copy.write_row`
fed from a pandas DataFrame (text COPY, one Python call per row).

Debian python3 (python3-psycopg, python3-pandas): /usr/bin/python3, not a pyenv shim.

Same shape as the C++ benchmark: 630,000 ranking_signal rows (21 days x 5,000
symbols x 6 strategies, every 7th score NULL) and 105,000 composite rows,
DELETE of the month, both COPYs and the ledger upsert in one transaction.

    scripts/services/pg.sh start /tmp/rs-bench-pg && . /tmp/rs-bench-pg/pg.env
    build/bench/bench_postgres_replace --benchmark_filter=ReplaceMonth  # migrates the database
    RS_BENCH_PG_DSN=$RS_TEST_PG_DSN /usr/bin/python3 bench/postgres_psycopg_reference.py [--iterations 3]
"""
import argparse
import datetime as dt
import os
import sys
import time

import numpy as np
import pandas as pd
import psycopg

MONTH = "2024-03"
DAYS, SYMBOLS, STRATEGIES = 21, 5000, 6


def symbol_names():
    return ["\u00c4PFEL-\u65e5\u672c"] + [f"SYM{i:05d}" for i in range(1, SYMBOLS)]


def make_frames():
    dates = [dt.date(2024, 3, d) for d in range(1, DAYS + 1)]
    syms = symbol_names()
    n = DAYS * STRATEGIES * SYMBOLS
    row = np.arange(n)
    i = row % SYMBOLS
    signals = pd.DataFrame({
        "date": np.repeat(dates, STRATEGIES * SYMBOLS),
        "year_month": MONTH,
        "symbol": np.tile(syms, DAYS * STRATEGIES),
        "strategy": np.tile(np.repeat([f"Strategy_{s}" for s in range(STRATEGIES)], SYMBOLS), DAYS),
        "rank": (i + 1).astype("int32"),
        "rank_percentile": 1.0 - i / (SYMBOLS - 1),
        "n_symbols": np.int32(SYMBOLS),
        "score": np.where(row % 7 == 3, np.nan, 0.002 * (row % 997) - 0.3),
    })
    j = np.arange(DAYS * SYMBOLS) % SYMBOLS
    composite = pd.DataFrame({
        "date": np.repeat(dates, SYMBOLS),
        "year_month": MONTH,
        "symbol": np.tile(syms, DAYS),
        "composite_percentile": ((j * 7919 + 1) % 1000) / 999.0,
        "strategies_present": np.int32(6),
        "strategies_hit": ((j + 1) % 7).astype("int32"),
        "composite_rank": (j + 1).astype("int32"),
    })
    return signals, composite


def copy_frame(cur, table, frame):
    # The predecessor's loop: NaN -> None, then one write_row per tuple.
    records = frame.astype(object).where(pd.notna(frame), None)
    cols = ", ".join(frame.columns)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for rec in records.itertuples(index=False, name=None):
            copy.write_row(rec)


def replace_month(conn, signals, composite):
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM ranking.ranking_signal WHERE year_month = %s", (MONTH,))
        cur.execute("DELETE FROM ranking.composite_signal_daily WHERE year_month = %s", (MONTH,))
        copy_frame(cur, "ranking.ranking_signal", signals)
        copy_frame(cur, "ranking.composite_signal_daily", composite)
        cur.execute(
            "INSERT INTO ranking.signal_sync_state (year_month, synced_at, signals_rows,"
            " composite_rows, status) VALUES (%s, now(), %s, %s, 'success')"
            " ON CONFLICT (year_month) DO UPDATE SET synced_at = now(),"
            " signals_rows = EXCLUDED.signals_rows, composite_rows = EXCLUDED.composite_rows,"
            " status = 'success', error = NULL",
            (MONTH, len(signals), len(composite)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=3)
    args = ap.parse_args()
    dsn = os.environ.get("RS_BENCH_PG_DSN")
    if not dsn:
        sys.exit("set RS_BENCH_PG_DSN")
    signals, composite = make_frames()
    rows = len(signals) + len(composite)
    with psycopg.connect(dsn, autocommit=True) as conn:
        times, cpu = [], []
        for _ in range(args.iterations):
            start, start_cpu = time.perf_counter(), time.process_time()
            replace_month(conn, signals, composite)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            conn.execute("VACUUM ranking.ranking_signal")
            conn.execute("VACUUM ranking.composite_signal_daily")
    mean = sum(times) / len(times)
    print(f"psycopg write_row replace month: rows={rows} iterations={len(times)} "
          f"mean_s={mean:.3f} min_s={min(times):.3f} rows_per_s={rows / mean:,.0f} "
          f"client_cpu_s={sum(cpu) / len(cpu):.3f}")


if __name__ == "__main__":
    main()
