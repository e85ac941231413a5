-- @rollout/store-postgres, schema version 3: user ids as rows beside the document.
--
-- A feature's `users` and `excludedUsers` move out of its `document` into
-- `<table>_ids`, one row per (feature, list, id), so adding or removing one id is one
-- indexed row whatever the list's length (groups, at most 1,000, stay in the document).
-- The features table keeps each list's length (`users_count`, `excluded_count`) so a
-- write checks the list limits without counting rows. History rows of `apply` writes become compact: `feature` and
-- `previous` hold the documents without lists and `delta` the ids the write added and
-- removed; rows written before this migration keep their whole records (`delta` null).
--
-- Moves existing data in the same transaction: every document's lists become rows and
-- leave the document. Stop processes of releases before this one first: they would
-- keep writing lists into the document, which this release no longer reads.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/003-id-rows.sql
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v schema=flags -v table=features -f sql/003-id-rows.sql
--
-- Idempotent, under the same advisory lock as the store and the other files.

\if :{?schema}
\else
\set schema public
\endif
\if :{?table}
\else
\set table rollout_features
\endif
\set versions_table :table '_schema_versions'
\set history_table :table '_history'
\set ids_table :table '_ids'
\set ids_tombstones :table '_ids_tombstones'

BEGIN;

SELECT pg_advisory_xact_lock(1919904876, 1);

-- `list` is the feature field the id belongs to. `id` sorts bytewise (COLLATE "C"), so
-- the primary key's order does not depend on the database's collation. Deleting a
-- feature deletes its ids. `present` is true for a listed id; a row that is not true
-- is a tombstone: an id removed (false) or named by a removal while absent (null). A
-- removal in one statement must see the latest committed row, which only an upsert
-- does; the next write of the feature deletes the tombstones (partial index below).
CREATE TABLE IF NOT EXISTS :"schema".:"ids_table" (
  feature text NOT NULL REFERENCES :"schema".:"table" (name) ON DELETE CASCADE,
  list text NOT NULL CHECK (list IN ('users', 'excludedUsers')),
  id text COLLATE "C" NOT NULL,
  present boolean DEFAULT true,
  PRIMARY KEY (feature, list, id)
);
CREATE INDEX IF NOT EXISTS :"ids_tombstones" ON :"schema".:"ids_table" (feature) WHERE present IS NOT TRUE;

ALTER TABLE :"schema".:"table"
  ADD COLUMN IF NOT EXISTS users_count integer NOT NULL DEFAULT 0 CHECK (users_count >= 0),
  ADD COLUMN IF NOT EXISTS excluded_count integer NOT NULL DEFAULT 0 CHECK (excluded_count >= 0);

ALTER TABLE :"schema".:"history_table" ADD COLUMN IF NOT EXISTS delta jsonb;

-- Today's documents: their lists become rows (only documents that still hold a list,
-- so running the file again changes nothing).
INSERT INTO :"schema".:"ids_table" (feature, list, id)
SELECT f.name, l.list, x.id
FROM :"schema".:"table" f
CROSS JOIN (VALUES ('users'), ('excludedUsers')) AS l (list)
CROSS JOIN LATERAL jsonb_array_elements_text(
  CASE WHEN jsonb_typeof(f.document -> l.list) = 'array' THEN f.document -> l.list ELSE '[]'::jsonb END
) AS x (id)
WHERE f.document ?| ARRAY['users', 'excludedUsers']
ON CONFLICT DO NOTHING;

UPDATE :"schema".:"table" f SET
  users_count = (SELECT count(*) FROM :"schema".:"ids_table" i WHERE i.feature = f.name AND i.list = 'users'),
  excluded_count = (SELECT count(*) FROM :"schema".:"ids_table" i WHERE i.feature = f.name AND i.list = 'excludedUsers'),
  document = f.document - 'users' - 'excludedUsers'
WHERE f.document ?| ARRAY['users', 'excludedUsers'];

INSERT INTO :"schema".:"versions_table" (version, name) VALUES (3, '003-id-rows') ON CONFLICT (version) DO NOTHING;

COMMIT;
