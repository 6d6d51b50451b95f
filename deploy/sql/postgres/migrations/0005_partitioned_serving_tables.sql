-- Serving tables partitioned by month (docs/postgres.md, "Partitions"):
-- ranking.ranking_signal and ranking.composite_signal_daily become
-- PARTITION BY RANGE (date) parents with one partition per month,
-- <table>_YYYY_MM covering [first day, first day of next month), and a DEFAULT
-- partition <table>_default for rows of months without a partition (another
-- tool's INSERT or COPY into the parent). Columns, nullability, primary keys
-- and the (symbol, date) and (year_month) access paths stay as they were.
--
-- An existing table (ours or the predecessor's) is converted in place
-- without losing a row: renamed away, its rows moved month by month into new
-- partitions, then dropped. The whole file is one transaction: a kill
-- midway rolls everything back, and readers wait (ACCESS EXCLUSIVE of the
-- rename) until it commits. A parent that is already partitioned
-- (pg_class.relkind = 'p') is left alone, so a rerun is a no-op.
--
-- Then the definer functions through which the writer role replaces a month
-- without owning the tables (ATTACH and DETACH need ownership), and grants.

DO $$
DECLARE
  t text;
  keys text;
  old_name text;
  month_start date;
  part text;
  idx record;
  acl record;
BEGIN
  FOREACH t IN ARRAY ARRAY['ranking_signal', 'composite_signal_daily'] LOOP
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(format('ranking.%I', t))) = 'p' THEN
      CONTINUE;
    END IF;
    keys := CASE t WHEN 'ranking_signal' THEN 'date, symbol, strategy' ELSE 'date, symbol' END;
    old_name := t || '_unpartitioned';
    EXECUTE format('ALTER TABLE ranking.%I RENAME TO %I', t, old_name);
    -- Its indexes (and the primary key constraint with its index) free their names.
    FOR idx IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = format('ranking.%I', old_name)::regclass LOOP
      EXECUTE format('ALTER INDEX ranking.%I RENAME TO %I', idx.relname,
                     left(idx.relname, 50) || '_unpart');
    END LOOP;
    -- Same columns, types and NOT NULLs as the table it replaces.
    EXECUTE format('CREATE TABLE ranking.%I (LIKE ranking.%I INCLUDING DEFAULTS, PRIMARY KEY (%s))'
                   ' PARTITION BY RANGE (date)', t, old_name, keys);
    EXECUTE format('CREATE INDEX %I ON ranking.%I (symbol, date)', t || '_symbol_date_idx', t);
    EXECUTE format('CREATE INDEX %I ON ranking.%I (year_month)', t || '_year_month_idx', t);
    -- Whatever other roles could do on the old table, they can on the parent.
    FOR acl IN SELECT a.grantee, a.privilege_type
                 FROM pg_class c, aclexplode(c.relacl) a
                WHERE c.oid = format('ranking.%I', old_name)::regclass AND a.grantee <> c.relowner LOOP
      EXECUTE format('GRANT %s ON ranking.%I TO %s', acl.privilege_type, t,
                     CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE acl.grantee::regrole::text END);
    END LOOP;
    EXECUTE format('CREATE TABLE ranking.%I PARTITION OF ranking.%I DEFAULT', t || '_default', t);
    FOR month_start IN EXECUTE format(
        'SELECT DISTINCT date_trunc(''month'', date::timestamp)::date FROM ranking.%I ORDER BY 1', old_name) LOOP
      part := t || '_' || to_char(month_start, 'YYYY_MM');
      -- The CHECK lets ATTACH skip its validation scan.
      EXECUTE format('CREATE TABLE ranking.%I (LIKE ranking.%I INCLUDING DEFAULTS,'
                     ' CONSTRAINT %I CHECK (date >= %L AND date < %L))',
                     part, t, part || '_month', month_start, (month_start + interval '1 month')::date);
      EXECUTE format('INSERT INTO ranking.%I SELECT * FROM ranking.%I'
                     ' WHERE date >= %L AND date < %L ORDER BY %s',
                     part, old_name, month_start, (month_start + interval '1 month')::date, keys);
      EXECUTE format('ALTER TABLE ranking.%I ADD CONSTRAINT %I PRIMARY KEY (%s)',
                     part, part || '_pkey', keys);
      EXECUTE format('CREATE INDEX %I ON ranking.%I (symbol, date)', part || '_symbol_date_idx', part);
      EXECUTE format('CREATE INDEX %I ON ranking.%I (year_month)', part || '_year_month_idx', part);
      EXECUTE format('ALTER TABLE ranking.%I ATTACH PARTITION ranking.%I FOR VALUES FROM (%L) TO (%L)',
                     t, part, month_start, (month_start + interval '1 month')::date);
      EXECUTE format('ANALYZE ranking.%I', part);
    END LOOP;
    EXECUTE format('DROP TABLE ranking.%I', old_name);
  END LOOP;
END
$$;

-- Validates the arguments of the functions below and returns the month's
-- first day. p_table must be one of the two serving tables, p_year_month
-- YYYY-MM. Raises invalid_parameter_value (22023) otherwise.
CREATE OR REPLACE FUNCTION ranking.replication_month_start(p_table text, p_year_month text)
RETURNS date LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_table IS NULL OR p_table NOT IN ('ranking_signal', 'composite_signal_daily') THEN
    RAISE EXCEPTION 'table % is not a serving table (ranking_signal, composite_signal_daily)',
      quote_nullable(p_table) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_year_month IS NULL OR p_year_month !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
    RAISE EXCEPTION 'month % is not YYYY-MM', quote_nullable(p_year_month)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN to_date(p_year_month || '-01', 'YYYY-MM-DD');
END
$$;

-- Creates ranking.<table>_YYYY_MM_staging (dropping a leftover one) with the
-- parent's columns, read from the catalog so the parent is not locked, a
-- CHECK confining it to the month, and INSERT and SELECT for the calling
-- session_user. Row triggers and statement triggers defined on the parent
-- are copied onto it, so they fire for the rows written as they did when
-- rows were inserted into the parent. Returns the qualified staging name.
CREATE OR REPLACE FUNCTION ranking.replication_create_staging(p_table text, p_year_month text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_day date := ranking.replication_month_start(p_table, p_year_month);
  final_name text := p_table || '_' || to_char(first_day, 'YYYY_MM');
  staging text := final_name || '_staging';
  cols text;
  trig record;
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS ranking.%I', staging);
  SELECT string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                           CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', '
                    ORDER BY a.attnum)
    INTO cols
    FROM pg_attribute a
   WHERE a.attrelid = format('ranking.%I', p_table)::regclass AND a.attnum > 0
     AND NOT a.attisdropped;
  EXECUTE format('CREATE TABLE ranking.%I (%s, CONSTRAINT %I CHECK (date >= %L AND date < %L))',
                 staging, cols, final_name || '_month', first_day,
                 (first_day + interval '1 month')::date);
  IF session_user <> current_user THEN
    EXECUTE format('GRANT SELECT, INSERT ON ranking.%I TO %I', staging, session_user);
  END IF;
  FOR trig IN SELECT pg_get_triggerdef(g.oid) AS def FROM pg_trigger g
               WHERE g.tgrelid = format('ranking.%I', p_table)::regclass AND NOT g.tgisinternal LOOP
    EXECUTE replace(trig.def, format(' ON ranking.%I ', p_table), format(' ON ranking.%I ', staging));
  END LOOP;
  RETURN format('ranking.%I', staging);
END
$$;

-- Builds the staging table's primary key and the indexes matching the
-- parent's partitioned indexes (so ATTACH adopts them instead of building),
-- then ANALYZEs it. Returns the staging table's row count as ANALYZE saw it.
CREATE OR REPLACE FUNCTION ranking.replication_index_staging(p_table text, p_year_month text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_day date := ranking.replication_month_start(p_table, p_year_month);
  staging text := p_table || '_' || to_char(first_day, 'YYYY_MM') || '_staging';
  keys text := CASE p_table WHEN 'ranking_signal' THEN 'date, symbol, strategy'
                            ELSE 'date, symbol' END;
BEGIN
  IF to_regclass(format('ranking.%I', staging)) IS NULL THEN
    RAISE EXCEPTION 'staging table ranking.% does not exist', staging
      USING ERRCODE = 'undefined_table';
  END IF;
  EXECUTE format('ALTER TABLE ranking.%I ADD CONSTRAINT %I PRIMARY KEY (%s)',
                 staging, staging || '_pkey', keys);
  EXECUTE format('CREATE INDEX %I ON ranking.%I (symbol, date)', staging || '_symbol_date_idx', staging);
  EXECUTE format('CREATE INDEX %I ON ranking.%I (year_month)', staging || '_year_month_idx', staging);
  EXECUTE format('ANALYZE ranking.%I', staging);
END
$$;

-- Swaps the month's staging tables in, ranking_signal then
-- composite_signal_daily. First takes ACCESS EXCLUSIVE on both parents in
-- that fixed order (so concurrent months cannot deadlock; the caller's
-- lock_timeout bounds the wait), then per table: deletes the month's rows
-- from the DEFAULT partition, DETACHes and DROPs the month's partition if
-- any, renames staging and its indexes to the final names, revokes the
-- caller's grants on it, drops the copied triggers (the parent's clone onto
-- the partition at ATTACH) and ATTACHes it. Returns, per table, the rows of
-- the month that were served before (old partition plus DEFAULT rows).
CREATE OR REPLACE FUNCTION ranking.replication_swap_month(p_year_month text)
RETURNS TABLE (table_name text, rows_replaced bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t text;
  first_day date;
  next_day date;
  final_name text;
  staging text;
  old regclass;
  n bigint;
  d bigint;
  obj record;
BEGIN
  PERFORM ranking.replication_month_start('ranking_signal', p_year_month);
  LOCK TABLE ranking.ranking_signal, ranking.composite_signal_daily IN ACCESS EXCLUSIVE MODE;
  FOREACH t IN ARRAY ARRAY['ranking_signal', 'composite_signal_daily'] LOOP
    first_day := ranking.replication_month_start(t, p_year_month);
    next_day := (first_day + interval '1 month')::date;
    final_name := t || '_' || to_char(first_day, 'YYYY_MM');
    staging := final_name || '_staging';
    IF to_regclass(format('ranking.%I', staging)) IS NULL THEN
      RAISE EXCEPTION 'staging table ranking.% does not exist', staging
        USING ERRCODE = 'undefined_table';
    END IF;
    n := 0;
    IF to_regclass(format('ranking.%I', t || '_default')) IS NOT NULL THEN
      EXECUTE format('DELETE FROM ranking.%I WHERE date >= %L AND date < %L',
                     t || '_default', first_day, next_day);
      GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    old := to_regclass(format('ranking.%I', final_name));
    IF old IS NOT NULL THEN
      EXECUTE format('SELECT count(*) FROM ranking.%I', final_name) INTO d;
      n := n + d;
      IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = old) THEN
        EXECUTE format('ALTER TABLE ranking.%I DETACH PARTITION ranking.%I', t, final_name);
      END IF;
      EXECUTE format('DROP TABLE ranking.%I', final_name);
    END IF;
    FOR obj IN SELECT g.tgname FROM pg_trigger g
                WHERE g.tgrelid = format('ranking.%I', staging)::regclass AND NOT g.tgisinternal LOOP
      EXECUTE format('DROP TRIGGER %I ON ranking.%I', obj.tgname, staging);
    END LOOP;
    IF session_user <> current_user THEN
      EXECUTE format('REVOKE ALL ON ranking.%I FROM %I', staging, session_user);
    END IF;
    EXECUTE format('ALTER TABLE ranking.%I RENAME TO %I', staging, final_name);
    FOR obj IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = format('ranking.%I', final_name)::regclass LOOP
      EXECUTE format('ALTER INDEX ranking.%I RENAME TO %I', obj.relname,
                     final_name || substr(obj.relname, length(staging) + 1));
    END LOOP;
    EXECUTE format('ALTER TABLE ranking.%I ATTACH PARTITION ranking.%I FOR VALUES FROM (%L) TO (%L)',
                   t, final_name, first_day, next_day);
    table_name := 'ranking.' || t;
    rows_replaced := n;
    RETURN NEXT;
  END LOOP;
END
$$;

REVOKE ALL ON FUNCTION ranking.replication_month_start(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ranking.replication_create_staging(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ranking.replication_index_staging(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ranking.replication_swap_month(text) FROM PUBLIC;

-- The writer reads the parents (verification) and replaces months only
-- through the functions; it owns nothing and has no CREATE on ranking. The
-- API reads. Granted only to roles that exist, as in 0003.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ranking_writer') THEN
    REVOKE CREATE ON SCHEMA ranking FROM ranking_writer;
    GRANT USAGE ON SCHEMA ranking TO ranking_writer;
    REVOKE ALL ON ranking.ranking_signal, ranking.composite_signal_daily FROM ranking_writer;
    GRANT SELECT ON ranking.ranking_signal, ranking.composite_signal_daily TO ranking_writer;
    GRANT EXECUTE ON FUNCTION ranking.replication_create_staging(text, text),
      ranking.replication_index_staging(text, text), ranking.replication_swap_month(text)
      TO ranking_writer;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'api_service') THEN
    GRANT USAGE ON SCHEMA ranking TO api_service;
    GRANT SELECT ON ranking.ranking_signal, ranking.composite_signal_daily TO api_service;
  END IF;
END
$$;
