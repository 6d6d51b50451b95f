-- The serving tables' (year_month) access path becomes a BRIN index.
--
-- A month's partition holds one month, so its year_month column has a single
-- value. The btree of 0005 on it cost about 0.25 s of each month's
-- replacement (630,000 ranking_signal rows) to sort and write entries that
-- all say the same thing. A BRIN index (one min/max summary per 128 heap
-- pages; here min = max = the month) answers the same question: a query for
-- another month reads the partition's few summary pages and none of its
-- heap, the month's own partition is read whole either way. It is built in
-- one pass over the heap, about 0.07 s. The DEFAULT partition gets one too.
--
-- Per table whose (year_month) index is still a btree: the BRIN partitioned
-- index is built first under a temporary name (SHARE locks: readers go on,
-- writers wait), then the btree is dropped (ACCESS EXCLUSIVE on the parent
-- and its partitions, held only until the COMMIT that follows) and the new
-- indexes take the old names, <table>_year_month_idx on the parent and
-- <partition>_year_month_idx on each partition. One transaction: a kill
-- midway leaves the btree; a rerun skips a table whose index is BRIN.
DO $$
DECLARE
  t text;
  fresh regclass;
  child record;
BEGIN
  FOREACH t IN ARRAY ARRAY['ranking_signal', 'composite_signal_daily'] LOOP
    IF (SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam
         WHERE i.oid = to_regclass(format('ranking.%I', t || '_year_month_idx')))
       IS DISTINCT FROM 'btree' THEN
      CONTINUE;
    END IF;
    EXECUTE format('CREATE INDEX %I ON ranking.%I USING brin (year_month)',
                   t || '_year_month_brin', t);
    fresh := format('ranking.%I', t || '_year_month_brin')::regclass;
    EXECUTE format('DROP INDEX ranking.%I', t || '_year_month_idx');
    FOR child IN SELECT i.relname AS index_name, r.relname AS table_name
                   FROM pg_inherits h
                   JOIN pg_class i ON i.oid = h.inhrelid
                   JOIN pg_index x ON x.indexrelid = h.inhrelid
                   JOIN pg_class r ON r.oid = x.indrelid
                  WHERE h.inhparent = fresh LOOP
      EXECUTE format('ALTER INDEX ranking.%I RENAME TO %I', child.index_name,
                     left(child.table_name, 48) || '_year_month_idx');
    END LOOP;
    EXECUTE format('ALTER INDEX ranking.%I RENAME TO %I', t || '_year_month_brin',
                   t || '_year_month_idx');
  END LOOP;
END
$$;

-- 0005's function with the BRIN index: builds the staging table's primary
-- key and the indexes matching the parent's partitioned indexes (so ATTACH
-- adopts them instead of building), then ANALYZEs it.
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
  EXECUTE format('CREATE INDEX %I ON ranking.%I USING brin (year_month)',
                 staging || '_year_month_idx', staging);
  EXECUTE format('ANALYZE ranking.%I', staging);
END
$$;
