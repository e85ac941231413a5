/** @rollout/store-postgres: PostgreSQL store for rollout, changes pushed with LISTEN/NOTIFY. */
export { DEFAULT_SCHEMA, DEFAULT_TABLE } from './layout.js';
export { MIGRATION_LOCK, MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations.js';
export type { PostgresStoreOptions } from './options.js';
export { PostgresStore } from './postgres-store.js';
export { storeFromUrl } from './store-from-url.js';
