#!/usr/bin/python3
"""The measuring half of bench/run.sh: runs every comparison of issue 11 and
prints one markdown table (stdout; progress on stderr).

bench/run.sh prepares the binaries and services and calls this with their
locations; bench/README.md explains each row. Python standard library only.
The sides of each comparison run alternately, one repetition each per round
(Suite.compare).

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
    ("3.2", "ours", "write Parquet: one ranking_signal month, zstd", "bench_parquet_write codec:3"),
    ("3.2", "theirs", "write Parquet: one ranking_signal month, zstd",
     "bench/parquet_write_duckdb.mjs (DuckDB COPY TO)"),
    ("3.3", "ours", "write Parquet: one ranking_signal month, gzip", "bench_parquet_write codec:2"),
    ("3.3", "theirs", "write Parquet: one ranking_signal month, gzip",
     "bench/parquet_write_duckdb.mjs (DuckDB COPY TO)"),
    ("3.4", "ours", "write Parquet: one ranking_signal month, uncompressed",
     "bench_parquet_write codec:0"),
    ("3.4", "theirs", "write Parquet: one ranking_signal month, uncompressed",
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
    ("6.3", "ours", "whole job, one month, no PostgreSQL (the daily run's read window)",
     "ranking-signals run --months latest (no PostgreSQL)"),
]

MARKET_COLUMNS = "date,symbol,close,volume"
DEFAULT_SIZE = (5000, 10)  # symbols, years of the default (full) run
SECTIONS = ("market", "signals", "parquet_write", "delta", "postgres", "job")


def row(rid, side):
    """The index in ROWS of row `rid` on `side`."""
    return next(i for i, r in enumerate(ROWS) if r[0] == rid and r[1] == side)


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
        """Runs one repetition of a Google Benchmark program; returns
        ({run_name: [iteration entries]}, Measure)."""
        path = self.binary(name)
        out = os.path.join(self.work, f"{name}.json")
        cmd = [path, f"--benchmark_filter={bench_filter}", "--benchmark_repetitions=1",
               "--benchmark_format=json", f"--benchmark_out={out}",
               "--benchmark_out_format=json", *extra]
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

    def quick_min_time(self):
        return ["--benchmark_min_time=0.05"] if self.a.quick else []

    # --- measuring ---------------------------------------------------------------
    def compare(self, *sides):
        """Measures the sides of one comparison alternately, --repeat rounds.

        Each side is (rows, one): `rows` are ROWS indexes, `one()` runs a single
        repetition and returns a sample per row ({"seconds", "rss_kb", "rows",
        "bytes", "note"}, in the order of `rows`). Round i runs every side once
        before round i+1 starts, so load that comes and goes falls on all sides
        alike. A side that fails is n/a from then on; the others go on. Each row
        records the median time and the largest peak RSS of its samples."""
        samples = {rid: [] for rows, _ in sides for rid in rows}
        failed = {}
        for i in range(self.a.repeat):
            for rows, one in sides:
                if rows[0] in failed:
                    continue
                names = ", ".join(f"{ROWS[r][0]} {ROWS[r][1]}" for r in rows)
                try:
                    out = one()
                except NotAvailable as e:
                    reason = str(e)
                except Exception as e:  # a bug in one measurement must not lose the other rows
                    reason = f"suite error: {type(e).__name__}: {e}"
                else:
                    for r, s in zip(rows, out):
                        samples[r].append(s)
                    log(f"[{names}] round {i + 1}/{self.a.repeat}: "
                        + ", ".join(fmt_time(s["seconds"]) for s in out))
                    continue
                log(f"[{names}] n/a: {reason}")
                for r in rows:
                    failed[r] = reason
        for r, ss in samples.items():
            rid, side, _, impl = ROWS[r]
            self.results[(rid, side, impl)] = {"na": failed[r]} if r in failed else summarize(ss)

    def sample_data_cmd(self, lake):
        """`sample-data` at this run's size (seed 42), JSON log."""
        return [self.binary("ranking-signals"), "sample-data", "--lake", lake, "--symbols",
                str(self.a.symbols), "--start", self.start, "--end", self.end, "--seed", "42",
                "--log-format", "json"]

    def prepare_lake(self):
        """Generates the input lake (untimed) that every section reads."""
        try:
            m = self.run_ok("sample-data", self.sample_data_cmd(self.lake))
            self.market_rows = find_key(json_lines(m.stderr), "market_rows")
        except NotAvailable as e:
            self.lake_error = f"no lake: {e}"

    def lake_ready(self):
        if self.lake_error:
            raise NotAvailable(self.lake_error)
        return self.lake

    # --- sections --------------------------------------------------------------
    def section_market(self):
        glob = os.path.join(self.lake, "gold/market_daily/*/*.parquet")
        self.compare(([row("1.1", "ours")], self.generate_ours),
                     ([row("1.1", "theirs")], lambda: self.duck(
                         "copy", ["--glob", glob, "--out", os.path.join(self.work, "duck")])))
        self.compare(([row("1.2", "ours")], self.scan_ours),
                     ([row("1.2", "theirs")], lambda: self.duck("scan", ["--glob", glob])))
        single = os.path.join(self.work, "market_daily_single.parquet")
        single_error = None
        try:
            self.lake_ready()
            self.duck("single", ["--glob", glob, "--file", single])
        except NotAvailable as e:
            single_error = f"no single file: {e}"

        def read_ours():
            if single_error:
                raise NotAvailable(single_error)
            runs, m = self.gbench("bench_parquet_read", "BM_ReadMarketDaily4Columns/2/",
                                  env={"RS_BENCH_MARKET_DAILY": single}, extra=self.quick_min_time())
            r = gbench_row(runs, "BM_ReadMarketDaily4Columns/2", m)
            r["rows"] = r["counters"].get("rows")
            r["bytes"] = os.path.getsize(single)
            r["note"] = "file written by DuckDB (all rows, sorted by date, symbol)"
            return [r]

        def read_theirs():
            if single_error:
                raise NotAvailable(single_error)
            return self.duck("fetch", ["--file", single])
        self.compare(([row("1.3", "ours")], read_ours), ([row("1.3", "theirs")], read_theirs))

    def generate_ours(self):
        gen = os.path.join(self.work, "gen")
        shutil.rmtree(gen, ignore_errors=True)
        m = self.run_ok("sample-data", self.sample_data_cmd(gen))
        rows = find_key(json_lines(m.stderr), "market_rows")
        nbytes = tree_bytes(os.path.join(gen, "gold/market_daily"))
        shutil.rmtree(gen, ignore_errors=True)
        return [cli_sample(m, rows=rows, bytes_=nbytes,
                           note="rows: market_daily; also writes finance_daily")]

    def scan_ours(self):
        table = os.path.join(self.lake_ready(), "gold/market_daily")
        m = self.run_ok("table scan", [self.binary("ranking-signals"), "table", "scan", table,
                                       "--columns", MARKET_COLUMNS], stdout_path=os.devnull)
        return [cli_sample(m, rows=self.market_rows, bytes_=tree_bytes(table),
                           note="prints every row as a JSON line (to /dev/null)")]

    def duck(self, mode, args):
        """One run of bench/suite/duckdb_suite.mjs (one timed repetition, or the
        untimed `single` setup); a one-sample list."""
        if mode != "single" and "--file" not in args:
            self.lake_ready()
        node = shutil.which("node")
        if not node:
            raise NotAvailable("node not installed")
        script = os.path.join(self.root, "bench/suite/duckdb_suite.mjs")
        m = self.run_ok(f"duckdb {mode}", [node, script, mode, *args])
        try:
            res = json.loads(m.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise NotAvailable(f"duckdb {mode}: unreadable output")
        if mode == "single":
            return res
        return [{"seconds": res["times_s"][0], "rows": res.get("rows"), "bytes": res.get("bytes"),
                 "rss_kb": m.rss_kb,
                 "note": f"DuckDB threads={res.get('threads')}; RSS: node process"}]

    def section_signals(self):
        size = {"RS_BENCH_SYMBOLS": str(self.a.symbols), "RS_BENCH_YEARS": str(self.a.years)}

        def ours():
            runs, m = self.gbench("bench_signals_engine",
                                  "BM_(AllMonthsBothStages|LatestBothStages)/2/", env=size)
            out = []
            for name in ("BM_AllMonthsBothStages/2", "BM_LatestBothStages/2"):
                r = gbench_row(runs, name, m)
                r["rows"] = r["counters"].get("rows_out")
                r["note"] = "rows: rankings + ranking_signals + composite; RSS: whole program"
                out.append(r)
            return out
        self.compare(([row("2.1", "ours"), row("2.2", "ours")], ours),
                     ([row("2.1", "theirs"), row("2.2", "theirs")], self.signals_duckdb))
        self.compare(([row("2.3", "ours")], lambda: [self.job_sample("all", pg=False)]),
                     ([row("2.3", "theirs")], lambda: self.duck("signals", ["--lake", self.lake,
                                                          "--out", os.path.join(self.work, "duck")])))

    def signals_duckdb(self):
        csv = os.path.join(self.work, "signals_csv")
        if not os.path.isdir(csv):
            os.makedirs(csv)
            self.run_ok("signals_sample_csv", [self.binary("signals_sample_csv"), csv,
                                               str(self.a.symbols), str(self.a.years), "42"])
        node = shutil.which("node") or "node"
        m = self.run_ok("signals_duckdb.mjs", [node, "bench/signals_duckdb.mjs", csv])
        t = re.findall(r"both stages: (\d+) ms", m.stdout)
        n = re.findall(r"rows out: (\d+)", m.stdout)
        if len(t) < 2 or len(n) < 2:
            raise NotAvailable("signals_duckdb.mjs: unexpected output")
        note = "CSV load excluded; RSS: node process incl. CSV load"
        return [{"seconds": int(t[k]) / 1000, "rows": int(n[k]), "rss_kb": m.rss_kb, "note": note}
                for k in (0, 1)]

    def section_parquet_write(self):
        # One row per codec (issue 18): ours writes on one thread into memory,
        # DuckDB on all cores to a file; the notes give rows per CPU-second
        # (user + system time), the per-core rate of each.
        def per_cpu(ss):
            rates = [s["rows"] / s["cpu_seconds"] for s in ss
                     if s.get("rows") and s.get("cpu_seconds")]
            if not rates:
                return "CPU n/a"
            return f"{fmt_rate(statistics.median(rates))} rows per CPU-second"

        for rid, code, codec in (("3.1", 1, "snappy"), ("3.2", 3, "zstd"), ("3.3", 2, "gzip"),
                                 ("3.4", 0, "uncompressed")):
            def ours(code=code):
                name = f"BM_WriteRankingSignalMonth/codec:{code}"
                runs, m = self.gbench("bench_parquet_write", name + "/",
                                      extra=self.quick_min_time())
                r = gbench_row(runs, name, m)
                r["bytes"] = r["counters"].get("file_bytes")
                r["note"] = lambda ss: f"in memory (no disk write), 1 thread; {per_cpu(ss)}"
                return [r]

            def theirs(codec=codec):
                node = shutil.which("node") or "node"
                m = self.run_ok("parquet_write_duckdb.mjs",
                                [node, "bench/parquet_write_duckdb.mjs", "1", "", codec])
                rows = re.search(codec + r": (\d+) rows, threads=(\d+), file (\d+) bytes",
                                 m.stdout)
                med = re.search(r"median ([\d.]+) ms", m.stdout)
                cpu = re.search(r"CPU median ([\d.]+) ms", m.stdout)
                if not rows or not med or not cpu:
                    raise NotAvailable("parquet_write_duckdb.mjs: unexpected output")
                threads = rows.group(2)
                return [{"seconds": float(med.group(1)) / 1000, "rows": int(rows.group(1)),
                         "bytes": int(rows.group(3)), "rss_kb": m.rss_kb,
                         "cpu_seconds": float(cpu.group(1)) / 1000,
                         "note": lambda ss: (f"to a file on disk, DuckDB threads={threads}; "
                                             f"{per_cpu(ss)}")}]
            self.compare(([row(rid, "ours")], ours), ([row(rid, "theirs")], theirs))

    def section_delta(self):
        def bench():
            runs, m = self.gbench("bench_delta_commit", "BM_CommitOneMonthOverwrite")
            r = gbench_row(runs, "BM_CommitOneMonthOverwrite", m)
            commit_ms = r["counters"].get("commit_ms")
            if commit_ms is None:
                raise NotAvailable("bench_delta_commit: no commit_ms counter")
            r["whole"] = r["seconds"]
            r["seconds"] = commit_ms / 1000
            r["note"] = lambda ss: (f"commit only (mean of 30 per repetition); with data file "
                                    f"write {fmt_time(median_of(ss, 'whole'))}; table of 300 "
                                    f"months + checkpoint")
            return [r]
        self.compare(([row("4.1", "ours")], bench))
        self.compare(([row("4.2", "ours")], lambda: [self.commit_sample(self.lake_ready(), {})]))
        azure = {}

        def on_azurite():
            if not azure:
                azure.update(self.azurite_lake())
            return [self.commit_sample("az://rs-bench/lake", azure)]
        self.compare(([row("4.3", "ours")], on_azurite))

    def azurite_lake(self):
        """Generates the input lake on Azurite (untimed); the environment to reach it."""
        if not self.azurite:
            raise NotAvailable("Azurite did not start")
        self.lake_ready()
        node = shutil.which("node") or "node"
        self.run_ok("create container", [node, "bench/suite/azurite_container.mjs",
                                         self.a.azurite_env, "rs-bench"])
        env = {"AZURE_STORAGE_ACCOUNT_NAME": self.azurite["RS_TEST_AZURITE_ACCOUNT"],
               "AZURE_STORAGE_ACCOUNT_KEY": self.azurite["RS_TEST_AZURITE_KEY"],
               "AZURE_STORAGE_ENDPOINT": self.azurite["RS_TEST_AZURITE_ENDPOINT"]}
        self.run_ok("sample-data to Azurite", self.sample_data_cmd("az://rs-bench/lake"), env=env)
        return env

    def commit_sample(self, lake, env):
        m, s = self.job(lake, "latest", env=dict(env, POSTGRES_DSN=None))
        if s.get("commit_s") is None:
            raise NotAvailable("no commit_s in the run summary")
        return {"seconds": s["commit_s"], "rss_kb": m.rss_kb, "rows": summary_rows(s),
                "whole": m.wall_s,
                "note": lambda ss: ("3 commits (rankings, signals, composite); whole run "
                                    f"{fmt_time(median_of(ss, 'whole'))}")}

    def section_postgres(self):
        dsn = self.pg.get("RS_TEST_PG_DSN")

        def ours_and_baseline():
            if not dsn:
                raise NotAvailable("PostgreSQL did not start")
            runs, m = self.gbench("bench_postgres_replace",
                                  "BM_ReplaceMonth/verify_counts:0/|BM_ServerSideCopyFromFile",
                                  env={"RS_BENCH_PG_DSN": dsn})
            ours = gbench_row(runs, "BM_ReplaceMonth/verify_counts:0", m)
            mib = ours["counters"].get("MiB_sent")
            ours["bytes"] = mib * (1 << 20) if mib else None
            ours["note"] = ("630k signals + 105k composite rows, DELETE + COPY + ledger; "
                            "RSS: whole program")
            base = gbench_row(runs, "BM_ServerSideCopyFromFile", m)
            base["note"] = "server reads our encoded file: the floor for binary COPY"
            return [ours, base]

        def theirs():
            if not dsn:
                raise NotAvailable("PostgreSQL did not start")
            self.migrate(dsn)
            m = self.run_ok("postgres_psycopg_reference.py",
                            ["/usr/bin/python3", "bench/postgres_psycopg_reference.py",
                             "--iterations", "1"], env={"RS_BENCH_PG_DSN": dsn})
            g = re.search(r"rows=(\d+) .*mean_s=([\d.]+)", m.stdout)
            if not g:
                raise NotAvailable("psycopg reference: unexpected output")
            return [{"seconds": float(g.group(2)), "rows": int(g.group(1)), "rss_kb": m.rss_kb,
                     "note": "same rows from pandas, text COPY; RSS incl. building the DataFrames"}]
        self.compare(([row("5.1", "ours"), row("5.1", "baseline")], ours_and_baseline),
                     ([row("5.1", "theirs")], theirs))

    def migrate(self, dsn):
        if not self.migrated:
            self.run_ok("ranking-signals migrate",
                        [self.binary("ranking-signals"), "migrate", "--dsn", dsn, "--migrations-dir",
                         os.path.join(self.root, "deploy/sql/postgres/migrations")])
            self.migrated = True

    def section_job(self):
        dsn = self.pg.get("RS_TEST_PG_DSN")

        def run(months):
            def one():
                if not dsn:
                    raise NotAvailable("PostgreSQL did not start")
                self.migrate(dsn)
                return [self.job_sample(months, pg=True)]
            return one
        self.compare(([row("6.2", "ours")], run("all")))
        self.compare(([row("6.1", "ours")], run("latest")))
        self.compare(([row("6.3", "ours")], lambda: [self.job_sample("latest", pg=False)]))

    def job(self, lake, months, env):
        """One `run`; its Measure and the summary of its JSON log."""
        m = self.run_ok(f"run --months {months}",
                        [self.binary("ranking-signals"), "run", "--lake", lake, "--months", months,
                         "--log-format", "json"], env=env)
        return m, summary_of(m)

    def job_sample(self, months, pg):
        env = {"POSTGRES_DSN": self.pg.get("RS_TEST_PG_DSN") if pg else None}
        m, s = self.job(self.lake_ready(), months, env)
        parts = [f"{k} {s[k]} s" for k in ("read_s", "compute_write_s", "commit_s", "replicate_s")
                 if k in s]
        if pg and s.get("replicated_months") is not None:
            parts.append(f"{s['replicated_months']} months replicated")
        return cli_sample(m, rows=summary_rows(s), bytes_=s.get("bytes_written"),
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
            f"- source: {rev}{dirty}; build: {self.a.build_dir} ({build_type(self.a.build_dir)})",
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


def cli_sample(m, rows=None, bytes_=None, note=""):
    return {"seconds": m.wall_s, "rows": rows, "bytes": bytes_, "rss_kb": m.rss_kb, "note": note}


def median_of(samples, key):
    return statistics.median(s[key] for s in samples)


def summarize(samples):
    """One row from the samples of its rounds: the median time, the largest
    peak RSS; rows, bytes and counters of the last round. A callable note is
    given all the samples (for notes that show a median of their own)."""
    last = samples[-1]
    rss = [s["rss_kb"] for s in samples if s.get("rss_kb")]
    note = last.get("note", "")
    return {"seconds": median_of(samples, "seconds"), "rows": last.get("rows"),
            "bytes": last.get("bytes"), "rss_kb": max(rss) if rss else None, "n": len(samples),
            "note": note(samples) if callable(note) else note}


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
    cpu = statistics.median(e["cpu_time"] * scale[e.get("time_unit", "ns")] for e in ok)
    ips = counters.get("items_per_second")
    return {"seconds": secs, "cpu_seconds": cpu, "rows": round(ips * secs) if ips else None,
            "rss_kb": m.rss_kb, "n": len(ok), "counters": counters, "note": ""}


def fmt_time(s):
    return "" if s is None else (f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s")


def fmt_count(n):
    return "" if n is None else f"{int(n):,}"


def fmt_rate(r):
    if r is None:
        return ""
    return f"{r / 1e6:.2f} M" if r >= 1e6 else f"{r / 1e3:.1f} k"


def build_type(build_dir):
    """CMAKE_BUILD_TYPE of a build tree, from its cache, and the benchmark
    programs' own optimization when RS_BENCH_OPTIMIZATION overrides it (the
    CI tree's -O0: its figures are not to be quoted)."""
    kind, bench_opt = "build type unknown", ""
    try:
        for line in open(os.path.join(build_dir, "CMakeCache.txt")):
            if line.startswith("CMAKE_BUILD_TYPE:"):
                kind = line.split("=", 1)[1].strip() or "no build type"
            elif line.startswith("RS_BENCH_OPTIMIZATION:"):
                bench_opt = line.split("=", 1)[1].strip()
    except OSError:
        pass
    return f"{kind}, benchmark code {bench_opt}" if bench_opt else kind


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
