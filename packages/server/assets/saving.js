// Saves with the version the page was rendered from; a version conflict shows both changes, to re-apply or discard.
import { ApiError, api } from './api.js';
import { announce, h, showError } from './dom.js';
import { showFeature } from './feature-page.js';
import { differences } from './feature-text.js';
import { main, state } from './page.js';

/**
 * Saves an edit. `edit(feature)` returns the patch to apply to that version, so a
 * re-apply after a conflict recomputes it from what is stored now (adding users to
 * the current list, not writing back the old list). `errorEl` is the element that shows
 * a refused save, or a function given the API's `{ code, message, field }`.
 */
export async function save(edit, what, errorEl) {
  const baseFeature = state.feature;
  try {
    const saved = await api('PATCH', `/features/${encodeURIComponent(baseFeature.name)}`, {
      ...edit(baseFeature),
      expectedVersion: baseFeature.version,
    });
    announce(`Saved: ${what}`);
    showFeature(saved);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 409 && e.body.code === 'VERSION_CONFLICT' && e.body.current) {
      showConflict(baseFeature, e.body.current, edit, what);
    } else if (typeof errorEl === 'function') {
      // The section places the error itself (next to the field the API names).
      errorEl(e.body);
    } else if (errorEl) {
      showError(errorEl, e.body);
    } else {
      announce(e.body.message);
    }
  }
}

export function showConflict(baseFeature, current, edit, what) {
  const panel = main.querySelector('#conflict');
  const theirs = differences(baseFeature, current);
  const yours = differences(current, { ...current, ...edit(current) });
  panel.hidden = false;
  panel.replaceChildren(
    h('h2', {}, 'Someone else changed this feature'),
    h(
      'p',
      {},
      `You edited version ${baseFeature.version}; it is now at version ${current.version}${current.updatedAt ? ` (${new Date(current.updatedAt).toLocaleString()})` : ''}. Nothing of yours was saved.`,
    ),
    h('h3', {}, 'Their change'),
    h(
      'ul',
      { class: 'diff' },
      ...(theirs.length ? theirs : ['no visible difference']).map((t) => h('li', {}, t)),
    ),
    h('h3', {}, `Your change (${what})`),
    h(
      'ul',
      { class: 'diff' },
      ...(yours.length
        ? yours
        : ['nothing left to change: the current version already has it']
      ).map((t) => h('li', {}, t)),
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: async () => {
            state.feature = current;
            await save(edit, what);
          },
        },
        'Re-apply my change',
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            announce('Discarded your change; showing the current version');
            showFeature(current);
          },
        },
        'Discard my change',
      ),
    ),
  );
  panel.focus();
}
