// Live updates: the server's event stream says something changed; the page refreshes what it shows.
import { api } from './api.js';
import { showFeature } from './feature-page.js';
import { main, state } from './page.js';
import { currentRoute } from './router.js';

main.addEventListener('input', (event) => {
  if (!event.target.closest('[data-not-an-edit]')) state.dirty = true;
});

/** A change arrived from the server's event stream: refresh what is shown. */
export async function onRemoteChange() {
  const route = currentRoute();
  if (route.view === 'list') {
    await state.refresh?.();
    return;
  }
  const shown = state.feature;
  if (!shown) return;
  const latest = await api('GET', `/features/${encodeURIComponent(shown.name)}`).catch(() => null);
  if (!latest) {
    const notice = main.querySelector('#changed-elsewhere');
    if (notice) {
      notice.hidden = false;
      notice.textContent = 'This feature was deleted elsewhere.';
    }
    return;
  }
  if (latest.version === shown.version) return;
  if (state.dirty) {
    // Keep the user's unsaved input; saving it will meet the version conflict and show both sides.
    const notice = main.querySelector('#changed-elsewhere');
    notice.hidden = false;
    notice.textContent = `Changed elsewhere: now at version ${latest.version}. Your unsaved edit is kept; saving it shows what changed.`;
    return;
  }
  showFeature(latest);
  const notice = main.querySelector('#changed-elsewhere');
  notice.hidden = false;
  notice.textContent = `Updated live: changed elsewhere (version ${latest.version}).`;
}

export function follow(url) {
  state.events?.close();
  const source = new EventSource(url);
  let pending = false;
  source.addEventListener('message', () => {
    // Bursts of changes collapse into one refresh.
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      void onRemoteChange();
    }, 50);
  });
  state.events = source;
}
