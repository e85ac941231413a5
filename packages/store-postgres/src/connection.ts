import { createHash } from 'node:crypto';
import pg from 'pg';
import { isConnectionBroken, toStoreError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** One statement of the store, and what to say when it fails. */
export interface Statement {
  /** What the store was doing, for the error message ("reading feature \"x\""). */
  readonly action: string;
  readonly text: string;
  readonly values: unknown[];
  /** The statement changes data: losing the connection mid-flight leaves its outcome unknown. */
  readonly write?: boolean;
  /** The feature concerned, for VersionConflictError on serialization failures. */
  readonly feature?: string;
}

const names = new Map<string, string>();

/**
 * The prepared-statement name of one of the store's statements: `rollout_` and a hash of
 * its text, so one name never means two texts. node-postgres prepares a named statement
 * once per connection and then only binds and executes it: the store's write statements
 * are large CTEs whose planning alone costs more than running them (7 ms against 1 ms
 * measured), and under contention that planning happens while the feature's row is locked.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `rollout_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** Runs the store's statements, turning driver errors into the store's typed errors. */
export interface StatementRunner {
  run<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>>;
}

/**
 * The statements of a `withClient` view: they run on the application's own
 * connection (typically inside its transaction), whose timeouts are the caller's business.
 */
export function clientRunner(client: pg.ClientBase): StatementRunner {
  return {
    async run<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>> {
      try {
        return await client.query<R>({ text: statement.text, values: statement.values });
      } catch (error) {
        throw toStoreError(error, statement.action, {
          feature: statement.feature,
          inFlightWrite: statement.write,
        });
      }
    },
  };
}

/**
 * The store's pool (its own, or the application's) and the settings of the
 * dedicated LISTEN connection derived from the same options.
 */
export class PoolConnection implements StatementRunner {
  /** How to open the LISTEN connection (never a pooled one: LISTEN is per session). */
  readonly listenConfig: pg.ClientConfig;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly queryTimeoutMs: number;

  constructor(options: ResolvedOptions) {
    this.queryTimeoutMs = options.queryTimeoutMs;
    let listenConfig: pg.ClientConfig;
    if ('pool' in options.source) {
      this.pool = options.source.pool;
      this.ownsPool = false;
      listenConfig = {
        ...this.pool.options,
        connectionTimeoutMillis:
          this.pool.options.connectionTimeoutMillis || options.connectTimeoutMs,
        keepAlive: true,
      };
    } else {
      const base: pg.ClientConfig = {
        connectionString: options.source.connectionString,
        connectionTimeoutMillis: options.connectTimeoutMs,
        // The server cancels a runaway statement itself (so it is surely not applied)
        // a little before the client gives up waiting for it.
        statement_timeout: options.queryTimeoutMs,
        query_timeout: options.queryTimeoutMs + 1000,
        keepAlive: true,
        application_name: 'rollout',
      };
      this.pool = new pg.Pool({
        ...base,
        max: options.poolSize,
        idleTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      this.ownsPool = true;
      // An idle connection dying (server restart) is reported here; the pool drops
      // it by itself and the next call reconnects, so this is not an error to raise.
      this.pool.on('error', () => undefined);
      // pg-pool stops listening to a new connection's errors when it hands it out, and
      // a shutdown message can arrive in the same read as the end of the handshake,
      // before the store attaches its own listener: keep one on every connection.
      this.pool.on('connect', (client) => client.on('error', () => undefined));
      listenConfig = { ...base, statement_timeout: undefined };
    }
    if (options.listenConnectionString !== undefined) {
      listenConfig = { ...listenConfig, connectionString: options.listenConnectionString };
      delete listenConfig.host;
      delete listenConfig.port;
      delete listenConfig.database;
    }
    this.listenConfig = listenConfig;
  }

  /** Runs one statement on a pool connection, with the store's client-side read timeout. */
  run<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>> {
    const config = {
      name: statementName(statement.text),
      text: statement.text,
      values: statement.values,
      query_timeout: this.queryTimeoutMs + 1000,
    } as pg.QueryConfig;
    return this.withClient(
      (client) => client.query<R>(config),
      // Without a connection the statement was never sent, so a write was surely not applied.
      (error, sent) =>
        toStoreError(error, statement.action, {
          feature: statement.feature,
          inFlightWrite: sent && statement.write,
        }),
    );
  }

  /**
   * Runs `use` on a connection checked out of the pool and gives it back (destroyed
   * when it broke). `fail` turns an error into the store's, knowing whether a
   * connection was obtained. While a connection is checked out the pool stops
   * listening to its errors, so this does: a server shutdown message that arrives
   * right after a result must not become an uncaught 'error' event.
   */
  async withClient<T>(
    use: (client: pg.PoolClient) => Promise<T>,
    fail: (error: unknown, sent: boolean) => Error,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw fail(error, false);
    }
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await use(client);
    } catch (error) {
      if (broken === undefined && isConnectionBroken(error)) broken = asError(error);
      throw fail(error, true);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Ends the pool when the store opened it; an application's pool is never ended. */
  async end(): Promise<void> {
    if (this.ownsPool) await this.pool.end().catch(() => undefined);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
