// Writes Parquet files with two independent writers, DuckDB (@duckdb/node-api)
// and arrow-rs (parquet-wasm), plus a JSON of the expected values per file, for
// the reader tests (tests/parquet/reader_interop_test.cc and the integration
// test that regenerates them).
//
//   node tests/parquet/gen_reader_fixtures.mjs <out_dir> [--small]
//
// Expected values are canonical JSON cells:
//   null; booleans; integers, dates (days), timestamps (microseconds) and
//   decimals up to 18 digits (unscaled) as JSON integers; wider decimals and
//   unsigned 64-bit integers as decimal strings; floats as numbers ("NaN",
//   "Infinity", "-Infinity" as strings); strings as-is; binary as "0x<hex>";
//   lists as arrays; structs as arrays of their fields in schema order; maps as
//   [k0, v0, k1, v1, ...].
// DuckDB's expectations come from DuckDB reading its own file back; arrow-rs
// files' from the arrays handed to the writer.
import fs from 'node:fs';
import path from 'node:path';

const sourceDir = process.env.RS_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const nm = path.join(sourceDir, 'node_modules');
const { DuckDBInstance } = await import(path.join(nm, '@duckdb/node-api/lib/index.js'));
const arrow = await import(path.join(nm, 'apache-arrow/Arrow.node.mjs'));
const pq = await import(path.join(nm, 'parquet-wasm/node/parquet_wasm.js'));

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: gen_reader_fixtures.mjs <out_dir>');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

const BIG = '__rs_big__';
function writeJson(file, obj) {
  const text = JSON.stringify(obj, (k, v) => (typeof v === 'bigint' ? BIG + v.toString() : v));
  fs.writeFileSync(file, text.replace(new RegExp(`"${BIG}(-?\\d+)"`, 'g'), '$1') + '\n');
}

function num(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function hex(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}

// DuckDB value -> canonical cell. `wide` marks columns whose integers are strings.
function canon(v, wide) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return wide ? v.toString() : v;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  switch (v.constructor.name) {
    case 'DuckDBDateValue':
      return v.days;
    case 'DuckDBTimestampValue':
    case 'DuckDBTimestampTZValue':
    case 'DuckDBTimestampMicrosecondsValue':
      return v.micros;
    case 'DuckDBTimestampMillisecondsValue':
      return v.millis * 1000n;
    case 'DuckDBTimestampNanosecondsValue': {
      const q = v.nanos / 1000n;
      return v.nanos < 0n && q * 1000n !== v.nanos ? q - 1n : q;
    }
    case 'DuckDBDecimalValue':
      return v.width > 18 ? v.value.toString() : v.value;
    case 'DuckDBBlobValue':
      return hex(v.bytes);
    case 'DuckDBListValue':
    case 'DuckDBArrayValue':
      return v.items.map((x) => canon(x, false));
    case 'DuckDBStructValue':
      return Object.values(v.entries).map((x) => canon(x, false));
    case 'DuckDBMapValue':
      return v.entries.flatMap((e) => [canon(e.key, false), canon(e.value, false)]);
    default:
      throw new Error('no canonical form for ' + v.constructor.name);
  }
}

const FLAT_SQL = (rows) => `
SELECT
  CASE WHEN i % 7 = 3 THEN NULL ELSE (i % 250 - 125)::TINYINT END AS i8,
  (i * 37 % 65536 - 32768)::SMALLINT AS i16,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 1000003 % 2147483647 - 1000000000)::INTEGER END AS i32,
  (i::BIGINT * 9876543210987 - 4000000000000000)::BIGINT AS i64,
  (i % 256)::UTINYINT AS u8,
  (i * 17000000)::UINTEGER AS u32,
  CASE WHEN i = 5 THEN 18446744073709551615::UBIGINT ELSE (i::UBIGINT * 1000000000000007) END AS u64,
  CASE WHEN i = 4 THEN 'nan'::FLOAT WHEN i = 6 THEN '-inf'::FLOAT ELSE (i * 0.5 - 3.25)::FLOAT END AS f32,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS f64,
  CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS bo,
  CASE WHEN i % 13 = 0 THEN NULL ELSE 'sym_' || (i % 17) END AS s_dict,
  'unique_' || i || repeat('é', i % 5) AS s_uniq,
  CASE WHEN i % 9 = 0 THEN NULL ELSE ('bin' || i)::BLOB END AS bin,
  DATE '1969-12-01' + (i * 3)::INTEGER AS dt,
  TIMESTAMP '1969-12-31 23:00:00.123456' + to_microseconds(i * 3600000123) AS ts,
  (TIMESTAMP '2021-03-04 05:06:07.123' + to_milliseconds(i * 1000)) ::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2021-03-04 05:06:07.123456' + to_microseconds(i * 7))::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMPTZ '2022-06-01 00:00:00+00' + to_microseconds(i * 1000001)) AS tstz,
  ((i - 125) * 1.25)::DECIMAL(5, 2) AS dec5,
  CASE WHEN i % 8 = 0 THEN NULL ELSE ((i - 100) * 123.456)::DECIMAL(9, 3) END AS dec9,
  ((i - 125) * 123456789.123456)::DECIMAL(18, 6) AS dec18,
  (((i - 125)::HUGEINT * 1234567890123456789012345 + 7)::DECIMAL(38, 0))::DECIMAL(38, 10)
    + CAST('0.0000000123' AS DECIMAL(38, 10)) AS dec38
FROM range(${rows}) t(i)`;

const NESTED_SQL = `
SELECT
  i AS id,
  CASE WHEN i % 5 = 0 THEN NULL
       ELSE {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END,
             'c': {'x': i * 2, 'y': [i, i + 1]}} END AS st,
  CASE WHEN i % 6 = 0 THEN NULL WHEN i % 6 = 1 THEN []::INTEGER[]
       ELSE list_slice([i, NULL, i * 2, i * 3], 1, i % 4 + 1) END AS li,
  CASE WHEN i % 4 = 0 THEN NULL
       ELSE [{'k': 'k' || i, 'v': i}, {'k': NULL, 'v': NULL}, NULL] END AS ls,
  CASE WHEN i % 7 = 0 THEN NULL WHEN i % 7 = 1 THEN MAP([]::VARCHAR[], []::VARCHAR[])
       ELSE MAP(['p' || i, 'r'], ['q' || i, NULL]) END AS m,
  [[i], []::BIGINT[], NULL, [i, i + 1]] AS ll,
  CASE WHEN i % 3 = 0 THEN NULL ELSE ['s' || i, NULL] END AS lstr,
  MAP([i], [[i, i]]) AS m_list,
  {'path': 'part-' || i || '.parquet',
   'partitionValues': MAP(['year_month'], ['2024-0' || (i % 9 + 1)]),
   'size': i * 1000,
   'stats': CASE WHEN i % 2 = 0 THEN NULL ELSE '{"numRecords":' || i || '}' END,
   'stats_parsed': {'numRecords': i, 'minValues': {'close': i * 1.5}}} AS add
FROM range(60) t(i)`;

async function duckdbFixtures(conn, small) {
  const out = [];
  const codecs = small ? ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4']
                       : ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4'];
  for (const version of ['V1', 'V2']) {
    for (const codec of codecs) {
      const name = `duckdb_flat_${codec}_${version.toLowerCase()}.parquet`;
      await conn.run(`COPY (${FLAT_SQL(150)}) TO '${path.join(outDir, name)}'
        (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 100)`);
      out.push(name);
    }
    const nested = `duckdb_nested_${version.toLowerCase()}.parquet`;
    await conn.run(`COPY (${NESTED_SQL}) TO '${path.join(outDir, nested)}'
      (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 25)`);
    out.push(nested);
  }
  for (const name of out) {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path.join(outDir, name)}')`);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRows();
    const columns = names.map((n, c) => {
      const wide = types[c] === 'UBIGINT' || /^DECIMAL\((19|[2-9]\d)/.test(types[c]);
      return { name: n, values: rows.map((r) => canon(r[c], wide)) };
    });
    writeJson(path.join(outDir, name + '.json'), { writer: 'duckdb', num_rows: rows.length, columns });
  }
  return out;
}

function arrowColumn(type, data, valid) {
  const n = data.length;
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return arrow.makeVector(arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

// Columns for arrow-rs: [name, arrow vector, canonical expected values].
function arrowTable(rows) {
  const idx = [...Array(rows).keys()];
  const valid = (m) => idx.map((i) => i % m !== 1);
  const cols = [];
  const add = (name, vec, expected) => cols.push([name, vec, expected]);
  const fixed = (name, type, Arr, f, m, canonFn = (x) => x) => {
    const data = Arr.from(idx.map(f));
    const ok = valid(m);
    add(name, arrowColumn(type, data, ok), idx.map((i) => (ok[i] ? canonFn(data[i]) : null)));
  };
  fixed('i8', new arrow.Int8(), Int8Array, (i) => (i * 7) % 256 - 128, 5);
  fixed('i16', new arrow.Int16(), Int16Array, (i) => (i * 331) % 65536 - 32768, 6);
  fixed('i32', new arrow.Int32(), Int32Array, (i) => (i * 1000003) % 2000000000 - 1000000000, 7);
  fixed('i64', new arrow.Int64(), BigInt64Array, (i) => BigInt(i) * 98765432109877n - 9000000000000000000n, 8);
  fixed('u16', new arrow.Uint16(), Uint16Array, (i) => (i * 997) % 65536, 9);
  fixed('u32', new arrow.Uint32(), Uint32Array, (i) => (i * 4000037) % 4294967296, 10);
  fixed('f32', new arrow.Float32(), Float32Array, (i) => i * 0.75 - 10.5, 11, num);
  fixed('f64', new arrow.Float64(), Float64Array, (i) => Math.sqrt(i) * (i % 2 ? -1 : 1), 12, num);
  fixed('date', new arrow.DateDay(), Int32Array, (i) => i * 17 - 3000, 13);
  fixed('ts_ms', new arrow.TimestampMillisecond(), BigInt64Array, (i) => BigInt(i) * 86400123n - 5000n, 14, (x) => x * 1000n);
  fixed('ts_us', new arrow.TimestampMicrosecond('UTC'), BigInt64Array, (i) => BigInt(i) * 3600000001n, 15);
  fixed('ts_ns', new arrow.TimestampNanosecond('UTC'), BigInt64Array, (i) => BigInt(i) * 999999999n - 12345n, 16,
        (x) => (x < 0n && x % 1000n !== 0n ? x / 1000n - 1n : x / 1000n));
  const bools = idx.map((i) => (i % 4 === 1 ? null : i % 3 === 0));
  add('bool', arrow.vectorFromArray(bools, new arrow.Bool()), bools);
  const strs = idx.map((i) => (i % 6 === 1 ? null : `str_${i % 23}_${'z'.repeat(i % 7)}`));
  add('utf8', arrow.vectorFromArray(strs, new arrow.Utf8()), strs);
  const sorted = idx.map((i) => `prefix_shared_${String(i).padStart(5, '0')}`);
  add('utf8_sorted', arrow.vectorFromArray(sorted, new arrow.Utf8()), sorted);
  const bins = idx.map((i) => (i % 5 === 2 ? null : Uint8Array.from([i % 256, 0, 255, (i * 3) % 256])));
  add('bin', arrow.vectorFromArray(bins, new arrow.Binary()), bins.map((b) => (b ? hex(b) : null)));
  return cols;
}

const WASM_ENCODINGS = {
  plain: { dict: false, enc: () => pq.Encoding.PLAIN },
  dict: { dict: true, enc: () => null },
  delta: {
    dict: false,
    enc: (name) => {
      if (name.startsWith('utf8')) return pq.Encoding.DELTA_BYTE_ARRAY;
      if (name === 'bin') return pq.Encoding.DELTA_LENGTH_BYTE_ARRAY;
      if (name.startsWith('f')) return pq.Encoding.BYTE_STREAM_SPLIT;
      if (name === 'bool') return pq.Encoding.RLE;
      return pq.Encoding.DELTA_BINARY_PACKED;
    },
  },
};

function wasmFixtures() {
  const out = [];
  const rows = 300;
  const cols = arrowTable(rows);
  const table = new arrow.Table(Object.fromEntries(cols.map(([n, v]) => [n, v])));
  const ipc = arrow.tableToIPC(table, 'stream');
  const codecs = [['uncompressed', pq.Compression.UNCOMPRESSED], ['snappy', pq.Compression.SNAPPY],
                  ['gzip', pq.Compression.GZIP], ['zstd', pq.Compression.ZSTD], ['lz4raw', pq.Compression.LZ4_RAW]];
  let k = 0;
  for (const [version, wv] of [['v1', pq.WriterVersion.V1], ['v2', pq.WriterVersion.V2]]) {
    for (const [encName, spec] of Object.entries(WASM_ENCODINGS)) {
      const [codecName, codec] = codecs[k++ % codecs.length];
      let b = new pq.WriterPropertiesBuilder()
        .setWriterVersion(wv).setCompression(codec).setDictionaryEnabled(spec.dict)
        .setMaxRowGroupSize(128).setDataPageSizeLimit(512);
      for (const [n] of cols) {
        const e = spec.enc(n);
        if (e !== null) b = b.setColumnEncoding(n, e);
      }
      const name = `arrowrs_${encName}_${version}_${codecName}.parquet`;
      const bytes = pq.writeParquet(pq.Table.fromIPCStream(ipc), b.build());
      fs.writeFileSync(path.join(outDir, name), bytes);
      const back = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
      if (back.numRows !== rows) throw new Error(`${name}: arrow-rs reads ${back.numRows} rows back`);
      writeJson(path.join(outDir, name + '.json'), {
        writer: 'arrow-rs', num_rows: rows, columns: cols.map(([n, , e]) => ({ name: n, values: e })),
      });
      out.push(name);
    }
  }
  return out;
}

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run(`SET TimeZone = 'UTC'`);
const files = [...(await duckdbFixtures(conn, process.argv.includes('--small'))), ...wasmFixtures()];
writeJson(path.join(outDir, 'manifest.json'), { files });
console.log(`wrote ${files.length} files to ${outDir}`);
