// DuckDB side of the Parquet read benchmark (bench/parquet_read_benchmark.cc).
//
//   node bench/parquet_read_duckdb.mjs [file] [--threads N] [--rows N]
//
// Writes a market_daily file with DuckDB COPY (snappy; 12 million rows by
// default: 4000 symbols x 3000 trading days, plus open/high/low columns that a
// projection must skip) when `file` does not exist, then times DuckDB reading
// the four projected columns (date, symbol, close, volume) two ways:
//   scan:  SELECT count(date), count(symbol), sum(close), sum(volume)
//   fetch: the same columns materialized into a DuckDB temp table (in memory)
// Prints the best of 3 runs for each, in milliseconds (wall and CPU).
import fs from 'node:fs';
import path from 'node:path';

const sourceDir = process.env.RS_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { DuckDBInstance } = await import(path.join(sourceDir, 'node_modules/@duckdb/node-api/lib/index.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ||
             '/tmp/rs_bench/market_daily_12m.parquet';
const threads = Number(option('--threads', '0'));
const rows = Number(option('--rows', '12000000'));

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
if (threads > 0) await conn.run(`SET threads = ${threads}`);

if (!fs.existsSync(file)) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const t0 = performance.now();
  await conn.run(`COPY (
    SELECT DATE '2012-01-02' + (i // 4000)::INTEGER AS date,
           'SYM' || lpad((i % 4000)::VARCHAR, 4, '0') AS symbol,
           round(10 + (hash(i) % 1000000) / 100.0, 2) AS open,
           round(10 + (hash(i + 1) % 1000000) / 100.0, 2) AS high,
           round(10 + (hash(i + 2) % 1000000) / 100.0, 2) AS low,
           round(10 + (hash(i + 3) % 1000000) / 100.0, 2) AS close,
           (hash(i * 7) % 5000000)::BIGINT AS volume
    FROM range(${rows}) t(i))
    TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
  console.log(`wrote ${file} (${fs.statSync(file).size} bytes) in ${(performance.now() - t0).toFixed(0)} ms`);
}

// Best wall time and best process CPU time (user + system, all DuckDB threads)
// of `runs` runs: on a shared machine CPU time is the comparable figure.
async function best(sql, runs = 3) {
  let min = Infinity;
  let minCpu = Infinity;
  let result;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = await conn.runAndReadAll(sql);
    const c1 = process.cpuUsage(c0);
    min = Math.min(min, performance.now() - t0);
    minCpu = Math.min(minCpu, (c1.user + c1.system) / 1000);
  }
  return [min, result, minCpu];
}

const cols = `date, symbol, close, volume`;
const [scanMs, scan, scanCpuMs] = await best(
  `SELECT count(date), count(symbol), sum(close), sum(volume) FROM read_parquet('${file}')`);
const [fetchMs, , fetchCpuMs] = await best(
  `CREATE OR REPLACE TEMP TABLE fetched AS SELECT ${cols} FROM read_parquet('${file}')`);
const threadsUsed = (await conn.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0][0];
console.log(JSON.stringify({
  file, duckdb_threads: Number(threadsUsed),
  scan_ms: Number(scanMs.toFixed(1)), scan_cpu_ms: Number(scanCpuMs.toFixed(1)),
  fetch_ms: Number(fetchMs.toFixed(1)), fetch_cpu_ms: Number(fetchCpuMs.toFixed(1)),
  result: scan.getRows()[0].map(String),
}));
