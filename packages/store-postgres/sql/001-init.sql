-- @rollout/store-postgres, schema version 1: the features table, the revision
-- counter and the schema-version table.
--
-- The store applies this itself on first use (unless `migrate: false`). DBAs who
-- apply migrations themselves run it with psql; names default to public.rollout_features:
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/001-init.sql
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v schema=flags -v table=features -f sql/001-init.sql
--
-- It is idempotent and takes the same advisory lock as the store, so it is safe
-- to run while applications start.

\if :{?schema}
\else
\set schema public
\endif
\if :{?table}
\else
\set table rollout_features
\endif
\set revision_table :table '_revision'
\set versions_table :table '_schema_versions'

BEGIN;

-- Serializes migrations of every rollout table in this database (key 'roll', 1).
SELECT pg_advisory_xact_lock(1919904876, 1);

CREATE SCHEMA IF NOT EXISTS :"schema";

-- One row per applied migration.
CREATE TABLE IF NOT EXISTS :"schema".:"versions_table" (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per feature. `document` is the feature as JSON (without its version);
-- `version` is the compare-and-set version: 1 on create, +1 on every write.
CREATE TABLE IF NOT EXISTS :"schema".:"table" (
  name text PRIMARY KEY,
  document jsonb NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The store's revision: one row, bumped by every write in the same transaction.
-- Its row lock orders concurrent writers, so revisions follow commit order.
CREATE TABLE IF NOT EXISTS :"schema".:"revision_table" (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision bigint NOT NULL CHECK (revision >= 0)
);
INSERT INTO :"schema".:"revision_table" (id, revision) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;

INSERT INTO :"schema".:"versions_table" (version, name) VALUES (1, '001-init') ON CONFLICT (version) DO NOTHING;

COMMIT;
