-- Each server that follows the change log says which position it still
-- needs: the position of the generation it serves, from which it replays
-- on a restart (postgres.NeedChanges, every minute). A trim goes no
-- further than the oldest of the readers heard from lately
-- (postgres.OldestNeeded): several servers on one database, each with
-- its own generations, trimmed the log up to their own, and a server
-- behind the others had to rebuild.
CREATE TABLE change_readers (
    reader  text        PRIMARY KEY,
    xid     xid8        NOT NULL,
    id      bigint      NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now()
);
