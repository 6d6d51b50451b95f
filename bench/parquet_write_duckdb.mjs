// Baseline for bench/parquet_write_benchmark.cc: DuckDB's
// COPY ... TO ... (FORMAT parquet, COMPRESSION <codec>) of the same 630,000
// ranking_signal rows (same formulas, same order). The rows are generated
// into a table first; only the COPY is timed.
//
// Usage: node bench/parquet_write_duckdb.mjs [iterations=5] [threads] [codec=snappy]
// (threads empty: DuckDB's default, all cores; codec: uncompressed, snappy,
// gzip or zstd)
// (run from the repository root so node_modules resolves).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const iterations = Number(process.argv[2] ?? 5);
const threads = process.argv[3];
const codec = process.argv[4] || 'snappy';
if (!['uncompressed', 'snappy', 'gzip', 'zstd'].includes(codec)) {
  console.error(`unknown codec ${codec}: uncompressed, snappy, gzip or zstd`);
  process.exit(2);
}

const GENERATE = `
CREATE TABLE ranking_signal AS
WITH strategies(k, strategy) AS (
  VALUES (0, 'LowVol_63D'), (1, 'Momentum_12_1'), (2, 'Momentum_60D'),
         (3, 'Reversal_21D'), (4, 'Trend_50_200'), (5, 'Value_PE')),
rows AS (
  SELECT d.d, k, strategy, s.s, ((s.s * 7919 + d.d * 31 + k) % 5000 + 1)::INTEGER AS rank
  FROM range(21) d(d), strategies, range(5000) s(s))
SELECT (DATE '2024-01-01' + d::INTEGER) AS date,
       '2024-01' AS year_month,
       'SYM' || lpad(s::VARCHAR, 4, '0') AS symbol,
       strategy,
       rank,
       1.0::DOUBLE - (rank - 1) / 4999.0::DOUBLE AS rank_percentile,
       5000::INTEGER AS n_symbols,
       CASE WHEN (s + d) % 50 = 0 THEN NULL
            ELSE ((s * 131 + d * 17 + k) % 10007) / 10007.0::DOUBLE - 0.5 END AS score
FROM rows
ORDER BY d, k, s`;

async function main() {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  if (threads) await con.run(`SET threads = ${Number(threads)}`);
  await con.run(GENERATE);
  const count = Number((await con.runAndReadAll('SELECT count(*) FROM ranking_signal')).getRows()[0][0]);
  const dir = mkdtempSync(path.join(tmpdir(), 'rs-duckdb-bench-'));
  const times = [];
  const cpuTimes = [];  // process CPU (user + system), all DuckDB threads
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const file = path.join(dir, `ranking_signal_${i}.parquet`);
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await con.run(`COPY ranking_signal TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`);
    const cpu = process.cpuUsage(cpuStart);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpuTimes.push((cpu.user + cpu.system) / 1e3);
    bytes = statSync(file).size;
  }
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const threadCount = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
  console.log(`duckdb COPY parquet ${codec}: ${count} rows, threads=${threadCount}, ` +
              `file ${bytes} bytes`);
  console.log(`  median ${median.toFixed(1)} ms = ${(count / median * 1000 / 1e6).toFixed(2)} M rows/s; ` +
              `best ${times[0].toFixed(1)} ms = ${(count / times[0] * 1000 / 1e6).toFixed(2)} M rows/s`);
  const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)];
  console.log(`  CPU median ${cpuMedian.toFixed(1)} ms = ${(count / cpuMedian * 1000 / 1e6).toFixed(2)} M rows per CPU-second`);
}

await main();
