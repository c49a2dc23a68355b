-- Countries' reference prices (0007) are catalogue data: log their changes
-- like every other catalogue table's (0005).
SELECT changes_watch('price_references', 'ARRAY[treatment_id::text, country_code::text]', 'NULL::jsonb');
