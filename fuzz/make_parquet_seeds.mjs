// Writes the DuckDB-made seeds of parquet_footer_fuzzer: small files with v2
// data pages (DELTA_* encodings), ZSTD, GZIP, LZ4_RAW and uncompressed chunks,
// nulls, lists and structs. Run from the repository root after `npm ci`:
//   node fuzz/make_parquet_seeds.mjs [output dir]
import { DuckDBInstance } from '@duckdb/node-api';

const out = process.argv[2] ?? 'fuzz/corpus/parquet_footer_fuzzer';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = `SELECT i::INT AS id, (i * 7)::BIGINT AS big, 'name_' || (i % 5) AS s, i / 3.0 AS d,
  (i % 2 = 0) AS b, DATE '2024-01-01' + i::INT AS day, CASE WHEN i % 4 = 0 THEN NULL ELSE i END AS n,
  [i, i + 1] AS arr, {'k': i, 'v': 'x' || i} AS st FROM range(40) t(i)`;
const floats = 'SELECT i::FLOAT AS f, i::DOUBLE AS g FROM range(20) t(i)';
const files = [
  [rows, 'duckdb_v2_zstd.parquet', 'COMPRESSION zstd, PARQUET_VERSION v2'],
  [rows, 'duckdb_v1_gzip.parquet', 'COMPRESSION gzip'],
  [rows, 'duckdb_v1_lz4.parquet', 'COMPRESSION lz4_raw'],
  [floats, 'duckdb_v2_uncompressed.parquet', 'COMPRESSION uncompressed, PARQUET_VERSION v2'],
];
for (const [query, name, options] of files) {
  await c.run(`COPY (${query}) TO '${out}/${name}' (FORMAT parquet, ${options})`);
}
