export { findBinary } from './find-binary.js';
export { freePort } from './free-port.js';
export { MEMCACHE_SERVERS_VARIABLE, startMemcached, useMemcached } from './memcached.js';
export { POSTGRES_URL_VARIABLE, startPostgres, usePostgres } from './postgres.js';
export { REDIS_URL_VARIABLE, type StartRedisOptions, startRedis, useRedis } from './redis.js';
export { type RedisClusterServer, startRedisCluster } from './redis-cluster.js';
export type { MemcachedServer, PostgresServer, RedisServer, ServerHandle } from './types.js';
