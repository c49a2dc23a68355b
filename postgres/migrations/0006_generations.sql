-- Index generations published to object storage, and the replicas that
-- download and serve them (package replica). Not catalogue data: a load
-- never touches these tables.

-- One row per generation uploaded to a store. A row is written only after
-- the generation's last object (its manifest) is in the store, in the same
-- transaction as the NOTIFY that wakes the replicas.
CREATE TABLE generations (
    -- The store the generation lives in, s3://BUCKET/PREFIX: one database
    -- can record several indexes (the shards of one, later).
    prefix       text        NOT NULL CHECK (prefix LIKE 's3://%'),
    name         text        NOT NULL CHECK (name LIKE 'gen-%'),
    -- The manifest as uploaded: files, sizes, SHA-256s, docs, created,
    -- changelog_position.
    manifest     jsonb       NOT NULL CHECK (manifest ->> 'generation' = name),
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (prefix, name)
);
CREATE INDEX generations_newest_idx ON generations (prefix, published_at DESC, name DESC);

-- One row per replica process, written on its every heartbeat: which
-- generation it serves. Garbage collection keeps any generation a replica
-- with a recent heartbeat still serves.
CREATE TABLE replicas (
    id           text        PRIMARY KEY CHECK (id <> ''),
    prefix       text        NOT NULL,
    generation   text,        -- NULL until it serves one
    downloading  text,        -- the generation it is fetching, if any
    last_error   text,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replicas_serving_idx ON replicas (prefix, generation, heartbeat_at);
