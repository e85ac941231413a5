import type { Rollout } from '@rollout/core';
import type { Hono } from 'hono';
import { dashboardRoutes } from '../dashboard/routes.js';
import type { ServerEnv } from '../env.js';
import type { EventStreams } from '../event-stream.js';
import type { ServerSettings } from '../options.js';
import { adminSettings } from './admin-options.js';
import { adminRoutes } from './routes.js';

/**
 * Mounts the admin JSON API under `/api` and (unless `admin.dashboard` is false)
 * the dashboard at `/`; nothing when `admin` is false. Throws ValidationError for
 * bad admin options, so createRolloutServer fails at once.
 */
export function mountAdmin(
  app: Hono<ServerEnv>,
  settings: ServerSettings,
  rollout: Rollout,
  events: EventStreams,
): void {
  const admin = adminSettings(settings.admin);
  if (!admin) return;
  app.route('/api', adminRoutes({ settings, admin, rollout, events }));
  if (admin.dashboard) app.route('/', dashboardRoutes(settings, admin));
}
