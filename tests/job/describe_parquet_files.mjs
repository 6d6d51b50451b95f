// Describes every Parquet data file under a Delta table folder as DuckDB
// (@duckdb/node-api), an independent reader, sees it: the codecs of its column
// chunks (footer), its row groups and the rows it reads back. One JSON object
// per line, for job tests that check what the writer settings produced.
//
// Usage: node describe_parquet_files.mjs <table-dir>
// Output lines: {"file": "<path relative to table-dir>", "codecs": ["ZSTD"],
//                "row_groups": 3, "rows": 1234}
// Exit status 0; 1 when a file cannot be read (the error is printed).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [tableDir] = process.argv.slice(2);
if (!tableDir) {
  console.error('usage: describe_parquet_files.mjs <table-dir>');
  process.exit(2);
}

function dataFiles(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== '_delta_log') out.push(...dataFiles(path.join(dir, entry.name), rel));
    } else if (entry.name.endsWith('.parquet')) {
      out.push(rel);
    }
  }
  return out.sort();
}

const sql = (s) => s.replaceAll("'", "''");
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
let failed = false;
for (const rel of dataFiles(tableDir)) {
  const file = sql(path.join(tableDir, rel));
  try {
    const meta = await db.runAndReadAll(
      `SELECT list(DISTINCT compression ORDER BY compression)::VARCHAR[] AS codecs,
              count(DISTINCT row_group_id)::BIGINT AS row_groups
       FROM parquet_metadata('${file}')`);
    const count = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet('${file}')`);
    const [codecs, rowGroups] = meta.getRows()[0];
    console.log(JSON.stringify({
      file: rel,
      codecs: codecs.items ?? codecs,
      row_groups: Number(rowGroups),
      rows: Number(count.getRows()[0][0]),
    }));
  } catch (e) {
    console.log(`FAIL ${rel}: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
