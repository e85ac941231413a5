// The rollout dashboard: plain browser JavaScript, no build step, no dependencies,
// shipped in @rollout/server's assets/ and served by the server itself (works offline).
// Every view is built with DOM calls and textContent, never innerHTML, so nothing a
// user typed (names, descriptions, ids, rule values) can become markup.
import { ApiError, api } from './api.js';
import { h } from './dom.js';
import { follow } from './live-updates.js';
import { main, state, who } from './page.js';
import { render } from './router.js';
import { renderLogin } from './sign-in.js';

export function applyBanner() {
  const banner = document.getElementById('env-banner');
  const color = banner?.dataset.color;
  if (color) banner.style.setProperty('--env', color);
}

export async function start() {
  applyBanner();
  try {
    state.session = await api('GET', '/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return renderLogin();
    main.replaceChildren(
      h('h1', {}, 'Cannot reach the admin API'),
      h('p', { role: 'alert' }, error.message),
    );
    return;
  }
  who.textContent = `${state.session.actor}${state.session.canWrite ? '' : ' · read-only'}`;
  follow(state.session.eventStream);
  await render();
}

void start();
