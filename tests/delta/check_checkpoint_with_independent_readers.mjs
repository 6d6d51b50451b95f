// Checks a classic Delta checkpoint written by ranking-signals with two
// independent Parquet readers, the ones other Delta engines build on: DuckDB
// (@duckdb/node-api) and arrow-rs (parquet-wasm; delta-rs reads checkpoints
// through arrow-rs). No Delta engine can be installed here (DuckDB's delta
// extension is downloaded from extensions.duckdb.org, which this machine does
// not reach), so this checks what such an engine relies on:
//   1. the checkpoint's columns and nested types, as each reader decodes them,
//      are those of a checkpoint written by Spark + Delta (the reference
//      implementation; passed as the second argument): every field present in
//      both has the same type, and the fields PROTOCOL.md requires are there;
//   2. its content, as each reader decodes it, equals an independent replay of
//      the JSON commits up to the checkpoint version done here in JavaScript
//      (live files with size, partitionValues, stats and modificationTime;
//      tombstones; the newest metaData and protocol; txn). As in the
//      reference implementation's checkpoints, dataChange is false: a
//      checkpoint is the table's state, not a change.
//
// Usage: node check_checkpoint_with_independent_readers.mjs <table-dir> <reference-checkpoint.parquet>
// Exit status 0 when everything matches; 1 with a report otherwise.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm/node';

const [tableDir, referencePath] = process.argv.slice(2);
if (!tableDir || !referencePath) {
  console.error('usage: check_checkpoint_with_independent_readers.mjs <table-dir> <reference-checkpoint.parquet>');
  process.exit(2);
}
const logDir = path.join(tableDir, '_delta_log');
const problems = [];
const problem = (msg) => problems.push(msg);

function canonical(v) {
  // JSON text with object keys sorted, for order-independent comparison.
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// ---- 1. Which checkpoint, and the JSON replay up to its version -----------
const last = JSON.parse(readFileSync(path.join(logDir, '_last_checkpoint'), 'utf8'));
const version = last.version;
const pad = String(version).padStart(20, '0');
const checkpointFiles = readdirSync(logDir).filter((f) => f.startsWith(`${pad}.checkpoint`) && f.endsWith('.parquet'));
if (checkpointFiles.length !== 1 || checkpointFiles[0] !== `${pad}.checkpoint.parquet`) {
  problem(`expected one classic checkpoint ${pad}.checkpoint.parquet, found ${JSON.stringify(checkpointFiles)}`);
}
const checkpointPath = path.join(logDir, `${pad}.checkpoint.parquet`);

const live = new Map();        // path -> add action
const tombstones = new Map();  // path -> remove action
const txns = new Map();
let metaData = null;
let protocol = null;
for (let v = 0; v <= version; ++v) {
  const text = readFileSync(path.join(logDir, `${String(v).padStart(20, '0')}.json`), 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const action = JSON.parse(line);
    if (action.add) {
      const p = decodeURIComponent(action.add.path);
      live.set(p, action.add);
      tombstones.delete(p);
    } else if (action.remove) {
      const p = decodeURIComponent(action.remove.path);
      live.delete(p);
      tombstones.set(p, action.remove);
    } else if (action.metaData) {
      metaData = action.metaData;
    } else if (action.protocol) {
      protocol = action.protocol;
    } else if (action.txn) {
      txns.set(action.txn.appId, action.txn);
    }
  }
}
if (live.size === 0) problem('the replay has no live files: the test table is not meaningful');
if (tombstones.size === 0) problem('the replay has no tombstones: the test table is not meaningful');

// ---- 2. Schema versus the reference checkpoint (DuckDB types) -------------
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

async function columnTypes(file) {
  const r = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  return new Map(r.getRowObjects().map((row) => [row.column_name, row.column_type]));
}

// Splits "STRUCT(a T, b STRUCT(...))" into its fields; other types are leaves.
function parseStruct(type) {
  if (!type.startsWith('STRUCT(')) return null;
  const body = type.slice('STRUCT('.length, -1);
  const fields = new Map();
  let depth = 0;
  let start = 0;
  const push = (part) => {
    part = part.trim();
    const m = part.match(/^("(?:[^"]|"")*"|[^ ]+) (.*)$/s);
    fields.set(m[1].replace(/^"|"$/g, ''), m[2]);
  };
  for (let i = 0; i < body.length; ++i) {
    const c = body[i];
    if (c === '(' || c === '[') ++depth;
    else if (c === ')' || c === ']') --depth;
    else if (c === ',' && depth === 0) {
      push(body.slice(start, i));
      start = i + 1;
    }
  }
  push(body.slice(start));
  return fields;
}

function compareTypes(where, ours, theirs) {
  const a = parseStruct(ours);
  const b = parseStruct(theirs);
  if (a && b) {
    for (const [name, type] of a) {
      if (b.has(name)) compareTypes(`${where}.${name}`, type, b.get(name));
      else problem(`${where}.${name}: not in the reference checkpoint (${type})`);
    }
    return;
  }
  if (ours !== theirs) problem(`${where}: type ${ours}, the reference checkpoint has ${theirs}`);
}

const required = {
  add: ['path', 'partitionValues', 'size', 'modificationTime', 'dataChange', 'stats'],
  remove: ['path', 'deletionTimestamp', 'dataChange'],
  metaData: ['id', 'format', 'schemaString', 'partitionColumns', 'configuration', 'createdTime'],
  protocol: ['minReaderVersion', 'minWriterVersion'],
};
const ourTypes = await columnTypes(checkpointPath);
const refTypes = await columnTypes(referencePath);
for (const [column, fields] of Object.entries(required)) {
  if (!ourTypes.has(column)) {
    problem(`checkpoint has no column ${column}`);
    continue;
  }
  const struct = parseStruct(ourTypes.get(column));
  for (const f of fields) if (!struct.has(f)) problem(`checkpoint column ${column} has no field ${f}`);
}
for (const [column, type] of ourTypes) {
  if (!refTypes.has(column)) problem(`checkpoint column ${column} is not in the reference checkpoint`);
  else compareTypes(column, type, refTypes.get(column));
}

// ---- 3. Content as each reader decodes it ---------------------------------
// Normalized actions: maps as sorted [key, value] pairs, longs as strings.
const mapPairs = (m) => (m == null ? null : [...m].map(([k, v]) => [k, v]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
const objPairs = (o) => (o == null ? null : mapPairs(Object.entries(o)));
const str = (v) => (v == null ? null : String(v));

function expectedAdd(a) {
  return { path: decodeURIComponent(a.path), partitionValues: objPairs(a.partitionValues), size: str(a.size),
    modificationTime: str(a.modificationTime), dataChange: false, stats: a.stats ?? null };
}
function expectedRemove(r) {
  return { path: decodeURIComponent(r.path), deletionTimestamp: str(r.deletionTimestamp), dataChange: false };
}
function expectedMeta(m) {
  return { id: m.id, provider: m.format.provider, schemaString: m.schemaString,
    partitionColumns: m.partitionColumns, configuration: objPairs(m.configuration ?? {}), createdTime: str(m.createdTime) };
}
function expectedProtocol(p) {
  return { minReaderVersion: p.minReaderVersion, minWriterVersion: p.minWriterVersion };
}
const expected = {
  adds: [...live.values()].map(expectedAdd).sort((x, y) => (x.path < y.path ? -1 : 1)),
  removes: [...tombstones.values()].map(expectedRemove).sort((x, y) => (x.path < y.path ? -1 : 1)),
  metaData: [expectedMeta(metaData)],
  protocol: [expectedProtocol(protocol)],
  txns: [...txns.values()].map((t) => ({ appId: t.appId, version: str(t.version) })).sort((x, y) => (x.appId < y.appId ? -1 : 1)),
};

function collect(rows) {
  // rows: plain objects {add, remove, metaData, protocol, txn} with maps as
  // arrays of [key, value] and longs as strings.
  const got = { adds: [], removes: [], metaData: [], protocol: [], txns: [] };
  for (const r of rows) {
    const kinds = ['add', 'remove', 'metaData', 'protocol', 'txn'].filter((k) => r[k] != null);
    if (kinds.length !== 1) problem(`a checkpoint row holds ${kinds.length} actions (${kinds.join(', ')}), not one`);
    if (r.add) {
      got.adds.push({ path: r.add.path, partitionValues: mapPairs(r.add.partitionValues), size: r.add.size,
        modificationTime: r.add.modificationTime, dataChange: r.add.dataChange, stats: r.add.stats });
    }
    if (r.remove) {
      got.removes.push({ path: r.remove.path, deletionTimestamp: r.remove.deletionTimestamp, dataChange: r.remove.dataChange });
    }
    if (r.metaData) {
      const m = r.metaData;
      got.metaData.push({ id: m.id, provider: m.format.provider, schemaString: m.schemaString,
        partitionColumns: m.partitionColumns, configuration: mapPairs(m.configuration ?? []), createdTime: m.createdTime });
    }
    if (r.protocol) got.protocol.push({ minReaderVersion: r.protocol.minReaderVersion, minWriterVersion: r.protocol.minWriterVersion });
    if (r.txn) got.txns.push({ appId: r.txn.appId, version: r.txn.version });
  }
  got.adds.sort((x, y) => (x.path < y.path ? -1 : 1));
  got.removes.sort((x, y) => (x.path < y.path ? -1 : 1));
  got.txns.sort((x, y) => (x.appId < y.appId ? -1 : 1));
  return got;
}

function compareContent(reader, got) {
  for (const key of Object.keys(expected)) {
    const e = expected[key];
    const g = got[key];
    if (e.length !== g.length) {
      problem(`${reader}: ${g.length} ${key} in the checkpoint, the JSON replay has ${e.length}`);
      continue;
    }
    for (let i = 0; i < e.length; ++i) {
      if (canonical(e[i]) !== canonical(g[i])) {
        problem(`${reader}: ${key}[${i}] differs\n  checkpoint: ${canonical(g[i])}\n  replay:     ${canonical(e[i])}`);
        break;
      }
    }
  }
}

// DuckDB: structs as objects, maps as arrays of [key, value], longs as strings.
function fromDuck(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(fromDuck);
  if (typeof v === 'object') {
    if ('entries' in v && Array.isArray(v.entries)) return v.entries.map((e) => [fromDuck(e.key), fromDuck(e.value)]);
    if ('entries' in v) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, fromDuck(x)]));
    if ('items' in v) return v.items.map(fromDuck);
  }
  return v;
}
{
  const r = await con.runAndReadAll(`SELECT add, remove, metaData, protocol, txn FROM read_parquet(${sqlString(checkpointPath)})`);
  const rows = r.getRows().map(([add, remove, meta, proto, txn]) => ({
    add: fromDuck(add), remove: fromDuck(remove), metaData: fromDuck(meta), protocol: fromDuck(proto), txn: fromDuck(txn) }));
  compareContent('DuckDB', collect(rows));
}

// arrow-rs (parquet-wasm), decoded with Arrow JS: structs as row proxies,
// maps as Map-like vectors of entries, longs as bigint.
function fromArrow(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  switch (v.constructor?.name) {
    case 'MapRow': return [...v].map(([k, x]) => [fromArrow(k), fromArrow(x)]);
    case 'StructRow': return Object.fromEntries(Object.keys(v.toJSON()).map((k) => [k, fromArrow(v[k])]));
    case 'Vector': return [...v].map(fromArrow);
    default: break;
  }
  return v;
}
{
  const table = tableFromIPC(parquetWasm.readParquet(readFileSync(checkpointPath)).intoIPCStream());
  const rows = [];
  for (let i = 0; i < table.numRows; ++i) {
    const row = {};
    for (const k of ['add', 'remove', 'metaData', 'protocol', 'txn']) {
      const col = table.getChild(k);
      row[k] = col ? fromArrow(col.get(i)) : null;
    }
    rows.push(row);
  }
  compareContent('arrow-rs', collect(rows));
}

if (problems.length) {
  console.log(`checkpoint ${checkpointPath}: ${problems.length} problem(s)`);
  for (const p of problems.slice(0, 30)) console.log(`- ${p}`);
  process.exit(1);
}
console.log(`checkpoint ${checkpointPath} (version ${version}): schema matches the reference checkpoint; ` +
  `DuckDB and arrow-rs decode ${expected.adds.length} adds, ${expected.removes.length} removes, ` +
  `${expected.txns.length} txns, metaData and protocol equal to the JSON replay`);
