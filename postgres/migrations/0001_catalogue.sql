-- The catalogue: the source of truth that the indexer reads. Operators write
-- to these tables directly, so the constraints below are what keeps bad data
-- out of the index.

CREATE TABLE exchange_rates (
    currency   char(3)       NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Units of currency per 1 USD: USD itself is 1.
    rate       numeric(20,8) NOT NULL CHECK (rate > 0),
    as_of      date          NOT NULL,
    updated_at timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (currency, as_of)
);

CREATE TABLE countries (
    code       char(2)     PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name       text        NOT NULL CHECK (name <> ''),
    currency   char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE treatments (
    id         bigint      PRIMARY KEY CHECK (id > 0),
    name       text        NOT NULL CHECK (name <> ''),
    category   text        NOT NULL CHECK (category <> ''),
    lay_names  text[]      NOT NULL DEFAULT '{}',
    code       text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE facilities (
    id             bigint        PRIMARY KEY CHECK (id > 0),
    name           text          NOT NULL CHECK (name <> ''),
    kind           text          NOT NULL CHECK (kind ~ '^[a-z][a-z_]*$'),
    country_code   char(2)       NOT NULL REFERENCES countries (code),
    city           text,
    address        text,
    latitude       double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision CHECK (longitude BETWEEN -180 AND 180),
    accreditations text[]        NOT NULL DEFAULT '{}',
    languages      text[]        NOT NULL DEFAULT '{}',
    rating         numeric(2,1)  CHECK (rating BETWEEN 0 AND 5),
    review_count   integer       CHECK (review_count >= 0),
    description    text,
    website        text,
    updated_at     timestamptz   NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX facilities_country_idx ON facilities (country_code);

CREATE TABLE doctors (
    id               bigint       PRIMARY KEY CHECK (id > 0),
    facility_id      bigint       NOT NULL REFERENCES facilities (id),
    name             text         NOT NULL CHECK (name <> ''),
    specialties      text[]       NOT NULL DEFAULT '{}',
    languages        text[]       NOT NULL DEFAULT '{}',
    years_experience integer      CHECK (years_experience >= 0),
    rating           numeric(2,1) CHECK (rating BETWEEN 0 AND 5),
    review_count     integer      CHECK (review_count >= 0),
    updated_at       timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX doctors_facility_idx ON doctors (facility_id);

CREATE TABLE doctor_treatments (
    doctor_id    bigint      NOT NULL REFERENCES doctors (id) ON DELETE CASCADE,
    treatment_id bigint      NOT NULL REFERENCES treatments (id) ON DELETE CASCADE,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doctor_id, treatment_id)
);
CREATE INDEX doctor_treatments_treatment_idx ON doctor_treatments (treatment_id, doctor_id);

CREATE TABLE offers (
    id           bigint        PRIMARY KEY CHECK (id > 0),
    facility_id  bigint        NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    treatment_id bigint        NOT NULL REFERENCES treatments (id) ON DELETE CASCADE,
    price        numeric(14,2) CHECK (price >= 0),
    price_min    numeric(14,2) CHECK (price_min >= 0),
    price_max    numeric(14,2) CHECK (price_max >= 0),
    currency     char(3)       CHECK (currency ~ '^[A-Z]{3}$'),
    includes     text,
    source       text,
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (facility_id, treatment_id),
    CHECK ((price_min IS NULL) = (price_max IS NULL)),
    CHECK (price_min <= price_max),
    CHECK (currency IS NOT NULL OR (price IS NULL AND price_min IS NULL))
);
CREATE INDEX offers_treatment_idx ON offers (treatment_id);
