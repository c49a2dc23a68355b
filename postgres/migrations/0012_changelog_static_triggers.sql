-- The change log's triggers cost a catalogue write nine times the write:
-- an UPDATE of one offer by id took 0.03 ms alone and 0.29 ms with its
-- trigger, because changes_record built its INSERT into changes with
-- format() and ran it with EXECUTE, which PostgreSQL parses and plans on
-- every call. At 100 changes a second that was most of what the database
-- spent on them. changes_watch now writes each watched table its own
-- trigger functions, the table's key and references written into static
-- SQL that PL/pgSQL plans once per session (0.12 ms with the trigger).
-- The rows logged, the bulk-load switch and the notification are the
-- same; TRUNCATE, rare, keeps the generic changes_record.
CREATE OR REPLACE FUNCTION changes_watch(tbl text, key text, refs text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    skip constant text := format('IF current_setting(%L, true) = ''on'' THEN RETURN NULL; END IF;',
        'careatlas_truncated.' || tbl);
    notify constant text := 'IF FOUND THEN PERFORM pg_notify(''careatlas_changes'', ''''); END IF; RETURN NULL;';
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
        'changes_' || tbl || '_insert', format(
        'BEGIN %s
            INSERT INTO changes (table_name, key, op) SELECT %L, %s, ''insert'' FROM new_rows;
            %s
        END', skip, tbl, key, notify));
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
        'changes_' || tbl || '_delete', format(
        'BEGIN %s
            INSERT INTO changes (table_name, key, op, refs) SELECT %L, %s, ''delete'', %s FROM old_rows;
            %s
        END', skip, tbl, key, refs, notify));
    -- An update may change a primary key: the old key is then deleted and
    -- the new one inserted, as far as readers are concerned.
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
        'changes_' || tbl || '_update', format(
        'BEGIN %s
            INSERT INTO changes (table_name, key, op, refs)
            SELECT %L, coalesce(n.k, o.k),
                CASE WHEN o.k IS NULL THEN ''insert'' WHEN n.k IS NULL THEN ''delete'' ELSE ''update'' END, o.r
            FROM (SELECT %s AS k FROM new_rows) n
            FULL JOIN (SELECT %s AS k, %s AS r FROM old_rows) o ON o.k = n.k;
            %s
        END', skip, tbl, key, key, refs, notify));

    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_insert', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_update', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_delete', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', tbl || '_log_truncate', tbl);
    -- A trigger with transition tables may handle one event only.
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl || '_log_insert', tbl, 'changes_' || tbl || '_insert');
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl || '_log_update', tbl, 'changes_' || tbl || '_update');
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl || '_log_delete', tbl, 'changes_' || tbl || '_delete');
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
SELECT changes_watch('price_references',       'ARRAY[treatment_id::text, country_code::text]', 'NULL::jsonb');
