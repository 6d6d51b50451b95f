-- Lineage of each replicated month: the Delta versions it came from, the run
-- that wrote it and order-independent content checksums (docs/postgres.md).
ALTER TABLE ranking.signal_sync_state
  ADD COLUMN IF NOT EXISTS rankings_delta_version BIGINT,
  ADD COLUMN IF NOT EXISTS signals_delta_version BIGINT,
  ADD COLUMN IF NOT EXISTS composite_delta_version BIGINT,
  ADD COLUMN IF NOT EXISTS run_id TEXT,
  ADD COLUMN IF NOT EXISTS signals_checksum TEXT,
  ADD COLUMN IF NOT EXISTS composite_checksum TEXT;
