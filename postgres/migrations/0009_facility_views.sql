-- Views of a provider's page: one row each time a patient opened a
-- facility's detail view in the widget (or a client that sends the same
-- beacon, POST /v1/facilities/{id}/view). Like search_events it is not
-- catalogue data and holds nothing about the person: the normalised terms
-- of the search that led there (never the raw text) and the country they
-- chose to give (from=). No foreign key: a reload never touches it, and a
-- provider keeps its counts after a facility leaves the catalogue.
CREATE TABLE facility_views (
    at              timestamptz NOT NULL,
    facility_id     bigint      NOT NULL,
    keywords        text[]      NOT NULL DEFAULT '{}',
    patient_country text
);
CREATE INDEX facility_views_facility_idx ON facility_views (facility_id, at);
