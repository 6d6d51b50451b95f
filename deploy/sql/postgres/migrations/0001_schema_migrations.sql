-- The migration ledger, as the Python predecessor created it. The migrator
-- (src/postgres/migrations.cc) creates the same table before reading it and
-- adds its own checksum column (sha256 hex of each applied file).
CREATE TABLE IF NOT EXISTS public.schema_migrations (
  version TEXT PRIMARY KEY,
  applied_at TIMESTAMPTZ
);
