-- A change to an offer re-reads its treatment, whose record carries the
-- count and price span of its offers per currency (Source.treatments:
-- count, min and max over offers WHERE treatment_id = ANY(...)). With only
-- an index on treatment_id, that read visits one heap page per offer: 70 ms
-- for a treatment of 3,000 offers, a second for one of 58,000, on every
-- batch of the change log that touches it. Carrying the priced columns in
-- the index lets PostgreSQL answer from the index alone (2 ms for 3,000).
-- It replaces the plain index on treatment_id, which it covers.
CREATE INDEX offers_treatment_prices_idx ON offers (treatment_id) INCLUDE (currency, price, price_min);
DROP INDEX offers_treatment_idx;
