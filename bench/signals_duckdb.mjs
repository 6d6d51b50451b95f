// The DuckDB side of the ranking benchmark: the reference SQL of
// tests/signals/crosscheck_duckdb.mjs over the same generated data as
// bench_signals_engine. Loading the CSVs is timed separately and excluded.
// Settings for the full size: bench/duckdb_options.mjs; the composite's mean
// is the spillable sum()/sum() form (see signalStatements).
//
//   build/tests/signals/signals_sample_csv /tmp/signals-bench 5000 10 42
//   node bench/signals_duckdb.mjs /tmp/signals-bench [threads]
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { loadStatements, runAll, signalStatements } from '../tests/signals/crosscheck_duckdb.mjs';
import { largeWorkloadOptions } from './duckdb_options.mjs';

async function timed(label, fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1e3;
  console.log(`${label}: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms process CPU`);
  return result;
}

async function count(connection, table) {
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
  return Number(reader.getRows()[0][0]);
}

async function main() {
  const [dir, threads] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node bench/signals_duckdb.mjs <csv_dir> [threads]');
    process.exit(2);
  }
  const instance = await DuckDBInstance.create(
    ':memory:', largeWorkloadOptions(path.join(dir, 'duckdb_tmp'), threads));
  const connection = await instance.connect();
  await timed('load CSV (excluded)', () => runAll(connection, loadStatements(dir)));
  await timed('all months, both stages', () => runAll(connection, signalStatements({}, 50, null, { spillable: true })));
  const rows = (await count(connection, 'rankings')) + (await count(connection, 'ranking_signals')) +
    (await count(connection, 'composite_signals'));
  console.log(`rows out: ${rows}`);
  const latest = (await connection.runAndReadAll(
    "SELECT strftime(max(date), '%Y-%m') FROM market_daily")).getRows()[0][0];
  await timed(`latest (${latest}), both stages`,
    () => runAll(connection, signalStatements({}, 50, [latest], { spillable: true })));
  console.log(`rows out: ${(await count(connection, 'rankings')) +
    (await count(connection, 'ranking_signals')) + (await count(connection, 'composite_signals'))}`);
}

main().catch((e) => {
  console.error(`signals_duckdb: ${e.message}`);
  process.exit(1);
});
