// The features list: search, on/off/partial filters, and the form that creates a feature.
import { ApiError, api } from './api.js';
import { announce, errorBox, featureUrl, field, h, link, section, showError } from './dom.js';
import { base, main, state } from './page.js';
import { focusHeading, navigate } from './router.js';

export function stateBadge(summary) {
  const text = summary.killed ? 'killed' : summary.state;
  return h('span', { class: `badge badge-${summary.killed ? 'killed' : summary.state}` }, text);
}

export async function renderList() {
  const params = new URLSearchParams(location.search);
  state.listQuery = params.get('q') || '';
  state.listState = params.get('state') || '';
  const search = h('input', {
    type: 'search',
    'aria-label': 'Search features',
    placeholder: 'Search names and descriptions',
    value: state.listQuery,
    autocomplete: 'off',
  });
  const rows = h('tbody', {});
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const filters = h(
    'fieldset',
    { class: 'filters' },
    h('legend', {}, 'Show'),
    ...[
      ['', 'All'],
      ['on', 'On'],
      ['off', 'Off'],
      ['partial', 'Partial'],
    ].map(([value, label]) =>
      h(
        'label',
        { class: 'chip' },
        h('input', {
          type: 'radio',
          name: 'state',
          value,
          checked: state.listState === value,
          onchange: () => {
            state.listState = value;
            void refreshList();
          },
        }),
        label,
      ),
    ),
  );
  const view = state.view;
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.listQuery = search.value;
      void refreshList();
    }, 150);
  });

  async function refreshList() {
    if (state.view !== view) return;
    const q = new URLSearchParams();
    if (state.listQuery) q.set('q', state.listQuery);
    if (state.listState) q.set('state', state.listState);
    const query = q.toString();
    history.replaceState(null, '', `${base}/${query ? `?${query}` : ''}`);
    const data = await api('GET', `/features${query ? `?${query}` : ''}`);
    if (state.view !== view) return;
    rows.replaceChildren(
      ...data.features.map((f) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, link(featureUrl(f.name), f.name)),
          h('td', { 'data-label': 'State' }, stateBadge(f)),
          h('td', { class: 'desc', 'data-label': 'Description' }, f.description || '—'),
          h('td', { class: 'num', 'data-label': 'Version' }, String(f.version)),
        ),
      ),
    );
    count.textContent =
      data.features.length === data.total
        ? `${data.total} feature${data.total === 1 ? '' : 's'}`
        : `${data.features.length} of ${data.total} features`;
  }
  state.refresh = refreshList;

  const children = [
    h('h1', {}, 'Features'),
    h('div', { class: 'toolbar', role: 'search' }, search, filters),
    count,
    h(
      'table',
      { class: 'features' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col' }, 'Description'),
          h('th', { scope: 'col', class: 'num' }, 'Version'),
        ),
      ),
      rows,
    ),
  ];
  if (state.session.canWrite) children.push(createForm());
  main.replaceChildren(...children);
  await refreshList();
  focusHeading();
}

export function createForm() {
  const name = h('input', { required: true, autocomplete: 'off', maxlength: 200 });
  const description = h('input', { autocomplete: 'off', maxlength: 2000 });
  const error = errorBox();
  return section(
    'New feature',
    h(
      'form',
      {
        class: 'row',
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const created = await api('POST', '/features', {
              name: name.value.trim(),
              description: description.value,
            });
            announce(`Created ${created.name}`);
            navigate(featureUrl(created.name));
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            showError(error, e.body);
          }
        },
      },
      field('Name', name),
      field('Description', description),
      h('button', { type: 'submit', class: 'primary' }, 'Create feature'),
    ),
    error,
  );
}
