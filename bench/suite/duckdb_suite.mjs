// DuckDB sides of the benchmark suite (bench/run.sh) that have no script of
// their own: reading, rewriting and computing over the Parquet files our job
// wrote. Each mode times its statement(s) `--repeat` times inside one DuckDB
// instance (all cores) and prints one JSON line:
//   {"mode", "times_s": [...], "rows", "bytes", ...}
// Loading that is not part of the measured work is done first and untimed.
//
//   node bench/suite/duckdb_suite.mjs copy   --glob G --out DIR [--repeat K]
//   node bench/suite/duckdb_suite.mjs scan   --glob G [--repeat K]
//   node bench/suite/duckdb_suite.mjs single --glob G --file F
//   node bench/suite/duckdb_suite.mjs fetch  --file F [--repeat K]
//   node bench/suite/duckdb_suite.mjs signals --lake L --out DIR [--months all|latest] [--repeat K]
//
// copy:    the market_daily rows (loaded into memory, untimed) written with
//          COPY ... (FORMAT parquet, COMPRESSION snappy, PARTITION_BY year_month)
// scan:    count(*), sum(close), sum(volume), count(DISTINCT symbol) over G
// single:  G rewritten as one snappy file F (setup for `fetch`, untimed)
// fetch:   date, symbol, close, volume of F materialized in a temp table
// signals: read gold/market_daily and gold/finance_daily of lake L, the
//          SIGNALS.md SQL of tests/signals/crosscheck_duckdb.mjs (spillable
//          composite, bench/duckdb_options.mjs settings), and the three
//          tables written as Parquet partitioned by year_month under DIR
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { signalStatements, runAll } from '../../tests/signals/crosscheck_duckdb.mjs';
import { largeWorkloadOptions } from '../duckdb_options.mjs';

const [mode, ...rest] = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = rest.indexOf(name);
  return i >= 0 && i + 1 < rest.length ? rest[i + 1] : fallback;
};
const repeat = Number(opt('--repeat', '1'));
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

function dirBytes(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function globBytes(glob) {
  // Only the shapes this suite passes: <dir>/**/*.parquet or <dir>/*/*.parquet.
  const base = glob.split('/*')[0];
  let total = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== '_delta_log') walk(p);
      else if (e.isFile() && e.name.endsWith('.parquet')) total += fs.statSync(p).size;
    }
  };
  walk(base);
  return total;
}

async function timedRepeat(fn) {
  const times = [];
  let result;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    result = await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { times, result };
}

async function scalar(con, sql) {
  return (await con.runAndReadAll(sql)).getRows()[0][0];
}

async function main() {
  // The signals statements need the large-workload settings at full size.
  const instance = await DuckDBInstance.create(':memory:', mode === 'signals'
    ? largeWorkloadOptions(path.join(opt('--out'), 'duckdb_tmp')) : {});
  const con = await instance.connect();
  const threads = Number(await scalar(con, "SELECT current_setting('threads')"));
  const glob = opt('--glob');
  const read = (g) => `read_parquet(${quote(g)}, hive_partitioning = true)`;
  let out;
  if (mode === 'copy') {
    const dir = opt('--out');
    await con.run(`CREATE TABLE m AS SELECT date, symbol, close, volume,
                     strftime(date, '%Y-%m') AS year_month FROM ${read(glob)} ORDER BY year_month`);
    const rows = Number(await scalar(con, 'SELECT count(*) FROM m'));
    let bytes = 0;
    const { times } = await timedRepeat(async (i) => {
      const target = path.join(dir, `copy_${i}`);
      fs.rmSync(target, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });  // COPY creates only the last directory
      await con.run(`COPY m TO ${quote(target)}
                     (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year_month))`);
      bytes = dirBytes(target);
      fs.rmSync(target, { recursive: true, force: true });
    });
    out = { rows, bytes };
    out.times_s = times;
  } else if (mode === 'scan') {
    const sql = `SELECT count(*), sum(close), sum(volume), count(DISTINCT symbol) FROM ${read(glob)}`;
    const { times, result } = await timedRepeat(() => con.runAndReadAll(sql));
    const row = result.getRows()[0];
    out = { rows: Number(row[0]), bytes: globBytes(glob), result: row.map(String), times_s: times };
  } else if (mode === 'single') {
    const file = opt('--file');
    await con.run(`COPY (SELECT date, symbol, close, volume FROM ${read(glob)} ORDER BY date, symbol)
                   TO ${quote(file)} (FORMAT parquet, COMPRESSION snappy)`);
    out = { rows: Number(await scalar(con, `SELECT count(*) FROM read_parquet(${quote(file)})`)),
            bytes: fs.statSync(file).size, times_s: [] };
  } else if (mode === 'fetch') {
    const file = opt('--file');
    const { times } = await timedRepeat(() => con.run(
      `CREATE OR REPLACE TEMP TABLE fetched AS
       SELECT date, symbol, close, volume FROM read_parquet(${quote(file)})`));
    out = { rows: Number(await scalar(con, 'SELECT count(*) FROM fetched')),
            bytes: fs.statSync(file).size, times_s: times };
  } else if (mode === 'signals') {
    const lake = opt('--lake');
    const dir = opt('--out');
    const which = opt('--months', 'all');
    let rows = 0;
    let bytes = 0;
    let months = null;
    const { times } = await timedRepeat(async (i) => {
      await con.run(`CREATE OR REPLACE TABLE market_daily AS SELECT date, symbol, close, volume
                     FROM ${read(`${lake}/gold/market_daily/*/*.parquet`)}`);
      await con.run(`CREATE OR REPLACE TABLE finance_daily AS SELECT date, symbol, pe_ratio
                     FROM ${read(`${lake}/gold/finance_daily/*/*.parquet`)}`);
      if (which === 'latest') {
        months = [String(await scalar(con, "SELECT strftime(max(date), '%Y-%m') FROM market_daily"))];
      }
      await runAll(con, signalStatements({}, 50, months, { spillable: true }));
      const target = path.join(dir, `signals_${i}`);
      fs.rmSync(target, { recursive: true, force: true });
      fs.mkdirSync(target, { recursive: true });
      rows = 0;
      for (const t of ['rankings', 'ranking_signals', 'composite_signals']) {
        await con.run(`COPY ${t} TO ${quote(path.join(target, t))}
                       (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year_month))`);
        rows += Number(await scalar(con, `SELECT count(*) FROM ${t}`));
      }
      bytes = dirBytes(target);
      fs.rmSync(target, { recursive: true, force: true });
    });
    out = { rows, bytes, months: months ?? 'all', times_s: times };
  } else {
    console.error(`duckdb_suite: unknown mode '${mode}'`);
    process.exit(2);
  }
  console.log(JSON.stringify({ mode, threads, ...out }));
}

main().catch((e) => {
  console.error(`duckdb_suite ${mode}: ${e.message}`);
  process.exit(1);
});
