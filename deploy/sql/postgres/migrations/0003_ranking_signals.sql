-- Serving copy of the Delta tables ranking_signals and composite_signals
-- (SIGNALS.md), plus the per-month sync ledger. IF NOT EXISTS throughout so a
-- database built by the predecessor is adopted unchanged.
CREATE SCHEMA IF NOT EXISTS ranking;

CREATE TABLE IF NOT EXISTS ranking.ranking_signal (
  date DATE NOT NULL,
  year_month TEXT NOT NULL,
  symbol TEXT NOT NULL,
  strategy TEXT NOT NULL,
  rank INTEGER NOT NULL,
  rank_percentile DOUBLE PRECISION NOT NULL,
  n_symbols INTEGER NOT NULL,
  score DOUBLE PRECISION NULL,
  PRIMARY KEY (date, symbol, strategy)
);
CREATE INDEX IF NOT EXISTS ranking_signal_year_month_idx
  ON ranking.ranking_signal (year_month);
CREATE INDEX IF NOT EXISTS ranking_signal_symbol_date_idx
  ON ranking.ranking_signal (symbol, date);

CREATE TABLE IF NOT EXISTS ranking.composite_signal_daily (
  date DATE NOT NULL,
  year_month TEXT NOT NULL,
  symbol TEXT NOT NULL,
  composite_percentile DOUBLE PRECISION NOT NULL,
  strategies_present INTEGER NOT NULL,
  strategies_hit INTEGER NOT NULL,
  composite_rank INTEGER NOT NULL,
  PRIMARY KEY (date, symbol)
);
CREATE INDEX IF NOT EXISTS composite_signal_daily_year_month_idx
  ON ranking.composite_signal_daily (year_month);
CREATE INDEX IF NOT EXISTS composite_signal_daily_symbol_date_idx
  ON ranking.composite_signal_daily (symbol, date);

CREATE TABLE IF NOT EXISTS ranking.signal_sync_state (
  year_month TEXT PRIMARY KEY,
  synced_at TIMESTAMPTZ,
  signals_rows BIGINT,
  composite_rows BIGINT,
  status TEXT,
  error TEXT
);

-- Least privilege (docs/postgres.md): the job's role reads, inserts and
-- deletes signal rows and maintains the ledger; the API reads. Granted only
-- to roles that exist, so the migration runs on any cluster.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ranking_writer') THEN
    GRANT USAGE ON SCHEMA ranking TO ranking_writer;
    GRANT SELECT, INSERT, DELETE ON ranking.ranking_signal, ranking.composite_signal_daily
      TO ranking_writer;
    GRANT SELECT, INSERT, UPDATE ON ranking.signal_sync_state TO ranking_writer;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'api_service') THEN
    GRANT USAGE ON SCHEMA ranking TO api_service;
    GRANT SELECT ON ranking.ranking_signal, ranking.composite_signal_daily,
      ranking.signal_sync_state TO api_service;
  END IF;
END
$$;
