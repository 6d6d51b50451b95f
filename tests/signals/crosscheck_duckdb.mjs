// Independent SQL implementation of SIGNALS.md, run in DuckDB: the reference
// the engine is cross-checked (tests/signals/sql_crosscheck_integration_test.cc)
// and benchmarked (bench/signals_duckdb.mjs) against.
//
// Usage: node crosscheck_duckdb.mjs <input_dir> <output_dir> <weights.json> <top_n>
//   input_dir holds market.csv (date,symbol,close,volume) and finance.csv
//   (date,symbol,pe_ratio); empty fields are NULL. Writes rankings.csv,
//   ranking_signals.csv and composite_signals.csv to output_dir.
//   weights.json holds a JSON object ({} = 1.0 for every strategy).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HIGHER_IS_BETTER = ['Momentum_60D', 'Momentum_12_1', 'Trend_50_200'];

function quote(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}

// Statements loading the two input CSVs as tables market_daily and finance_daily.
export function loadStatements(inputDir) {
  return [
    `CREATE OR REPLACE TABLE market_daily AS SELECT * FROM read_csv(${quote(inputDir + '/market.csv')},
       header = true, nullstr = '',
       columns = {'date': 'DATE', 'symbol': 'VARCHAR', 'close': 'DOUBLE', 'volume': 'DOUBLE'})`,
    `CREATE OR REPLACE TABLE finance_daily AS SELECT * FROM read_csv(${quote(inputDir + '/finance.csv')},
       header = true, nullstr = '',
       columns = {'date': 'DATE', 'symbol': 'VARCHAR', 'pe_ratio': 'DOUBLE'})`,
  ];
}

// Statements computing the tables rankings, ranking_signals and composite_signals
// from market_daily and finance_daily, straight from the SIGNALS.md definitions.
// `months` (optional, ["YYYY-MM", ...]) restricts the ranked dates; the
// windows still see the whole history.
// `spillable`: the composite's weighted mean as sum()/sum() instead of the
// list form. The list form adds the terms in strategy-name order, as the
// engine does, so this test can compare bit for bit; but DuckDB cannot spill a
// list() aggregate, and at 5,000 symbols x 10 years it runs out of memory on a
// 24 GiB machine. sum()/sum() differs only in the order of the additions (the
// last bit, before the rounding to 12 places); the benchmark uses it.
export function signalStatements(weights, topN, months = null, { spillable = false } = {}) {
  const monthFilter = months && months.length > 0
    ? `WHERE strftime(date, '%Y-%m') IN (${months.map(quote).join(', ')})`
    : '';
  const weightRows = Object.entries(weights)
    .map(([name, w]) => `(${quote(name)}, ${Number(w)}::DOUBLE)`)
    .join(', ');
  const weightTable = weightRows.length > 0
    ? `SELECT * FROM (VALUES ${weightRows}) t(strategy, weight)`
    : `SELECT DISTINCT strategy, 1.0::DOUBLE AS weight FROM rankings`;
  const higher = HIGHER_IS_BETTER.map(quote).join(', ');
  const weightedMean = spillable
    ? 'sum(w.weight * s.rank_percentile) / sum(w.weight)'
    : `list_reduce(list(w.weight * s.rank_percentile ORDER BY s.strategy), lambda a, b: a + b)
       / list_reduce(list(w.weight ORDER BY s.strategy), lambda a, b: a + b)`;
  return [
    // The series: valid rows, indexed per symbol from 0 in date order.
    `CREATE OR REPLACE TABLE series AS
     SELECT date, symbol, close,
            row_number() OVER (PARTITION BY symbol ORDER BY date) - 1 AS i
     FROM market_daily
     WHERE date IS NOT NULL AND symbol IS NOT NULL AND symbol <> ''
       AND close IS NOT NULL AND isfinite(close) AND close > 0
       AND volume IS NOT NULL AND isfinite(volume) AND volume >= 0`,
    `CREATE OR REPLACE TABLE lagged AS
     SELECT date, symbol, i, close,
            lag(close, 21) OVER w AS c_21,
            lag(close, 60) OVER w AS c_60,
            lag(close, 252) OVER w AS c_252,
            ln(close / lag(close, 1) OVER w) AS r,
            avg(close) OVER (w ROWS BETWEEN 49 PRECEDING AND CURRENT ROW) AS avg_50,
            avg(close) OVER (w ROWS BETWEEN 199 PRECEDING AND CURRENT ROW) AS avg_200
     FROM series
     WINDOW w AS (PARTITION BY symbol ORDER BY i)`,
    `CREATE OR REPLACE TABLE features AS
     SELECT *, stddev_samp(r) OVER (PARTITION BY symbol ORDER BY i
                                    ROWS BETWEEN 62 PRECEDING AND CURRENT ROW) AS vol_63
     FROM lagged`,
    // The latest finance row on or before each market date decides Value_PE.
    `CREATE OR REPLACE TABLE latest_pe AS
     SELECT s.date, s.symbol, f.pe_ratio
     FROM series s ASOF JOIN finance_daily f ON s.symbol = f.symbol AND s.date >= f.date`,
    `CREATE OR REPLACE TABLE scores AS
     SELECT date, symbol, 'Momentum_60D' AS strategy, close / c_60 - 1 AS score FROM features WHERE i >= 60
     UNION ALL
     SELECT date, symbol, 'Momentum_12_1', c_21 / c_252 - 1 FROM features WHERE i >= 252
     UNION ALL
     SELECT date, symbol, 'Reversal_21D', close / c_21 - 1 FROM features WHERE i >= 21
     UNION ALL
     SELECT date, symbol, 'LowVol_63D', vol_63 * sqrt(252) FROM features WHERE i >= 63
     UNION ALL
     SELECT date, symbol, 'Trend_50_200', avg_50 / avg_200 - 1 FROM features WHERE i >= 199
     UNION ALL
     SELECT date, symbol, 'Value_PE', pe_ratio FROM latest_pe
     WHERE pe_ratio IS NOT NULL AND isfinite(pe_ratio) AND pe_ratio > 0`,
    `CREATE OR REPLACE TABLE rankings AS
     SELECT date, strftime(date, '%Y-%m') AS year_month, strategy, symbol,
            CAST(row_number() OVER (
              PARTITION BY date, strategy
              ORDER BY CASE WHEN strategy IN (${higher}) THEN score END DESC,
                       CASE WHEN strategy NOT IN (${higher}) THEN score END ASC,
                       symbol ASC) AS INTEGER) AS rank,
            score
     FROM scores ${monthFilter}`,
    `CREATE OR REPLACE TABLE ranking_signals AS
     SELECT date, year_month, symbol, strategy, rank,
            CASE WHEN n_symbols = 1 THEN 1.0
                 ELSE 1 - CAST(rank - 1 AS DOUBLE) / CAST(n_symbols - 1 AS DOUBLE) END
              AS rank_percentile,
            CAST(n_symbols AS INTEGER) AS n_symbols, score
     FROM (SELECT *, count(*) OVER (PARTITION BY date, strategy) AS n_symbols FROM rankings)`,
    `CREATE OR REPLACE TABLE weights AS ${weightTable}`,
    `CREATE OR REPLACE TABLE composite_signals AS
     WITH per_symbol AS (
       SELECT date, year_month, symbol,
              round(${weightedMean}, 12) AS composite_percentile,
              CAST(count(*) AS INTEGER) AS strategies_present,
              CAST(count(*) FILTER (WHERE s.rank <= ${Number(topN)}) AS INTEGER) AS strategies_hit
       FROM ranking_signals s JOIN weights w USING (strategy)
       GROUP BY date, year_month, symbol)
     SELECT *, CAST(dense_rank() OVER (PARTITION BY date ORDER BY composite_percentile DESC)
                    AS INTEGER) AS composite_rank
     FROM per_symbol`,
  ];
}

export async function runAll(connection, statements) {
  for (const sql of statements) await connection.run(sql);
}

async function main() {
  const [inputDir, outputDir, weightsPath, topN] = process.argv.slice(2);
  if (!inputDir || !outputDir || !weightsPath || !topN) {
    console.error('usage: node crosscheck_duckdb.mjs <input_dir> <output_dir> <weights.json> <top_n>');
    process.exit(2);
  }
  const weights = JSON.parse(readFileSync(weightsPath, 'utf8'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await runAll(connection, loadStatements(inputDir));
  await runAll(connection, signalStatements(weights, topN));
  for (const table of ['rankings', 'ranking_signals', 'composite_signals']) {
    await connection.run(`COPY (SELECT * FROM ${table}) TO ${quote(`${outputDir}/${table}.csv`)}
                          (HEADER, DELIMITER ',')`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`crosscheck_duckdb: ${e.message}`);
    process.exit(1);
  });
}
