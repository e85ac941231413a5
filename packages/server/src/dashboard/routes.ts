import { type Context, Hono } from 'hono';
import type { AdminSettings } from '../admin/admin-options.js';
import type { ServerEnv } from '../env.js';
import type { ServerSettings } from '../options.js';
import { assetType, readAsset } from './assets.js';
import { dashboardPage } from './html.js';

// The page loads only its own script and style and talks only to its own server.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard: `GET /` (the features list) and `GET /features/{name}` answer the
 * same page, whose script renders the view from the path; `GET /assets/{file}`
 * serves the shipped script modules, style and icon (no CDN: it works offline).
 */
export function dashboardRoutes(settings: ServerSettings, admin: AdminSettings): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const page = dashboardPage(settings.basePath, admin);
  const html = (c: Context<ServerEnv>) => {
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', 'no-cache');
    return c.html(page);
  };
  app.get('/', html);
  app.get('/features/:name', html);
  app.get('/assets/:file', (c) => {
    const name = c.req.param('file');
    const text = readAsset(name);
    if (text === undefined) return c.notFound();
    c.header('Content-Type', assetType(name) ?? 'application/octet-stream');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-cache');
    return c.body(text);
  });
  return app;
}
