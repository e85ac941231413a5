/** What every request carries through the router (Hono's `Env`). */
export interface ServerEnv {
  Bindings: {
    /** The peer's address when known (node:http, or given to `fetch(request, { remoteAddress })`). */
    remoteAddress?: string;
  };
}
