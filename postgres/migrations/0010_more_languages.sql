-- Search reads five more languages: Russian, Arabic, Italian, Portuguese and
-- Polish (search.Languages). A check cannot ask Go which languages exist, so
-- the lists are written out here; TestSchemaAcceptsEverySupportedLanguage
-- fails when they and search.Languages part.

ALTER TABLE treatment_translations
    DROP CONSTRAINT treatment_translations_lang_check,
    ADD CONSTRAINT treatment_translations_lang_check
        CHECK (lang IN ('es', 'fr', 'de', 'tr', 'ru', 'ar', 'it', 'pt', 'pl'));

ALTER TABLE posts
    DROP CONSTRAINT posts_lang_check,
    ADD CONSTRAINT posts_lang_check
        CHECK (lang IN ('en', 'es', 'fr', 'de', 'tr', 'ru', 'ar', 'it', 'pt', 'pl'));
