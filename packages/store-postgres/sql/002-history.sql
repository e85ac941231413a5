-- @rollout/store-postgres, schema version 2: the change-history table.
--
-- One row per acknowledged write, inserted by the write's own statement (same
-- transaction), so there is no write without its row and no row without its write.
-- The writes trim each feature to its last `historyLimit` rows in that statement too.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/002-history.sql
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v schema=flags -v table=features -f sql/002-history.sql
--
-- Idempotent, under the same advisory lock as the store and 001-init.sql.

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
\set history_index :table '_history_name'

BEGIN;

SELECT pg_advisory_xact_lock(1919904876, 1);

-- `revision` is the store revision the write produced (unique, in commit order);
-- `feature` and `previous` are documents as in the features table (without version:
-- `feature` is at `version`, `previous` at `version - 1`); null when absent.
CREATE TABLE IF NOT EXISTS :"schema".:"history_table" (
  revision bigint PRIMARY KEY,
  name text NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('add', 'update', 'remove', 'restore')),
  actor text,
  note text,
  feature jsonb,
  previous jsonb
);
CREATE INDEX IF NOT EXISTS :"history_index" ON :"schema".:"history_table" (name, revision);

INSERT INTO :"schema".:"versions_table" (version, name) VALUES (2, '002-history') ON CONFLICT (version) DO NOTHING;

COMMIT;
