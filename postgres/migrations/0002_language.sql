-- Search that understands patients: treatments in the patients' languages,
-- and a graph of the words they use for what the catalogue calls otherwise.

CREATE TABLE treatment_translations (
    treatment_id bigint      NOT NULL REFERENCES treatments (id) ON DELETE CASCADE,
    lang         text        NOT NULL CHECK (lang IN ('es', 'fr', 'de', 'tr')),
    name         text        NOT NULL CHECK (name <> ''),
    lay_names    text[]      NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (treatment_id, lang)
);

-- A directed edge: a patient who types term may mean synonym. An
-- equivalence is two edges. Terms are stored the way queries are compared
-- with them: lower case, words separated by single spaces.
CREATE TABLE synonyms (
    term       text        NOT NULL CHECK (term ~ '^\S+( \S+)*$' AND term = lower(term)),
    synonym    text        NOT NULL CHECK (synonym ~ '^\S+( \S+)*$' AND synonym = lower(synonym)),
    source     text        NOT NULL CHECK (source IN ('medquad', 'drg', 'curated')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (term, synonym),
    CHECK (term <> synonym)
);
