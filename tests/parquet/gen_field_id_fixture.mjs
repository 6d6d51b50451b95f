// Writes tests/fixtures/parquet/duckdb_field_ids.parquet with DuckDB
// (@duckdb/node-api), an independent writer of Parquet field ids
// (SchemaElement.field_id), for ReaderTest.DuckDbFieldIds:
//
//   node tests/parquet/gen_field_id_fixture.mjs <out_dir>
//
// One row: "col-a" BIGINT 7 (id 1), "col-s" STRUCT("col-x" VARCHAR 'hi')
// (ids 2 and 3), "col-l" INT[] [1, 2] (id 4, element id 5), plain INT 3 (no id).
import path from 'node:path';

const sourceDir = process.env.RS_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { DuckDBInstance } = await import(path.join(sourceDir, 'node_modules/@duckdb/node-api/lib/index.js'));

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: gen_field_id_fixture.mjs <out_dir>');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const file = path.join(outDir, 'duckdb_field_ids.parquet');
await conn.run(`COPY (SELECT 7::BIGINT AS "col-a", {'col-x': 'hi'} AS "col-s",
                             [1, 2]::INT[] AS "col-l", 3::INT AS plain)
  TO '${file}' (FORMAT parquet, FIELD_IDS {"col-a": 1, "col-s": {__duckdb_field_id: 2, "col-x": 3},
                                           "col-l": {__duckdb_field_id: 4, element: 5}})`);
