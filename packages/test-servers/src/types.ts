/** What every throwaway server handle offers. */
export interface ServerHandle {
  /** Always `127.0.0.1` for servers this package starts. */
  readonly host: string;
  /** The TCP port; it stays the same across `stop()` / `start()`. */
  readonly port: number;
  /**
   * True when the handle points at a server given through an environment variable
   * (`ROLLOUT_TEST_*`): `stop()`/`start()` then throw, `kill()` does nothing.
   */
  readonly external: boolean;
  /**
   * Graceful stop. The temp dir and port are kept so `start()` brings the same
   * server back (with its data, for Redis and PostgreSQL). Idempotent.
   */
  stop(): Promise<void>;
  /** Starts the server again after `stop()` on the same port; resolves once it answers. Idempotent. */
  start(): Promise<void>;
  /** Stops the server (fast) and deletes its temp dir. Idempotent; the handle is dead afterwards. */
  kill(): Promise<void>;
}

/** A throwaway `redis-server`. */
export interface RedisServer extends ServerHandle {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The server's temp dir (data, log); empty for an external server. */
  readonly dir: string;
}

/** A throwaway `memcached`. */
export interface MemcachedServer extends ServerHandle {
  /** `127.0.0.1:PORT`, the form memjs takes. */
  readonly servers: string;
}

/** A throwaway PostgreSQL cluster with a database `rollout` and trust auth on 127.0.0.1. */
export interface PostgresServer extends ServerHandle {
  /** `postgres://rollout@127.0.0.1:PORT/rollout`. */
  readonly url: string;
  /** The cluster's temp dir (data dir, log); empty for an external server. */
  readonly dir: string;
}
