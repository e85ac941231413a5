// The other sections of a feature page: explain, description, data, history, delete.
import { ApiError, api } from './api.js';
import { confirmDialog } from './confirm-dialog.js';
import { announce, errorBox, field, h, section, showError } from './dom.js';
import { showFeature } from './feature-page.js';
import { differences } from './feature-text.js';
import { base } from './page.js';
import { navigate } from './router.js';
import { save } from './saving.js';

export function explainSection(feature) {
  const input = h('input', {
    autocomplete: 'off',
    placeholder: '42 or {"id": "42", "country": "NZ"}',
    // Asking is not editing: typing here must not hold back live updates of the page.
    'data-not-an-edit': true,
  });
  const output = h('output', { class: 'explain', 'aria-live': 'polite' });
  return section(
    'Explain',
    h(
      'form',
      {
        class: 'row',
        onsubmit: async (event) => {
          event.preventDefault();
          const text = input.value.trim();
          let user = text;
          if (text.startsWith('{')) {
            try {
              user = JSON.parse(text);
            } catch (e) {
              output.textContent = `Not JSON: ${e.message}`;
              return;
            }
          }
          try {
            const answer = await api('POST', '/explain', { feature: feature.name, user });
            const details = [];
            if (answer.group) details.push(`group ${answer.group}`);
            if (answer.rule !== undefined) details.push(`rule ${answer.rule + 1}`);
            if (answer.bucket !== undefined)
              details.push(`bucket ${answer.bucket} % of ${answer.percentage} %`);
            output.textContent = `${answer.enabled ? 'On' : 'Off'}: ${answer.reason}${details.length ? ` (${details.join(', ')})` : ''}`;
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            output.textContent = e.body.message;
          }
        },
      },
      field('User (id or JSON)', input),
      h('button', { type: 'submit' }, 'Explain'),
    ),
    output,
  );
}

export function descriptionSection(feature, canWrite) {
  const input = h('textarea', { rows: 2, maxlength: 2000, disabled: !canWrite });
  input.value = feature.description;
  const error = errorBox();
  return section(
    'Description',
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          await save(() => ({ description: input.value }), 'description', error);
        },
      },
      field('Description', input),
      canWrite ? h('button', { type: 'submit', class: 'primary' }, 'Save') : null,
    ),
    error,
  );
}

export function dataSection(feature, canWrite) {
  const input = h('textarea', { rows: 4, spellcheck: 'false', class: 'mono', disabled: !canWrite });
  input.value = JSON.stringify(feature.data, null, 2);
  const error = errorBox();
  return section(
    'Data',
    h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          let data;
          try {
            data = JSON.parse(input.value || '{}');
          } catch (e) {
            return showError(error, { field: 'data', message: `not JSON: ${e.message}` });
          }
          await save(() => ({ data }), 'data', error);
        },
      },
      field('Data (JSON)', input, 'Free-form JSON for the application.'),
      canWrite ? h('button', { type: 'submit', class: 'primary' }, 'Save') : null,
    ),
    error,
  );
}

/** One history entry: who, when, what changed (a diff against the version before). */
function historyEntry(entry, feature, canWrite) {
  const what = {
    add: 'created',
    update: 'changed',
    remove: 'removed',
    restore: 'restored',
  }[entry.action];
  let changes;
  if (!entry.previous) changes = ['created'];
  else if (!entry.feature) changes = ['removed'];
  else changes = differences(entry.previous, entry.feature);
  const restorable = canWrite && entry.feature && entry.version !== feature.version;
  return h(
    'li',
    {},
    h(
      'p',
      {},
      h('strong', {}, `Version ${entry.version}`),
      ` ${what || entry.action} by ${entry.actor || 'unknown'} · ${new Date(entry.at).toLocaleString()}`,
      entry.note ? ` · “${entry.note}”` : '',
    ),
    h(
      'ul',
      { class: 'diff' },
      ...(changes.length ? changes : ['no visible change']).map((t) => h('li', {}, t)),
    ),
    restorable
      ? h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              const ok = await confirmDialog(
                `Restore version ${entry.version}?`,
                'This writes that version back as a new change; history keeps every version.',
                'Restore',
              );
              if (!ok) return;
              const restored = await api(
                'POST',
                `/features/${encodeURIComponent(feature.name)}/restore`,
                { version: entry.version },
              );
              announce(`Restored version ${entry.version}`);
              showFeature(restored);
            },
          },
          `Restore version ${entry.version}`,
        )
      : null,
  );
}

export function historySection(feature, canWrite) {
  const list = h('ol', { class: 'history' }, h('li', { class: 'muted' }, 'Loading…'));
  void api('GET', `/features/${encodeURIComponent(feature.name)}/history?limit=20`)
    .then(({ entries }) => {
      list.replaceChildren(...entries.map((entry) => historyEntry(entry, feature, canWrite)));
    })
    .catch(() => list.replaceChildren(h('li', { class: 'muted' }, 'History is not available.')));
  return section('History', list);
}

export function deleteSection(feature) {
  return section(
    'Delete',
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: async () => {
          if (
            !(await confirmDialog(
              `Delete ${feature.name}?`,
              'Every app using it will see it as unknown (off).',
              'Delete',
            ))
          )
            return;
          await api('DELETE', `/features/${encodeURIComponent(feature.name)}`);
          announce(`Deleted ${feature.name}`);
          navigate(`${base}/`);
        },
      },
      'Delete feature',
    ),
  );
}
