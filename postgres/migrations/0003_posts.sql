-- Providers' posts (catalogue data: 'careatlas load' replaces them with the
-- rest of the catalogue) and search analytics (not catalogue data: a reload
-- never touches them, so they refer to posts and facilities by id without
-- foreign keys).

CREATE TABLE posts (
    id                 bigint        PRIMARY KEY CHECK (id > 0),
    facility_id        bigint        NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    doctor_id          bigint        REFERENCES doctors (id) ON DELETE CASCADE,
    title              text          NOT NULL CHECK (title <> '' AND length(title) <= 200),
    body               text          NOT NULL CHECK (body <> '' AND length(body) <= 1000),
    published          boolean       NOT NULL DEFAULT false,
    starts_at          timestamptz   NOT NULL,
    ends_at            timestamptz   CHECK (ends_at > starts_at),
    -- Targeting: see search/posts.Targeting. An empty list holds for every
    -- search, but a post must name a treatment, a category or a keyword.
    treatment_ids      bigint[]      NOT NULL DEFAULT '{}',
    categories         text[]        NOT NULL DEFAULT '{}',
    patient_countries  text[]        NOT NULL DEFAULT '{}',
    facility_countries text[]        NOT NULL DEFAULT '{}',
    languages          text[]        NOT NULL DEFAULT '{}',
    keywords           text[]        NOT NULL DEFAULT '{}',
    price_max_usd      numeric(14,2) CHECK (price_max_usd >= 0),
    lang               text          NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'es', 'fr', 'de', 'tr')),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CHECK (cardinality(treatment_ids) + cardinality(categories) + cardinality(keywords) > 0)
);
CREATE INDEX posts_facility_idx ON posts (facility_id);

-- One row per search: what it looked for (normalised terms, never the raw
-- text), the country the patient gave, and what it surfaced.
CREATE TABLE search_events (
    at              timestamptz NOT NULL,
    keywords        text[]      NOT NULL DEFAULT '{}',
    patient_country text,
    categories      text[]      NOT NULL DEFAULT '{}',
    facility_ids    bigint[]    NOT NULL DEFAULT '{}',
    post_ids        bigint[]    NOT NULL DEFAULT '{}',
    total           integer     NOT NULL CHECK (total >= 0)
);
CREATE INDEX search_events_at_idx ON search_events (at);
CREATE INDEX search_events_facilities_idx ON search_events USING gin (facility_ids);
CREATE INDEX search_events_categories_idx ON search_events USING gin (categories) WHERE total = 0;

-- One row per post impression or click; facility_id is the post's at the
-- time, so a provider keeps its counts after the post leaves the catalogue.
CREATE TABLE post_events (
    at          timestamptz NOT NULL,
    post_id     bigint      NOT NULL,
    facility_id bigint      NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('view', 'click'))
);
CREATE INDEX post_events_facility_idx ON post_events (facility_id, at);
