export { findBinary } from './find-binary.js';
export { freePort } from './free-port.js';
export { MEMCACHE_SERVERS_VARIABLE, startMemcached, useMemcached } from './memcached.js';
export { POSTGRES_URL_VARIABLE, startPostgres, usePostgres } from './postgres.js';
export { REDIS_URL_VARIABLE, startRedis, useRedis } from './redis.js';
export type { MemcachedServer, PostgresServer, RedisServer, ServerHandle } from './types.js';
