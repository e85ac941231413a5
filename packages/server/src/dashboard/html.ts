import type { AdminSettings } from '../admin/admin-options.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

/**
 * The dashboard's one HTML page (the script renders every view into it). Holds no
 * flag data, so it needs no credentials; the API it calls does. Everything from
 * config is escaped; the script reads its settings from a meta tag, not an inline
 * script, so the page runs under a strict Content-Security-Policy.
 */
export function dashboardPage(basePath: string, admin: AdminSettings): string {
  const config = escapeHtml(JSON.stringify({ basePath }));
  const env = admin.environment;
  const banner = env
    ? `<div class="env-banner" id="env-banner" data-color="${escapeHtml(env.color ?? '')}" role="note" aria-label="Environment">${escapeHtml(env.name)}</div>`
    : '';
  const title = env ? `rollout · ${escapeHtml(env.name)}` : 'rollout';
  const asset = (name: string) => escapeHtml(`${basePath}/assets/${name}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="rollout-dashboard" content="${config}">
<title>${title}</title>
<link rel="icon" href="${asset('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${asset('dashboard.css')}">
<script type="module" src="${asset('dashboard.js')}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${banner}
<header class="top"><a class="brand" href="${escapeHtml(basePath || '')}/">rollout</a><span class="who" id="who"></span></header>
<div class="live" id="live" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<noscript><p>The rollout dashboard needs JavaScript; the JSON API is under <code>${escapeHtml(basePath)}/api</code>.</p></noscript>
</body>
</html>`;
}
