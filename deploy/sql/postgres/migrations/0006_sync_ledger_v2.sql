-- Ledger v2 (docs/postgres.md, "Ledger"): each month's row knows the source
-- of the rows it describes (the Delta tables' metaData.id, the signals
-- table's location and the commit timestamp of the version read), and keeps
-- the last success apart from the last attempt.
ALTER TABLE ranking.signal_sync_state
  ADD COLUMN IF NOT EXISTS signals_table_id TEXT,
  ADD COLUMN IF NOT EXISTS composite_table_id TEXT,
  ADD COLUMN IF NOT EXISTS source_location TEXT,
  ADD COLUMN IF NOT EXISTS signals_commit_timestamp TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS last_success_at TIMESTAMPTZ;

UPDATE ranking.signal_sync_state SET last_success_at = synced_at
 WHERE status = 'success' AND last_success_at IS NULL;

-- A status other than success/failed (another tool's) becomes 'failed', the
-- old value kept in error, so the CHECK below holds.
UPDATE ranking.signal_sync_state
   SET error = coalesce(error || '; ', '') || 'status was ' || quote_nullable(status)
               || ' before migration 0006',
       status = 'failed'
 WHERE status IS NULL OR status NOT IN ('success', 'failed');

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint
                  WHERE conrelid = 'ranking.signal_sync_state'::regclass
                    AND conname = 'signal_sync_state_status_check') THEN
    ALTER TABLE ranking.signal_sync_state
      ADD CONSTRAINT signal_sync_state_status_check CHECK (status IN ('success', 'failed'));
  END IF;
END
$$;

COMMENT ON TABLE ranking.signal_sync_state IS
  'One row per replicated month of the serving copy: the last attempt (synced_at, status, error, run_id) and what is served (counts, versions, checksums, source identity, last_success_at). Written by ranking-signals.';
COMMENT ON COLUMN ranking.signal_sync_state.year_month IS 'Month, YYYY-MM.';
COMMENT ON COLUMN ranking.signal_sync_state.synced_at IS 'When the last attempt (success or failure) wrote this row.';
COMMENT ON COLUMN ranking.signal_sync_state.signals_rows IS 'ranking.ranking_signal rows of the month served since the last success.';
COMMENT ON COLUMN ranking.signal_sync_state.composite_rows IS 'ranking.composite_signal_daily rows of the month served since the last success.';
COMMENT ON COLUMN ranking.signal_sync_state.status IS 'Outcome of the last attempt: success or failed.';
COMMENT ON COLUMN ranking.signal_sync_state.error IS 'Error of the last attempt (redacted); NULL after a success.';
COMMENT ON COLUMN ranking.signal_sync_state.rankings_delta_version IS 'Delta version of the rankings table the served rows derive from; NULL if unknown.';
COMMENT ON COLUMN ranking.signal_sync_state.signals_delta_version IS 'Delta version of ranking_signals the served rows were read from; NULL if unknown.';
COMMENT ON COLUMN ranking.signal_sync_state.composite_delta_version IS 'Delta version of composite_signals the served rows were read from; NULL if unknown.';
COMMENT ON COLUMN ranking.signal_sync_state.run_id IS 'Run of the last attempt.';
COMMENT ON COLUMN ranking.signal_sync_state.signals_checksum IS 'Content checksum of the served ranking_signal rows (docs/postgres.md).';
COMMENT ON COLUMN ranking.signal_sync_state.composite_checksum IS 'Content checksum of the served composite_signal_daily rows.';
COMMENT ON COLUMN ranking.signal_sync_state.signals_table_id IS 'Delta metaData.id of the ranking_signals table the served rows came from; NULL before ledger v2.';
COMMENT ON COLUMN ranking.signal_sync_state.composite_table_id IS 'Delta metaData.id of the composite_signals table the served rows came from; NULL before ledger v2.';
COMMENT ON COLUMN ranking.signal_sync_state.source_location IS 'Location of the ranking_signals Delta table, without credentials.';
COMMENT ON COLUMN ranking.signal_sync_state.signals_commit_timestamp IS 'Commit timestamp of the ranking_signals Delta version the served rows came from.';
COMMENT ON COLUMN ranking.signal_sync_state.last_success_at IS 'When the served rows were written (the last successful attempt).';
