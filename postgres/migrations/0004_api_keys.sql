-- API keys (see package auth). Only SHA-256 of a key's text is stored; the
-- secret is shown once when the key is made. Keys are revoked, never deleted,
-- so that the list shows what was once valid.
--
-- Every server polls a stamp of this table (count and sum of version) to
-- reload its keys when they change: version takes a new, higher value from a
-- sequence on every insert and update (the trigger sees to it, also for
-- updates written by hand), so any committed change moves the sum, even one
-- that commits after a later one.

CREATE SEQUENCE api_keys_version;

CREATE TABLE api_keys (
    id          text        PRIMARY KEY CHECK (id ~ '^[0-9a-f]{12}$'),
    kind        text        NOT NULL CHECK (kind IN ('admin', 'provider', 'search')),
    name        text        NOT NULL CHECK (name <> '' AND length(name) <= 200),
    secret_hash bytea       NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    -- auth.Scope as JSON: filters, defaults, origins, rate.
    scope       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scope) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint      NOT NULL DEFAULT nextval('api_keys_version'),
    CHECK (kind <> 'admin' OR scope = '{}'),
    CHECK (kind <> 'provider' OR coalesce(jsonb_array_length(scope -> 'facility_ids'), 0) > 0)
);

CREATE FUNCTION api_keys_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('api_keys_version');
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER api_keys_touch BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_touch();
