// Reads every <name>.parquet in a directory with three independent readers,
// DuckDB (@duckdb/node-api), arrow-rs (parquet-wasm, decoded with
// apache-arrow) and hyparquet (pure JavaScript), and compares each cell exactly
// with <name>.json, written by tests/parquet/tools/write_fixtures.cc. Also
// checks the row-group count and, through DuckDB's parquet_metadata(), the
// footer's null counts. hyparquet is compared on the top-level columns whose
// values it returns losslessly (booleans, integers, floats, strings, dates);
// it turns binary into text, timestamps into milliseconds and decimals into
// doubles, so those columns are left to the other two readers.
//
// Usage: node check_with_independent_readers.mjs <fixture-dir>
// Exit status 0 when every file matches; 1 with a report otherwise.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm/node';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const MAX_REPORTED = 20;

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

function floatBits(x, width) {
  if (Number.isNaN(x)) return 'NaN';
  const view = new DataView(new ArrayBuffer(8));
  if (width === 4) {
    view.setFloat32(0, x);
    return view.getUint32(0).toString(16).padStart(8, '0');
  }
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

// DuckDB values -> canonical cells (see write_fixtures.cc).
function fromDuck(type, v) {
  if (v === null || v === undefined) return null;
  switch (type.id) {
    case 'boolean': return v;
    case 'byte': case 'short': case 'integer': case 'long': return String(v);
    case 'float': return floatBits(v, 4);
    case 'double': return floatBits(v, 8);
    case 'string': return v;
    case 'binary': return 'hex:' + hex(v.bytes);
    case 'date': return String(v.days);
    case 'timestamp': case 'timestamp_ntz': return String(v.micros);
    case 'decimal': return BigInt(v.value).toString();
    case 'struct': {
      const out = {};
      for (const f of type.fields) out[f.name] = fromDuck(f.type, v.entries[f.name]);
      return out;
    }
    case 'array': return v.items.map((x) => fromDuck(type.element, x));
    case 'map': return v.entries.map((e) => [fromDuck(type.key, e.key), fromDuck(type.value, e.value)]);
    default: throw new Error(`unknown type ${type.id}`);
  }
}

// Arrow JS values -> canonical cells. `raw` is the exact physical value for
// top-level dates and timestamps, which Arrow JS converts to milliseconds.
function fromArrow(type, v, raw) {
  if (v === null || v === undefined) return null;
  switch (type.id) {
    case 'boolean': return v;
    case 'byte': case 'short': case 'integer': case 'long': return String(v);
    case 'float': return floatBits(v, 4);
    case 'double': return floatBits(v, 8);
    case 'string': return v;
    case 'binary': return 'hex:' + hex(v);
    case 'date': case 'timestamp': case 'timestamp_ntz': return String(raw);
    case 'decimal': return String(v);
    case 'struct': {
      const out = {};
      for (const f of type.fields) out[f.name] = fromArrow(f.type, v[f.name]);
      return out;
    }
    case 'array': return [...v].map((x) => fromArrow(type.element, x));
    case 'map': return [...v].map(([k, x]) => [fromArrow(type.key, k), fromArrow(type.value, x)]);
    default: throw new Error(`unknown type ${type.id}`);
  }
}

// Physical value at row i of a flat Arrow column (across record batches).
function rawAt(column, i) {
  let row = i;
  for (const data of column.data) {
    if (row < data.length) return data.values[data.offset + row];
    row -= data.length;
  }
  throw new Error(`row ${i} out of range`);
}

function compareRows(reader, expected, actualRows, problems) {
  if (actualRows.length !== expected.rows.length) {
    problems.push(`${reader}: ${actualRows.length} rows, expected ${expected.rows.length}`);
    return;
  }
  expected.rows.forEach((row, r) => {
    row.forEach((want, c) => {
      const got = JSON.stringify(actualRows[r][c]);
      if (got !== JSON.stringify(want)) {
        problems.push(`${reader}: row ${r} column ${expected.columns[c].name}: got ${got}, expected ${JSON.stringify(want)}`);
      }
    });
  });
}

async function checkDuckDB(con, file, expected, problems) {
  const quoted = file.replaceAll("'", "''");
  const result = await con.runAndReadAll(`SELECT * FROM read_parquet('${quoted}')`);
  const rows = result.getRows().map((row) =>
    row.map((v, c) => fromDuck(expected.columns[c].type, v)));
  compareRows('duckdb', expected, rows, problems);

  const meta = await con.runAndReadAll(
    `SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${quoted}')`);
  const groups = Number(meta.getRows()[0][0]);
  if (groups !== expected.row_groups) {
    problems.push(`duckdb: ${groups} row groups, expected ${expected.row_groups}`);
  }
  await checkNullCounts(con, quoted, expected, problems);
}

// Footer null_count of each flat column, summed over row groups.
async function checkNullCounts(con, quoted, expected, problems) {
  const meta = await con.runAndReadAll(
    `SELECT path_in_schema, sum(stats_null_count) FROM parquet_metadata('${quoted}') GROUP BY 1`);
  const counts = new Map(meta.getRows().map(([p, n]) => [String(p), n === null ? null : Number(n)]));
  expected.columns.forEach((col, c) => {
    if (['struct', 'array', 'map'].includes(col.type.id) || expected.rows.length === 0) return;
    const want = expected.rows.filter((row) => row[c] === null).length;
    const got = counts.get(col.name);
    if (got !== want) problems.push(`duckdb metadata: column ${col.name} null_count ${got}, expected ${want}`);
  });
}

function checkParquetWasm(file, expected, problems) {
  const table = tableFromIPC(parquetWasm.readParquet(readFileSync(file)).intoIPCStream());
  const columns = expected.columns.map((col) => table.getChild(col.name));
  const missing = expected.columns.filter((col, c) => columns[c] === null);
  if (missing.length > 0) {
    problems.push(`parquet-wasm: columns ${missing.map((col) => col.name).join(', ')} missing`);
    return;
  }
  const rows = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(expected.columns.map((col, c) => {
      const v = columns[c].get(r);
      const flatRaw = ['date', 'timestamp', 'timestamp_ntz'].includes(col.type.id);
      return fromArrow(col.type, v, flatRaw && v !== null ? rawAt(columns[c], r) : undefined);
    }));
  }
  compareRows('parquet-wasm', expected, rows, problems);
}

const HYPARQUET_TYPES = new Set(['boolean', 'byte', 'short', 'integer', 'long', 'float', 'double',
  'string', 'date']);

function fromHyparquet(type, v) {
  if (v === null || v === undefined) return null;
  switch (type.id) {
    case 'boolean': case 'string': return v;
    case 'byte': case 'short': case 'integer': case 'long': return String(v);
    case 'float': return floatBits(v, 4);
    case 'double': return floatBits(v, 8);
    case 'date': return String(Math.round(v.getTime() / 86400000));
    default: throw new Error(`type ${type.id} not compared with hyparquet`);
  }
}

async function checkHyparquet(file, expected, problems) {
  const cols = expected.columns.map((col, c) => ({ col, c }))
    .filter(({ col }) => HYPARQUET_TYPES.has(col.type.id));
  if (cols.length === 0) return;
  const buf = readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const objects = await parquetReadObjects({ file: ab, compressors,
                                             columns: cols.map(({ col }) => col.name) });
  const subset = { columns: cols.map(({ col }) => col),
                   rows: expected.rows.map((row) => cols.map(({ c }) => row[c])) };
  const rows = objects.map((o) => cols.map(({ col }) => fromHyparquet(col.type, o[col.name])));
  compareRows('hyparquet', subset, rows, problems);
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node check_with_independent_readers.mjs <fixture-dir>');
    process.exit(2);
  }
  const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  if (names.length === 0) {
    console.error(`no fixtures in ${dir}`);
    process.exit(1);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  let failed = 0;
  for (const name of names) {
    const expected = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
    const file = path.join(dir, `${name}.parquet`);
    const problems = [];
    for (const [reader, run] of [['duckdb', () => checkDuckDB(con, file, expected, problems)],
                                 ['parquet-wasm', () => checkParquetWasm(file, expected, problems)],
                                 ['hyparquet', () => checkHyparquet(file, expected, problems)]]) {
      try {
        await run();
      } catch (e) {
        problems.push(`${reader}: failed to read: ${e.message ?? e}`);
      }
    }
    if (problems.length === 0) {
      console.log(`ok   ${name} (${expected.rows.length} rows)`);
      continue;
    }
    failed++;
    console.log(`FAIL ${name}: ${problems.length} problem(s)`);
    for (const p of problems.slice(0, MAX_REPORTED)) console.log(`  ${p}`);
  }
  console.log(`${names.length - failed} of ${names.length} fixtures match`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
