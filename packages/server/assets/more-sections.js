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

export function historySection(feature, canWrite) {
  const list = h('ol', { class: 'history' }, h('li', { class: 'muted' }, 'Loading…'));
  void api('GET', `/features/${encodeURIComponent(feature.name)}/history?limit=20`)
    .then(({ entries }) => {
      list.replaceChildren(
        ...entries.map((entry) => {
          const after = entry.after || entry.feature || {};
          const before = entry.before || {};
          const version = entry.version ?? after.version;
          return h(
            'li',
            {},
            h(
              'p',
              {},
              `Version ${version ?? '?'} · ${entry.actor || 'unknown'} · ${entry.at || entry.when || entry.createdAt || ''}`,
            ),
            h('ul', { class: 'diff' }, ...differences(before, after).map((t) => h('li', {}, t))),
            canWrite && version !== undefined && version !== feature.version
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      if (
                        !(await confirmDialog(
                          `Restore version ${version}?`,
                          'This writes that version back as a new change.',
                          'Restore',
                        ))
                      )
                        return;
                      const restored = await api(
                        'POST',
                        `/features/${encodeURIComponent(feature.name)}/restore`,
                        { version },
                      );
                      announce(`Restored version ${version}`);
                      showFeature(restored);
                    },
                  },
                  `Restore version ${version}`,
                )
              : null,
          );
        }),
      );
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
