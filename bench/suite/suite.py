#!/usr/bin/python3
"""The measuring half of bench/run.sh: runs every comparison of issue 11 and
prints one markdown table (stdout; progress on stderr).

bench/run.sh prepares the binaries and services and calls this with their
locations; bench/README.md explains each row. Python standard library only.

Every row is printed. A component that is missing, fails or does not fit the
requested sizes prints "n/a (reason)" in its row; this script exits non-zero
only when it cannot work at all (bad arguments, unwritable work directory).
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# (id, side, comparison, implementation): the rows, in print order. The smoke
# test (tests/integration/bench_smoke_integration_test.cc) checks each (id, side).
ROWS = [
    ("1.1", "ours", "generate market_daily (Delta, Parquet snappy)", "ranking-signals sample-data"),
    ("1.1", "theirs", "generate market_daily (Delta, Parquet snappy)",
     "DuckDB COPY ... PARTITION_BY year_month (same rows, write only)"),
    ("1.2", "ours", "scan market_daily, 4 columns, all files",
     "ranking-signals table scan --columns date,symbol,close,volume"),
    ("1.2", "theirs", "scan market_daily, 4 columns, all files",
     "DuckDB count(*), sum(close), sum(volume), count(DISTINCT symbol)"),
    ("1.3", "ours", "read one Parquet file, 4 columns", "bench_parquet_read (2 threads)"),
    ("1.3", "theirs", "read one Parquet file, 4 columns", "DuckDB CREATE TEMP TABLE AS SELECT 4 columns"),
    ("2.1", "ours", "signals, all months, in memory", "bench_signals_engine AllMonthsBothStages/2"),
    ("2.1", "theirs", "signals, all months, in memory", "bench/signals_duckdb.mjs (SIGNALS.md SQL)"),
    ("2.2", "ours", "signals, latest month, in memory", "bench_signals_engine LatestBothStages/2"),
    ("2.2", "theirs", "signals, latest month, in memory", "bench/signals_duckdb.mjs (SIGNALS.md SQL)"),
    ("2.3", "ours", "signals, all months, Parquet lake in and out",
     "ranking-signals run --months all (no PostgreSQL)"),
    ("2.3", "theirs", "signals, all months, Parquet lake in and out",
     "DuckDB read_parquet + SIGNALS.md SQL + COPY PARTITION_BY"),
    ("3.1", "ours", "write Parquet: one ranking_signal month, snappy",
     "bench_parquet_write codec:1"),
    ("3.1", "theirs", "write Parquet: one ranking_signal month, snappy",
     "bench/parquet_write_duckdb.mjs (DuckDB COPY TO)"),
    ("4.1", "ours", "Delta commit, one month overwrite, local disk",
     "bench_delta_commit CommitOneMonthOverwrite"),
    ("4.2", "ours", "Delta commits of run --months latest, local disk",
     "ranking-signals run (summary commit_s, 3 tables)"),
    ("4.3", "ours", "Delta commits of run --months latest, Azurite",
     "ranking-signals run on az:// (summary commit_s, 3 tables)"),
    ("5.1", "ours", "replace one month in PostgreSQL",
     "bench_postgres_replace ReplaceMonth (binary COPY via libpq)"),
    ("5.1", "baseline", "replace one month in PostgreSQL",
     "bench_postgres_replace ServerSideCopyFromFile (COPY FROM file, binary)"),
    ("5.1", "theirs", "replace one month in PostgreSQL",
     "bench/postgres_psycopg_reference.py (psycopg copy.write_row)"),
    ("6.1", "ours", "whole job, one month, replication on", "ranking-signals run --months latest"),
    ("6.2", "ours", "whole job, full rebuild, replication on", "ranking-signals run --months all"),
]

MARKET_COLUMNS = "date,symbol,close,volume"
DEFAULT_SIZE = (5000, 10)  # symbols, years of the default (full) run
SECTIONS = ("market", "signals", "parquet_write", "delta", "postgres", "job")


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class NotAvailable(Exception):
    """A row that cannot be measured; the message is the reason shown."""


class Measure:
    def __init__(self, wall_s, rss_kb, rc, stdout, stderr):
        self.wall_s, self.rss_kb, self.rc = wall_s, rss_kb, rc
        self.stdout, self.stderr = stdout, stderr

    def last_error(self):
        """The last meaningful stderr line (skips DuckDB's "LINE n:" and caret lines)."""
        lines = [l.strip() for l in self.stderr.splitlines()
                 if l.strip(" ^\t") and not re.match(r"\s*LINE \d+:", l)]
        return lines[-1][:200] if lines else f"exit {self.rc}"


class Suite:
    def __init__(self, args):
        self.a = args
        self.root = args.root
        self.work = args.work
        self.results = {}  # (id, side, implementation) -> dict
        self.failed_targets = set(t for t in args.failed_targets.split(",") if t)
        self.pg = read_env(args.pg_env)
        self.azurite = read_env(args.azurite_env)
        self.start = f"{2025 - args.years}-01-01"
        self.end = "2024-12-31"
        self.lake = os.path.join(self.work, "lake")
        self.lake_error = None
        self.market_rows = None
        self.migrated = False
        self.partial = set(SECTIONS) - set(args.only_sections)

    # --- running things ------------------------------------------------------
    def binary(self, name):
        rel = {"ranking-signals": "src/cli/ranking-signals",
               "signals_sample_csv": "tests/signals/signals_sample_csv"}.get(name, f"bench/{name}")
        path = os.path.join(self.a.build_dir, rel)
        if name in self.failed_targets:
            raise NotAvailable(f"build of {name} failed; see {self.a.build_dir}/bench-build.log")
        if not os.access(path, os.X_OK):
            raise NotAvailable(f"{name} not built ({path} missing)")
        return path

    def run(self, cmd, env=None, stdout_path=None, cwd=None):
        """Runs cmd under /usr/bin/time; wall seconds and peak RSS of that process."""
        full_env = dict(os.environ)
        for k, v in (env or {}).items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
        tfile = tempfile.NamedTemporaryFile(dir=self.work, prefix="time.", delete=False).name
        use_time = os.access("/usr/bin/time", os.X_OK)
        wrapped = (["/usr/bin/time", "-o", tfile, "-f", "%e %M"] if use_time else []) + list(cmd)
        out = open(stdout_path, "w") if stdout_path else subprocess.PIPE
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.monotonic()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.PIPE, env=full_env,
                                cwd=cwd or self.root, text=True, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=self.a.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise NotAvailable(f"timed out after {self.a.timeout} s: {os.path.basename(cmd[0])}")
        finally:
            if stdout_path:
                out.close()
        wall = time.monotonic() - t0
        rss_kb = None
        if use_time:
            try:
                fields = open(tfile).read().split()
                wall, rss_kb = float(fields[-2]), int(fields[-1])
            except (OSError, ValueError, IndexError):
                pass
        else:  # ru_maxrss of the largest child so far: exact only if this one is the largest
            rss_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
        os.unlink(tfile)
        return Measure(wall, rss_kb, proc.returncode, stdout or "", stderr or "")

    def run_ok(self, what, cmd, **kw):
        m = self.run(cmd, **kw)
        if m.rc != 0:
            raise NotAvailable(f"{what} failed: {m.last_error()}")
        return m

    def gbench(self, name, bench_filter, env=None, extra=()):
        """Runs a Google Benchmark program; returns ({run_name: [iteration entries]}, Measure)."""
        path = self.binary(name)
        out = os.path.join(self.work, f"{name}.json")
        cmd = [path, f"--benchmark_filter={bench_filter}",
               f"--benchmark_repetitions={self.a.repeat}", "--benchmark_format=json",
               f"--benchmark_out={out}", "--benchmark_out_format=json", *extra]
        m = self.run(cmd, env=env)
        try:
            data = json.load(open(out))
        except (OSError, ValueError):
            raise NotAvailable(f"{name} failed: {m.last_error()}")
        runs = {}
        for b in data.get("benchmarks", []):
            if b.get("run_type", "iteration") == "iteration":
                runs.setdefault(b.get("run_name", b["name"]), []).append(b)
        if m.rc != 0 and not runs:
            raise NotAvailable(f"{name} failed: {m.last_error()}")
        return runs, m

    # --- recording -------------------------------------------------------------
    def record(self, rid, side, impl, fn):
        log(f"[{rid} {side}] {impl}")
        try:
            r = fn()
        except NotAvailable as e:
            r = {"na": str(e)}
        except Exception as e:  # a bug in one measurement must not lose the other rows
            r = {"na": f"suite error: {type(e).__name__}: {e}"}
        self.results[(rid, side, impl)] = r
        log(f"[{rid} {side}] " + (f"n/a: {r['na']}" if "na" in r else f"{r['seconds']:.3f} s"))

    def repeat_cli(self, what, make_cmd, env=None, stdout_path=None, before=None):
        """Runs a command --repeat times; the Measures."""
        ms = []
        for i in range(self.a.repeat):
            if before:
                before(i)
            ms.append(self.run_ok(what, make_cmd(i), env=env, stdout_path=stdout_path))
        return ms

    def prepare_lake(self):
        """Generates the lake without measuring, for runs whose --only leaves out 'market'."""
        try:
            self.run_ok("sample-data", [self.binary("ranking-signals"), "sample-data", "--lake",
                                        self.lake, "--symbols", str(self.a.symbols), "--start",
                                        self.start, "--end", self.end, "--seed", "42"])
        except NotAvailable as e:
            self.lake_error = f"no lake: {e}"

    def lake_ready(self):
        if self.lake_error:
            raise NotAvailable(self.lake_error)
        return self.lake

    # --- sections --------------------------------------------------------------
    def section_market(self):
        self.record("1.1", "ours", ROWS[0][3], self.generate_ours)
        glob = os.path.join(self.lake, "gold/market_daily/*/*.parquet")
        self.record("1.1", "theirs", ROWS[1][3], lambda: self.duck(
            "copy", ["--glob", glob, "--out", os.path.join(self.work, "duck")]))
        self.record("1.2", "ours", ROWS[2][3], self.scan_ours)
        self.record("1.2", "theirs", ROWS[3][3], lambda: self.duck("scan", ["--glob", glob]))
        single = os.path.join(self.work, "market_daily_single.parquet")
        single_error = None
        try:
            self.lake_ready()
            self.duck("single", ["--glob", glob, "--file", single], repeat=False)
        except NotAvailable as e:
            single_error = f"no single file: {e}"

        def read_ours():
            if single_error:
                raise NotAvailable(single_error)
            extra = ["--benchmark_min_time=0.05"] if self.a.quick else []
            runs, m = self.gbench("bench_parquet_read", "BM_ReadMarketDaily4Columns/2/",
                                  env={"RS_BENCH_MARKET_DAILY": single}, extra=extra)
            r = gbench_row(runs, "BM_ReadMarketDaily4Columns/2", m)
            r["rows"] = r["counters"].get("rows")
            r["bytes"] = os.path.getsize(single)
            r["note"] = "file written by DuckDB (all rows, sorted by date, symbol)"
            return r

        def read_theirs():
            if single_error:
                raise NotAvailable(single_error)
            return self.duck("fetch", ["--file", single])
        self.record("1.3", "ours", ROWS[4][3], read_ours)
        self.record("1.3", "theirs", ROWS[5][3], read_theirs)

    def generate_ours(self):
        gen = os.path.join(self.work, "gen")
        try:
            cmd = [self.binary("ranking-signals"), "sample-data", "--lake", gen,
                   "--symbols", str(self.a.symbols), "--start", self.start, "--end", self.end,
                   "--seed", "42", "--log-format", "json"]
            ms = self.repeat_cli("sample-data", lambda i: cmd,
                                 before=lambda i: shutil.rmtree(gen, ignore_errors=True))
        except NotAvailable as e:
            self.lake_error = f"no lake: {e}"
            raise
        shutil.rmtree(self.lake, ignore_errors=True)
        os.rename(gen, self.lake)
        rows = find_key(json_lines(ms[-1].stderr), "market_rows")
        self.market_rows = rows
        return cli_row(ms, rows=rows,
                       bytes_=tree_bytes(os.path.join(self.lake, "gold/market_daily")),
                       note="rows: market_daily; also writes finance_daily")

    def scan_ours(self):
        rs = self.binary("ranking-signals")
        table = os.path.join(self.lake_ready(), "gold/market_daily")
        ms = self.repeat_cli("table scan",
                             lambda i: [rs, "table", "scan", table, "--columns", MARKET_COLUMNS],
                             stdout_path=os.devnull)
        return cli_row(ms, rows=self.market_rows, bytes_=tree_bytes(table),
                       note="prints every row as a JSON line (to /dev/null)")

    def duck(self, mode, args, repeat=True):
        if mode != "single" and "--file" not in args:
            self.lake_ready()
        node = shutil.which("node")
        if not node:
            raise NotAvailable("node not installed")
        script = os.path.join(self.root, "bench/suite/duckdb_suite.mjs")
        cmd = [node, script, mode, *args] + (["--repeat", str(self.a.repeat)] if repeat else [])
        m = self.run_ok(f"duckdb {mode}", cmd)
        try:
            res = json.loads(m.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise NotAvailable(f"duckdb {mode}: unreadable output")
        if not repeat:
            return res
        return {"seconds": statistics.median(res["times_s"]), "rows": res.get("rows"),
                "bytes": res.get("bytes"), "rss_kb": m.rss_kb, "n": len(res["times_s"]),
                "note": f"DuckDB threads={res.get('threads')}; RSS: node process"}

    def section_signals(self):
        engine, duck = {}, {}

        def engine_runs():
            if not engine:
                size = {"RS_BENCH_SYMBOLS": str(self.a.symbols), "RS_BENCH_YEARS": str(self.a.years)}
                runs, m = self.gbench("bench_signals_engine",
                                      "BM_(AllMonthsBothStages|LatestBothStages)/2/",
                                      env=size)
                engine.update(runs)
                engine["_m"] = m
            return engine

        def duck_runs():
            if not duck:
                duck.update(self.signals_duckdb())
            return duck

        def ours(name):
            def fn():
                runs = engine_runs()
                r = gbench_row(runs, name, runs["_m"])
                r["rows"] = r["counters"].get("rows_out")
                r["note"] = "rows: rankings + ranking_signals + composite; RSS: whole program"
                return r
            return fn
        self.record("2.1", "ours", ROWS[6][3], ours("BM_AllMonthsBothStages/2"))
        self.record("2.1", "theirs", ROWS[7][3], lambda: duck_runs()["all"])
        self.record("2.2", "ours", ROWS[8][3], ours("BM_LatestBothStages/2"))
        self.record("2.2", "theirs", ROWS[9][3], lambda: duck_runs()["latest"])
        self.record("2.3", "ours", ROWS[10][3], lambda: self.job_row("all", pg=False))
        self.record("2.3", "theirs", ROWS[11][3], lambda: self.duck(
            "signals", ["--lake", self.lake, "--out", os.path.join(self.work, "duck")]))

    def signals_duckdb(self):
        csv = os.path.join(self.work, "signals_csv")
        if not os.path.isdir(csv):
            os.makedirs(csv)
            self.run_ok("signals_sample_csv", [self.binary("signals_sample_csv"), csv,
                                               str(self.a.symbols), str(self.a.years), "42"])
        node = shutil.which("node") or "node"
        all_s, latest_s, rss, rows = [], [], [], {}
        for _ in range(self.a.repeat):
            m = self.run_ok("signals_duckdb.mjs", [node, "bench/signals_duckdb.mjs", csv])
            t = re.findall(r"both stages: (\d+) ms", m.stdout)
            n = re.findall(r"rows out: (\d+)", m.stdout)
            if len(t) < 2 or len(n) < 2:
                raise NotAvailable("signals_duckdb.mjs: unexpected output")
            all_s.append(int(t[0]) / 1000)
            latest_s.append(int(t[1]) / 1000)
            rss.append(m.rss_kb or 0)
            rows = {"all": int(n[0]), "latest": int(n[1])}
        note = "CSV load excluded; RSS: node process incl. CSV load"
        return {k: {"seconds": statistics.median(v), "rows": rows[k], "rss_kb": max(rss),
                    "n": len(v), "note": note}
                for k, v in (("all", all_s), ("latest", latest_s))}

    def section_parquet_write(self):
        def ours():
            extra = ["--benchmark_min_time=0.05"] if self.a.quick else []
            runs, m = self.gbench("bench_parquet_write", "BM_WriteRankingSignalMonth/codec:1/",
                                  extra=extra)
            r = gbench_row(runs, "BM_WriteRankingSignalMonth/codec:1", m)
            r["bytes"] = r["counters"].get("file_bytes")
            r["note"] = "in memory (no disk write)"
            return r

        def theirs():
            node = shutil.which("node") or "node"
            m = self.run_ok("parquet_write_duckdb.mjs",
                            [node, "bench/parquet_write_duckdb.mjs", str(self.a.repeat)])
            rows = re.search(r"snappy: (\d+) rows, threads=(\d+), file (\d+) bytes", m.stdout)
            med = re.search(r"median ([\d.]+) ms", m.stdout)
            if not rows or not med:
                raise NotAvailable("parquet_write_duckdb.mjs: unexpected output")
            return {"seconds": float(med.group(1)) / 1000, "rows": int(rows.group(1)),
                    "bytes": int(rows.group(3)), "rss_kb": m.rss_kb, "n": self.a.repeat,
                    "note": f"to a file on disk; DuckDB threads={rows.group(2)}"}
        self.record("3.1", "ours", ROWS[12][3], ours)
        self.record("3.1", "theirs", ROWS[13][3], theirs)

    def section_delta(self):
        def bench():
            runs, m = self.gbench("bench_delta_commit", "BM_CommitOneMonthOverwrite")
            r = gbench_row(runs, "BM_CommitOneMonthOverwrite", m)
            commit_ms = r["counters"].get("commit_ms")
            if commit_ms is None:
                raise NotAvailable("bench_delta_commit: no commit_ms counter")
            r["note"] = (f"commit only (mean of 30 per repetition); with data file write "
                         f"{fmt_time(r['seconds'])}; table of 300 months + checkpoint")
            r["seconds"] = commit_ms / 1000
            return r
        self.record("4.1", "ours", ROWS[14][3], bench)
        self.record("4.2", "ours", ROWS[15][3], lambda: self.commit_row(self.lake_ready(), {}))
        self.record("4.3", "ours", ROWS[16][3], self.azurite_commit)

    def azurite_commit(self):
        if not self.azurite:
            raise NotAvailable("Azurite did not start")
        self.lake_ready()
        node = shutil.which("node") or "node"
        self.run_ok("create container", [node, "bench/suite/azurite_container.mjs",
                                         self.a.azurite_env, "rs-bench"])
        env = {"AZURE_STORAGE_ACCOUNT_NAME": self.azurite["RS_TEST_AZURITE_ACCOUNT"],
               "AZURE_STORAGE_ACCOUNT_KEY": self.azurite["RS_TEST_AZURITE_KEY"],
               "AZURE_STORAGE_ENDPOINT": self.azurite["RS_TEST_AZURITE_ENDPOINT"]}
        lake = "az://rs-bench/lake"
        self.run_ok("sample-data to Azurite",
                    [self.binary("ranking-signals"), "sample-data", "--lake", lake,
                     "--symbols", str(self.a.symbols), "--start", self.start, "--end", self.end,
                     "--seed", "42"], env=env)
        return self.commit_row(lake, env)

    def commit_row(self, lake, env):
        ms, summaries = self.job(lake, "latest", env=dict(env, POSTGRES_DSN=None))
        commit = [s.get("commit_s") for s in summaries]
        if any(c is None for c in commit):
            raise NotAvailable("no commit_s in the run summary")
        walls = statistics.median(m.wall_s for m in ms)
        return {"seconds": statistics.median(commit), "rss_kb": max_rss(ms), "n": len(ms),
                "rows": summary_rows(summaries[-1]),
                "note": f"3 commits (rankings, signals, composite); whole run {fmt_time(walls)}"}

    def section_postgres(self):
        dsn = self.pg.get("RS_TEST_PG_DSN")
        pg_runs = {}

        def runs():
            if not dsn:
                raise NotAvailable("PostgreSQL did not start")
            if not pg_runs:
                r, m = self.gbench("bench_postgres_replace",
                                   "BM_ReplaceMonth/verify_counts:0/|BM_ServerSideCopyFromFile",
                                   env={"RS_BENCH_PG_DSN": dsn})
                pg_runs.update(r)
                pg_runs["_m"] = m
            return pg_runs

        def ours():
            r = gbench_row(runs(), "BM_ReplaceMonth/verify_counts:0", pg_runs["_m"])
            mib = r["counters"].get("MiB_sent")
            r["bytes"] = mib * (1 << 20) if mib else None
            r["note"] = "630k signals + 105k composite rows, DELETE + COPY + ledger; RSS: whole program"
            return r

        def baseline():
            r = gbench_row(runs(), "BM_ServerSideCopyFromFile", pg_runs["_m"])
            r["note"] = "server reads our encoded file: the floor for binary COPY"
            return r

        def theirs():
            if not dsn:
                raise NotAvailable("PostgreSQL did not start")
            if not pg_runs:  # bench_postgres_replace migrates; without it, the CLI does
                self.migrate(dsn)
            times, rss = [], []
            for _ in range(self.a.repeat):
                m = self.run_ok("postgres_psycopg_reference.py",
                                ["/usr/bin/python3", "bench/postgres_psycopg_reference.py",
                                 "--iterations", "1"], env={"RS_BENCH_PG_DSN": dsn})
                g = re.search(r"rows=(\d+) .*mean_s=([\d.]+)", m.stdout)
                if not g:
                    raise NotAvailable("psycopg reference: unexpected output")
                times.append(float(g.group(2)))
                rss.append(m.rss_kb or 0)
            return {"seconds": statistics.median(times), "rows": int(g.group(1)),
                    "rss_kb": max(rss), "n": len(times),
                    "note": "same rows from pandas, text COPY; RSS incl. building the DataFrames"}
        self.record("5.1", "ours", ROWS[17][3], ours)
        self.record("5.1", "baseline", ROWS[18][3], baseline)
        self.record("5.1", "theirs", ROWS[19][3], theirs)

    def migrate(self, dsn):
        if not self.migrated:
            self.run_ok("ranking-signals migrate",
                        [self.binary("ranking-signals"), "migrate", "--dsn", dsn, "--migrations-dir",
                         os.path.join(self.root, "deploy/sql/postgres/migrations")])
            self.migrated = True

    def section_job(self):
        dsn = self.pg.get("RS_TEST_PG_DSN")

        def row(months):
            def fn():
                if not dsn:
                    raise NotAvailable("PostgreSQL did not start")
                self.migrate(dsn)
                return self.job_row(months, pg=True)
            return fn
        self.record("6.2", "ours", ROWS[21][3], row("all"))
        self.record("6.1", "ours", ROWS[20][3], row("latest"))

    def job(self, lake, months, env):
        rs = self.binary("ranking-signals")
        ms = self.repeat_cli(f"run --months {months}",
                             lambda i: [rs, "run", "--lake", lake, "--months", months,
                                        "--log-format", "json"], env=env)
        summaries = [summary_of(m) for m in ms]
        return ms, summaries

    def job_row(self, months, pg):
        env = {"POSTGRES_DSN": self.pg.get("RS_TEST_PG_DSN") if pg else None}
        ms, summaries = self.job(self.lake_ready(), months, env)
        s = summaries[-1]
        parts = [f"{k} {s[k]} s" for k in ("read_s", "compute_write_s", "commit_s", "replicate_s")
                 if k in s]
        if pg and s.get("replicated_months") is not None:
            parts.append(f"{s['replicated_months']} months replicated")
        return cli_row(ms, rows=summary_rows(s), bytes_=s.get("bytes_written"),
                       note="rows: 3 tables written; " + ", ".join(parts))

    # --- output ------------------------------------------------------------------
    def table(self):
        head = ("| # | comparison | side | implementation | rows | time (median) | rows/s | MB/s "
                "| peak RSS | runs | notes |")
        lines = [head, "|" + "---|" * 11]
        for rid, side, comparison, impl in ROWS:
            r = self.results.get((rid, side, impl), {"na": "not run"})
            if r.get("na") == "not run" and self.partial:
                continue  # a section left out with --only
            if "na" in r:
                cells = [rid, comparison, side, impl, "", f"n/a ({r['na']})", "", "", "", "", ""]
            else:
                secs, rows, nbytes = r["seconds"], r.get("rows"), r.get("bytes")
                cells = [rid, comparison, side, impl, fmt_count(rows), fmt_time(secs),
                         fmt_rate(rows / secs if rows and secs else None),
                         f"{nbytes / secs / 1e6:.1f}" if nbytes and secs else "",
                         f"{r['rss_kb'] / 1024:.0f} MiB" if r.get("rss_kb") else "",
                         str(r.get("n", "")), r.get("note", "")]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        return "\n".join(lines)

    def header(self):
        mode = ("quick smoke run (tiny sizes; not for comparison)" if self.a.quick else
                "full run" if (self.a.symbols, self.a.years) == DEFAULT_SIZE else
                "custom-size run (not the default 5,000 symbols x 10 years)")
        rev = git(self.root, "rev-parse", "--short", "HEAD")
        dirty = " (working tree has uncommitted changes)" if git(self.root, "status",
                                                                 "--porcelain") else ""
        sections = "" if not self.partial else f" (sections: {', '.join(self.a.only_sections)})"
        return "\n".join([
            f"- mode: {mode}{sections}",
            f"- command: `{self.a.command}`",
            f"- sizes: {self.a.symbols} symbols, {self.a.years} years "
            f"({self.start}..{self.end}), market_daily rows: {fmt_count(self.market_rows) or '?'}; "
            f"median of {self.a.repeat} run(s)",
            f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
            f"- machine: {machine()}",
            f"- source: {rev}{dirty}; build: {self.a.build_dir} (Release)",
            f"- load average at the end: {os.getloadavg()[0]:.1f}",
        ])


# --- helpers -----------------------------------------------------------------------
def read_env(path):
    out = {}
    if path and os.path.exists(path):
        for line in open(path):
            k, sep, v = line.strip().partition("=")
            if sep:
                out[k] = v
    return out


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def find_key(objs, key):
    for o in reversed(objs):
        if isinstance(o, dict):
            if key in o:
                return o[key]
            nested = find_key(list(o.values()), key)
            if nested is not None:
                return nested
    return None


def summary_of(m):
    for o in reversed(json_lines(m.stderr)):
        flat = dict(o)
        for v in o.values():
            if isinstance(v, dict):
                flat.update(v)
        if "summary" in (o.get("msg"), o.get("message"), o.get("event")) or "commit_s" in flat:
            return flat
    raise NotAvailable("no summary line in the run's JSON log")


def summary_rows(s):
    rows = [s.get(k) for k in ("rankings_rows", "signals_rows", "composite_rows")]
    return sum(r for r in rows if isinstance(r, (int, float))) or None


def tree_bytes(path):
    total = 0
    for d, dirs, files in os.walk(path):
        dirs[:] = [x for x in dirs if x != "_delta_log"]
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files if f.endswith(".parquet"))
    return total


def max_rss(ms):
    vals = [m.rss_kb for m in ms if m.rss_kb]
    return max(vals) if vals else None


def cli_row(ms, rows=None, bytes_=None, note=""):
    return {"seconds": statistics.median(m.wall_s for m in ms), "rows": rows, "bytes": bytes_,
            "rss_kb": max_rss(ms), "n": len(ms), "note": note}


def gbench_row(runs, name, m):
    """Median real time (s), items/s and counters over the repetitions of `name`."""
    entries = [e for k, e in runs.items() if k.startswith(name + "/") or k == name]
    entries = [e for group in entries for e in group]
    ok = [e for e in entries if not e.get("error_occurred")]
    if not ok:
        why = entries[0].get("error_message") if entries else "benchmark not found"
        raise NotAvailable(f"{name}: {why or m.last_error()}")
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    secs = statistics.median(e["real_time"] * scale[e.get("time_unit", "ns")] for e in ok)
    skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
            "iterations", "real_time", "cpu_time", "time_unit", "family_index",
            "per_family_instance_index", "aggregate_name", "aggregate_unit", "label"}
    counters = {}
    for k in ok[0]:
        if k not in skip and isinstance(ok[0][k], (int, float)):
            counters[k] = statistics.median(e[k] for e in ok if k in e)
    ips = counters.get("items_per_second")
    return {"seconds": secs, "rows": round(ips * secs) if ips else None, "rss_kb": m.rss_kb,
            "n": len(ok), "counters": counters, "note": ""}


def fmt_time(s):
    return "" if s is None else (f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s")


def fmt_count(n):
    return "" if n is None else f"{int(n):,}"


def fmt_rate(r):
    if r is None:
        return ""
    return f"{r / 1e6:.2f} M" if r >= 1e6 else f"{r / 1e3:.1f} k"


def git(root, *args):
    try:
        return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        mem = "?"
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {mem} RAM, {cpu}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", required=True)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--symbols", type=int, required=True)
    p.add_argument("--years", type=int, required=True)
    p.add_argument("--repeat", type=int, required=True)
    p.add_argument("--timeout", type=int, default=14400)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--pg-env")
    p.add_argument("--azurite-env")
    p.add_argument("--failed-targets", default="")
    p.add_argument("--command", default="bench/run.sh")
    p.add_argument("--out")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help="comma-separated sections to run: " + ", ".join(SECTIONS))
    a = p.parse_args()
    only = [x.strip() for x in a.only.split(",") if x.strip()]
    unknown = [x for x in only if x not in SECTIONS]
    if unknown or not only:
        print(f"suite: --only {a.only}: sections are {', '.join(SECTIONS)}", file=sys.stderr)
        sys.exit(2)
    if not os.path.isdir(a.work) or not os.access(a.work, os.W_OK):
        sys.exit(f"suite: work directory {a.work} is not writable")
    a.only_sections = only
    s = Suite(a)
    if "market" not in only:
        s.prepare_lake()
    for name in SECTIONS:
        if name in only:
            getattr(s, f"section_{name}")()
    text = f"{s.header()}\n\n{s.table()}\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
