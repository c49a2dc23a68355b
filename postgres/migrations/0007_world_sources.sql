-- The world in the catalogue: facilities from several public lists, and
-- countries' typical prices kept apart from facilities' own prices.

-- Where a facility comes from, one value per list that has it
-- ("wikidata:Q4013", "eurostat:AT_K101"): a hospital two lists agree on is
-- one facility with two sources. Facilities loaded before have none.
ALTER TABLE facilities ADD COLUMN source text[] NOT NULL DEFAULT '{}';

-- What a treatment typically costs in a country, by a cross-country price
-- table. It is a reference shown beside offers, never an offer's price, so
-- price filters and sorts do not read it.
CREATE TABLE price_references (
    treatment_id bigint        NOT NULL REFERENCES treatments (id) ON DELETE CASCADE,
    country_code char(2)       NOT NULL REFERENCES countries (code),
    amount       numeric(14,2) NOT NULL CHECK (amount > 0),
    currency     char(3)       NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    source       text          NOT NULL CHECK (source <> ''),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (treatment_id, country_code)
);
CREATE INDEX price_references_country_idx ON price_references (country_code);
