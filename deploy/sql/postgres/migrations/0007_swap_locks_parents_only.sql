-- The month swap holds the serving tables' parents only, not every partition.
--
-- 0005's swap took ACCESS EXCLUSIVE with `LOCK TABLE parent`, which also
-- locks every partition of the parent. Autovacuum holds SHARE UPDATE
-- EXCLUSIVE on one partition at a time, and after a full rebuild it visits
-- every new partition: the swap then waited, holding the parents (so every
-- reader queued behind it), until autovacuum was cancelled or lock_timeout
-- expired, and retried. At 120 months a single swap took 11.1 s in the
-- benchmark right after its prefill, against about 0.07 s otherwise.
-- Locking the parents ONLY blocks every reader of the serving tables just the
-- same (a query through a parent locks the parent first); the partitions the
-- swap changes (the month's old partition, the DEFAULT partition) are locked
-- by the DELETE, DETACH and ATTACH themselves.
--
-- The old partition's rows are now counted before the lock, so readers are
-- not held while they are: the month's advisory lock (taken by the caller)
-- keeps other replicators of the month out, so the count stays exact unless
-- another tool writes the month meanwhile.
CREATE OR REPLACE FUNCTION ranking.replication_swap_month(p_year_month text)
RETURNS TABLE (table_name text, rows_replaced bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tables text[] := ARRAY['ranking_signal', 'composite_signal_daily'];
  counted bigint[] := ARRAY[0, 0];
  i int;
  t text;
  first_day date;
  next_day date;
  final_name text;
  staging text;
  old regclass;
  n bigint;
  obj record;
BEGIN
  PERFORM ranking.replication_month_start('ranking_signal', p_year_month);
  FOR i IN 1 .. 2 LOOP
    t := tables[i];
    final_name := t || '_' || to_char(ranking.replication_month_start(t, p_year_month), 'YYYY_MM');
    IF to_regclass(format('ranking.%I', final_name)) IS NOT NULL THEN
      EXECUTE format('SELECT count(*) FROM ranking.%I', final_name) INTO n;
      counted[i] := n;
    END IF;
  END LOOP;
  -- In this fixed order, so concurrent months cannot deadlock; the caller's
  -- lock_timeout bounds the wait.
  LOCK TABLE ONLY ranking.ranking_signal, ONLY ranking.composite_signal_daily
    IN ACCESS EXCLUSIVE MODE;
  FOR i IN 1 .. 2 LOOP
    t := tables[i];
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
      n := n + counted[i];
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
    FOR obj IN SELECT x.relname FROM pg_index ix JOIN pg_class x ON x.oid = ix.indexrelid
                WHERE ix.indrelid = format('ranking.%I', final_name)::regclass LOOP
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

REVOKE ALL ON FUNCTION ranking.replication_swap_month(text) FROM PUBLIC;
