/** @rollout/store-postgres: PostgreSQL store for rollout, changes pushed with LISTEN/NOTIFY. */
export { DEFAULT_SCHEMA, DEFAULT_TABLE } from './identifiers.js';
export { MIGRATION_LOCK, MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { storeFromUrl } from './store-from-url.js';
