-- The change log: every insert, update and delete on a catalogue table is
-- recorded here, in the transaction that made it, so that servers can bring
-- their index up to date without a rebuild. The log is the truth; the
-- NOTIFY only wakes servers up, and a server that missed one (or was
-- disconnected) reads everything after the last change it applied.
--
-- Why xid: ids come from a sequence, which hands them out when a row is
-- written, not when its transaction commits. A transaction may take id 10,
-- another take id 11 and commit, a reader read up to 11, and then the first
-- commit: a reader that only moves forward by id would never see 10. So a
-- reader reads only the changes of transactions older than the oldest one
-- still in flight (pg_snapshot_xmin(pg_current_snapshot())): those have all
-- committed or aborted, and no change can appear below that line later. Its
-- position is the (xid, id) of the last change it read, in that order. See
-- postgres/changes.go and docs/changelog.md.

CREATE TABLE changes (
    id         bigserial   PRIMARY KEY,
    -- The top-level transaction that made the change (subtransactions share
    -- it, and commit or vanish with it).
    xid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    table_name text        NOT NULL,
    -- The primary key, as text, in the order of the table's primary key
    -- columns; empty for a truncate.
    key        text[]      NOT NULL,
    op         text        NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'truncate')),
    -- For an update or a delete, the row's old references (offers:
    -- facility_id and treatment_id; doctors: facility_id), so that a reader
    -- can tell which records the row used to show up in.
    refs       jsonb,
    -- When the statement ran: a change is committed a little after this.
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX changes_xid_id_idx ON changes (xid, id);

-- How far the log has been trimmed: a reader whose position is before it
-- would miss changes, and is told so instead.
CREATE TABLE changes_trimmed (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    xid  xid8    NOT NULL,
    id   bigint  NOT NULL
);

-- One function for every table, statement-level with transition tables: a
-- COPY of a million rows runs it once, with one INSERT ... SELECT, instead
-- of a million times. TG_ARGV[0] is the key expression over a row, and
-- TG_ARGV[1] the refs expression over an old row.
--
-- TRUNCATE is the bulk load's way in ('careatlas load' and 'careatlas gen'
-- empty every table and COPY it full in one transaction). It records one
-- 'truncate' change, which tells readers to re-read the whole table, and
-- turns logging off for that table until the transaction ends: the rows
-- that follow are covered by the truncate, and logging each of them again
-- would only make the load slower and the log longer.
CREATE FUNCTION changes_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bulk constant text := 'careatlas_truncated.' || TG_TABLE_NAME;
    n bigint;
BEGIN
    IF current_setting(bulk, true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM set_config(bulk, 'on', true);
        INSERT INTO changes (table_name, key, op) VALUES (TG_TABLE_NAME, '{}', 'truncate');
        n := 1;
    ELSIF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO changes (table_name, key, op) SELECT %L, %s, ''insert'' FROM new_rows',
            TG_TABLE_NAME, TG_ARGV[0]);
        GET DIAGNOSTICS n = ROW_COUNT;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO changes (table_name, key, op, refs) SELECT %L, %s, ''delete'', %s FROM old_rows',
            TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]);
        GET DIAGNOSTICS n = ROW_COUNT;
    ELSE
        -- An update may change a primary key: the old key is then deleted
        -- and the new one inserted, as far as readers are concerned.
        EXECUTE format('INSERT INTO changes (table_name, key, op, refs)
            SELECT %L, coalesce(n.k, o.k),
                CASE WHEN o.k IS NULL THEN ''insert'' WHEN n.k IS NULL THEN ''delete'' ELSE ''update'' END, o.r
            FROM (SELECT %s AS k FROM new_rows) n
            FULL JOIN (SELECT %s AS k, %s AS r FROM old_rows) o ON o.k = n.k',
            TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0], TG_ARGV[1]);
        GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    IF n > 0 THEN
        -- Delivered at commit, once per transaction however many statements
        -- ask: it carries nothing, readers go to the log.
        PERFORM pg_notify('careatlas_changes', '');
    END IF;
    RETURN NULL;
END
$$;

-- changes_watch puts the log's triggers on a catalogue table: key is the
-- expression of its primary key as text[], refs that of an old row's
-- references as jsonb. A migration that adds a catalogue table calls it too
-- (a test checks that every catalogue table is watched).
CREATE FUNCTION changes_watch(tbl text, key text, refs text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- A trigger with transition tables may handle one event only.
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION changes_record(%L, %L)', tbl || '_log_insert', tbl, key, refs);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION changes_record(%L, %L)', tbl || '_log_update', tbl, key, refs);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION changes_record(%L, %L)', tbl || '_log_delete', tbl, key, refs);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
        FOR EACH STATEMENT EXECUTE FUNCTION changes_record(%L, %L)', tbl || '_log_truncate', tbl, key, refs);
END
$$;

SELECT changes_watch('exchange_rates',         $k$ARRAY[currency::text, to_char(as_of, 'YYYY-MM-DD')]$k$, 'NULL::jsonb');
SELECT changes_watch('countries',              'ARRAY[code::text]', 'NULL::jsonb');
SELECT changes_watch('treatments',             'ARRAY[id::text]', 'NULL::jsonb');
SELECT changes_watch('facilities',             'ARRAY[id::text]', 'NULL::jsonb');
SELECT changes_watch('doctors',                'ARRAY[id::text]', $r$jsonb_build_object('facility_id', facility_id)$r$);
SELECT changes_watch('doctor_treatments',      'ARRAY[doctor_id::text, treatment_id::text]', 'NULL::jsonb');
SELECT changes_watch('offers',                 'ARRAY[id::text]',
    $r$jsonb_build_object('facility_id', facility_id, 'treatment_id', treatment_id)$r$);
SELECT changes_watch('treatment_translations', 'ARRAY[treatment_id::text, lang]', 'NULL::jsonb');
SELECT changes_watch('synonyms',               'ARRAY[term, synonym]', 'NULL::jsonb');
SELECT changes_watch('posts',                  'ARRAY[id::text]', 'NULL::jsonb');
