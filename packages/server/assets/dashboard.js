// The rollout dashboard: plain browser JavaScript, no build step, no dependencies,
// shipped in @rollout/server's assets/ and served by the server itself (works offline).
// Every view is built with DOM calls and textContent, never innerHTML, so nothing a
// user typed (names, descriptions, ids, rule values) can become markup.

const config = JSON.parse(document.querySelector('meta[name="rollout-dashboard"]').content);
const base = config.basePath || '';
const main = document.getElementById('main');
const live = document.getElementById('live');
const who = document.getElementById('who');

const SINGLE_VALUE = new Set([
  'lt',
  'lte',
  'gt',
  'gte',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
  'before',
  'after',
]);
const OPERATOR_LABELS = {
  eq: 'equals',
  neq: 'does not equal',
  in: 'is one of',
  notIn: 'is none of',
  lt: 'less than',
  lte: 'at most',
  gt: 'greater than',
  gte: 'at least',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
  semverEq: 'version equals',
  semverLt: 'version below',
  semverLte: 'version at most',
  semverGt: 'version above',
  semverGte: 'version at least',
  before: 'date before',
  after: 'date after',
};

const state = {
  token: sessionStorage.getItem('rollout-admin-token') || '',
  session: null,
  events: null,
  /** The feature page: the version the forms were rendered from. */
  feature: null,
  dirty: false,
  listQuery: '',
  listState: '',
  /** Counts renders, so late work of a view that is gone can tell. */
  view: 0,
};

// ---------------------------------------------------------------- DOM helpers

/** Creates an element; string children become text nodes (escaped by construction). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled field: label + control, wired by id. */
function field(labelText, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

/** A section that is a landmark region named by its heading. */
function section(title, ...children) {
  const id = nextId('s');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    ...children,
  );
}

let announceTimer;
function announce(text) {
  live.textContent = '';
  clearTimeout(announceTimer);
  // A fresh text node makes screen readers read it again, even when it is the same text.
  setTimeout(() => {
    live.textContent = text;
    announceTimer = setTimeout(() => {
      live.textContent = '';
    }, 4000);
  }, 20);
}

function errorBox() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}

function showError(box, problem) {
  box.hidden = false;
  box.textContent = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
}

function featureUrl(name) {
  return `${base}/features/${encodeURIComponent(name)}`;
}

function link(href, text, attrs = {}) {
  return h(
    'a',
    {
      href,
      ...attrs,
      onclick: (event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      },
    },
    text,
  );
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body || { code: 'INTERNAL', message: `HTTP ${status}` };
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---------------------------------------------------------------- routing

function currentRoute() {
  let path = location.pathname;
  if (base && path.startsWith(base)) path = path.slice(base.length);
  const match = /^\/features\/(.+)$/.exec(path);
  if (match) return { view: 'feature', name: decodeURIComponent(match[1]) };
  return { view: 'list' };
}

function navigate(href) {
  history.pushState(null, '', href);
  void render();
}

window.addEventListener('popstate', () => void render());

async function render() {
  const route = currentRoute();
  // Work a previous view scheduled (a debounced search) must not touch this one.
  state.view += 1;
  state.refresh = undefined;
  state.feature = null;
  state.dirty = false;
  try {
    if (route.view === 'feature') await renderFeature(route.name);
    else await renderList();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return renderLogin();
    main.replaceChildren(
      h('h1', {}, 'Something went wrong'),
      h('p', { class: 'error', role: 'alert' }, error.message),
      link(`${base}/`, 'All features'),
    );
  }
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------- sign in

function renderLogin() {
  const input = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: (event) => {
        event.preventDefault();
        state.token = input.value.trim();
        sessionStorage.setItem('rollout-admin-token', state.token);
        void start();
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This server asks for an admin token.'),
    state.token ? h('p', { class: 'error', role: 'alert' }, 'That token was not accepted.') : null,
    field('Admin token', input),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  main.replaceChildren(form);
  input.focus();
}

// ---------------------------------------------------------------- list view

function stateBadge(summary) {
  const text = summary.killed ? 'killed' : summary.state;
  return h('span', { class: `badge badge-${summary.killed ? 'killed' : summary.state}` }, text);
}

async function renderList() {
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

function createForm() {
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

// ---------------------------------------------------------------- feature page

const FIELD_LABELS = {
  description: 'description',
  groups: 'groups',
  users: 'users',
  excludedUsers: 'deny list',
  percentage: 'percentage',
  rules: 'rules',
  data: 'data',
};

function describeValue(key, value) {
  if (key === 'rules') return value.length ? value.map(ruleText).join(' OR ') : 'none';
  if (key === 'percentage') return `${value} %`;
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (key === 'data') return JSON.stringify(value);
  return value === '' ? '(empty)' : String(value);
}

/** The fields that differ between two versions of a feature, as "field: old → new" lines. */
function differences(before, after) {
  const out = [];
  for (const key of Object.keys(FIELD_LABELS)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      out.push(
        `${FIELD_LABELS[key]}: ${describeValue(key, before[key])} → ${describeValue(key, after[key])}`,
      );
    }
  }
  return out;
}

function conditionText(c) {
  return `${c.attribute} ${OPERATOR_LABELS[c.operator] || c.operator} ${c.values.map((v) => JSON.stringify(v)).join(', ')}`;
}

function ruleText(rule) {
  return rule.conditions.map(conditionText).join(' AND ');
}

function splitIds(text) {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function union(list, more) {
  return [...new Set([...list, ...more])].sort();
}

/**
 * Saves an edit. `edit(feature)` returns the patch to apply to that version, so a
 * re-apply after a conflict recomputes it from what is stored now (adding users to
 * the current list, not writing back the old list).
 */
async function save(edit, what, errorEl) {
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
    } else if (errorEl) {
      showError(errorEl, e.body);
    } else {
      announce(e.body.message);
    }
  }
}

function showConflict(baseFeature, current, edit, what) {
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

/** A native modal dialog asking to confirm; resolves true for Confirm. */
function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'danger', value: 'ok' }, confirmLabel);
    const titleId = nextId('d');
    const dialog = h(
      'dialog',
      { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('p', {}, text),
      h('div', { class: 'row end' }, cancel, ok),
    );
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

async function renderFeature(name) {
  const feature = await api('GET', `/features/${encodeURIComponent(name)}`).catch((e) => {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  });
  if (!feature) {
    main.replaceChildren(
      h('h1', {}, name),
      h('p', { role: 'alert' }, 'This feature does not exist (any more).'),
      link(`${base}/`, 'All features'),
    );
    focusHeading();
    return;
  }
  showFeature(feature);
  focusHeading();
}

function showFeature(feature) {
  const hadFocus = document.activeElement?.closest?.('section')?.getAttribute('aria-labelledby');
  state.feature = feature;
  state.dirty = false;
  const canWrite = state.session.canWrite;
  const conflict = h('div', {
    id: 'conflict',
    class: 'card conflict',
    role: 'alert',
    tabindex: -1,
    hidden: true,
  });
  const notice = h('p', { id: 'changed-elsewhere', class: 'notice', role: 'status', hidden: true });
  const parts = [
    h('nav', { 'aria-label': 'Breadcrumb' }, link(`${base}/`, '← All features')),
    h(
      'div',
      { class: 'title' },
      h('h1', {}, feature.name),
      stateBadge({
        state: summaryState(feature),
        killed: feature.groups.includes('NONE'),
      }),
    ),
    h(
      'p',
      { class: 'muted' },
      `Version ${feature.version} · updated ${new Date(feature.updatedAt).toLocaleString()}`,
    ),
    notice,
    conflict,
    everyoneSection(feature, canWrite),
    percentageSection(feature, canWrite),
    listSection(feature, canWrite, 'users', 'Users', 'Users who get the feature'),
    listSection(feature, canWrite, 'excludedUsers', 'Deny list', 'Users who never get it'),
    groupsSection(feature, canWrite),
    rulesSection(feature, canWrite),
    explainSection(feature),
    descriptionSection(feature, canWrite),
    dataSection(feature, canWrite),
  ];
  if (state.session.history) parts.push(historySection(feature, canWrite));
  if (canWrite) parts.push(deleteSection(feature));
  main.replaceChildren(...parts);
  if (hadFocus) {
    // Keep keyboard users where they were after a save re-renders the page.
    const heading = main.querySelector(`section h2`);
    const sections = [...main.querySelectorAll('section')];
    const same = sections.find(
      (s) => s.querySelector('h2')?.textContent === document.getElementById(hadFocus)?.textContent,
    );
    (same?.querySelector('input, textarea, select, button') || heading)?.focus?.({
      preventScroll: true,
    });
  }
}

function summaryState(f) {
  if (f.groups.includes('NONE')) return 'off';
  if (f.groups.includes('ALL') || f.percentage >= 100) return 'on';
  return f.users.length + f.groups.length + f.rules.length > 0 || f.percentage > 0
    ? 'partial'
    : 'off';
}

function everyoneSection(feature, canWrite) {
  const killed = feature.groups.includes('NONE');
  const all = feature.groups.includes('ALL');
  let status = 'Targeted: the gates below decide.';
  if (killed) status = 'Kill switch on: off for everyone, whatever the gates below say.';
  else if (all) status = 'On for everyone (except the deny list).';
  const buttons = [];
  const setGroups = (add, remove, what, title, text, label, danger) =>
    h(
      'button',
      {
        type: 'button',
        class: danger ? 'danger' : 'primary',
        onclick: async () => {
          if (!(await confirmDialog(title, text, label))) return;
          await save(
            (f) => ({
              groups: union(
                f.groups.filter((g) => !remove.includes(g)),
                add,
              ),
            }),
            what,
          );
        },
      },
      label,
    );
  if (canWrite) {
    if (!all || killed) {
      buttons.push(
        setGroups(
          ['ALL'],
          ['NONE'],
          'on for everyone',
          `Turn ${feature.name} on for everyone?`,
          'Every user gets the feature, except those on the deny list.',
          'On for everyone',
          false,
        ),
      );
    }
    if (!killed) {
      buttons.push(
        setGroups(
          ['NONE'],
          [],
          'kill switch',
          `Turn ${feature.name} off for everyone?`,
          'The kill switch wins over every gate: nobody gets the feature until it is lifted. The gates stay as they are.',
          'Kill switch: off for everyone',
          true,
        ),
      );
    } else {
      buttons.push(
        setGroups(
          [],
          ['NONE'],
          'kill switch lifted',
          `Lift the kill switch of ${feature.name}?`,
          'The gates below decide again who gets the feature.',
          'Lift kill switch',
          false,
        ),
      );
    }
    if (all && !killed) {
      buttons.push(
        setGroups(
          [],
          ['ALL'],
          'back to targeting',
          `Stop serving ${feature.name} to everyone?`,
          'Only the users, groups, rules and percentage below get it.',
          'Back to targeting only',
          false,
        ),
      );
    }
  }
  return section('Everyone', h('p', {}, status), h('div', { class: 'row' }, ...buttons));
}

function percentageSection(feature, canWrite) {
  const input = h('input', {
    type: 'number',
    min: 0,
    max: 100,
    step: 0.001,
    value: feature.percentage,
    inputmode: 'decimal',
    disabled: !canWrite,
  });
  const error = errorBox();
  return section(
    'Percentage',
    h(
      'form',
      {
        class: 'row',
        onsubmit: async (event) => {
          event.preventDefault();
          const value = input.valueAsNumber;
          if (Number.isNaN(value))
            return showError(error, { message: 'enter a number from 0 to 100' });
          await save(() => ({ percentage: value }), `percentage ${value} %`, error);
        },
      },
      field(
        'Percentage',
        input,
        'Share of users (by id) who get it, 0 to 100. Raising it only adds users.',
      ),
      canWrite ? h('button', { type: 'submit', class: 'primary' }, 'Save') : null,
    ),
    error,
  );
}

function idList(ids, label, onRemove) {
  if (ids.length === 0) return h('p', { class: 'muted' }, 'None.');
  return h(
    'ul',
    { class: 'chips', 'aria-label': label },
    ...ids.map((id) =>
      h(
        'li',
        { class: 'chip' },
        h('span', {}, id),
        onRemove
          ? h(
              'button',
              {
                type: 'button',
                class: 'remove',
                'aria-label': `Remove ${id} from ${label}`,
                title: `Remove ${id}`,
                onclick: () => onRemove(id),
              },
              '×',
            )
          : null,
      ),
    ),
  );
}

function listSection(feature, canWrite, key, title, hint) {
  const label = key === 'users' ? 'users' : 'deny list';
  const error = errorBox();
  const ids = feature[key];
  const input = h('textarea', { rows: 2, autocomplete: 'off', spellcheck: 'false' });
  const remove = canWrite
    ? (id) =>
        save(
          (f) => ({ [key]: f[key].filter((u) => u !== id) }),
          `removed ${id} from ${label}`,
          error,
        )
    : null;
  return section(
    title,
    h('p', { class: 'muted' }, `${hint} (${ids.length}).`),
    idList(ids, label, remove),
    canWrite
      ? h(
          'form',
          {
            class: 'row',
            onsubmit: async (event) => {
              event.preventDefault();
              const more = splitIds(input.value);
              if (more.length === 0)
                return showError(error, { message: 'enter one or more user ids' });
              await save(
                (f) => ({ [key]: union(f[key], more) }),
                `added ${more.length} to ${label}`,
                error,
              );
            },
          },
          field(
            key === 'users' ? 'Add users' : 'Add to deny list',
            input,
            'One or many ids: paste a list separated by commas, spaces or new lines.',
          ),
          h(
            'button',
            { type: 'submit', class: 'primary' },
            key === 'users' ? 'Add users' : 'Deny users',
          ),
        )
      : null,
    error,
  );
}

function groupsSection(feature, canWrite) {
  const groups = feature.groups.filter((g) => g !== 'ALL' && g !== 'NONE');
  const error = errorBox();
  const listId = nextId('groups');
  const input = h('input', { list: listId, autocomplete: 'off' });
  const remove = canWrite
    ? (g) => save((f) => ({ groups: f.groups.filter((x) => x !== g) }), `removed group ${g}`, error)
    : null;
  return section(
    'Groups',
    h(
      'p',
      { class: 'muted' },
      "Users in any of these groups (the user's own groups, or groups defined in code) get it.",
    ),
    idList(groups, 'groups', remove),
    canWrite
      ? h(
          'form',
          {
            class: 'row',
            onsubmit: async (event) => {
              event.preventDefault();
              const more = splitIds(input.value);
              if (more.length === 0) return showError(error, { message: 'enter a group name' });
              await save(
                (f) => ({ groups: union(f.groups, more) }),
                `added group ${more.join(', ')}`,
                error,
              );
            },
          },
          field('Group', input),
          h(
            'datalist',
            { id: listId },
            ...state.session.definedGroups.map((g) => h('option', { value: g })),
          ),
          h('button', { type: 'submit', class: 'primary' }, 'Add group'),
        )
      : null,
    error,
  );
}

function typedValues(text, type, operator) {
  const raw = SINGLE_VALUE.has(operator) ? [text.trim()] : text.split(',').map((v) => v.trim());
  const values = raw.filter((v) => v !== '');
  return values.map((v) => {
    if (type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${JSON.stringify(v)} is not a number`);
      return n;
    }
    if (type === 'boolean') {
      if (v !== 'true' && v !== 'false')
        throw new Error(`${JSON.stringify(v)} is not true or false`);
      return v === 'true';
    }
    return v;
  });
}

function conditionRow(index) {
  const suffix = index === 0 ? '' : ` ${index + 1}`;
  const attribute = h('input', { autocomplete: 'off', required: true, placeholder: 'country' });
  const operator = h(
    'select',
    {},
    ...state.session.operators.map((op) =>
      h('option', { value: op }, `${op} (${OPERATOR_LABELS[op] || op})`),
    ),
  );
  const values = h('input', { autocomplete: 'off', placeholder: 'NZ, AU' });
  const type = h(
    'select',
    {},
    h('option', { value: 'string' }, 'text'),
    h('option', { value: 'number' }, 'number'),
    h('option', { value: 'boolean' }, 'true/false'),
  );
  operator.addEventListener('change', () => {
    const op = operator.value;
    if (['lt', 'lte', 'gt', 'gte'].includes(op)) type.value = 'number';
    values.placeholder = op.startsWith('semver')
      ? '2.1.0'
      : op === 'before' || op === 'after'
        ? '2026-01-31T00:00:00Z'
        : SINGLE_VALUE.has(op)
          ? '10'
          : 'NZ, AU';
  });
  const row = h(
    'div',
    { class: 'condition' },
    field(`Attribute${suffix}`, attribute),
    field(`Operator${suffix}`, operator),
    field(
      `Values${suffix}`,
      values,
      index === 0 ? 'Comma-separated; one value for comparisons.' : undefined,
    ),
    field(`Value type${suffix}`, type),
  );
  row.read = () => ({
    attribute: attribute.value.trim(),
    operator: operator.value,
    values: typedValues(values.value, type.value, operator.value),
  });
  return row;
}

function rulesSection(feature, canWrite) {
  const error = errorBox();
  const rules = feature.rules;
  const list = rules.length
    ? h(
        'ol',
        { class: 'rules' },
        ...rules.map((rule, i) =>
          h(
            'li',
            {},
            h('span', {}, ruleText(rule)),
            canWrite
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'remove',
                    'aria-label': `Remove rule ${i + 1}`,
                    onclick: () => {
                      const text = JSON.stringify(rule);
                      return save(
                        (f) => ({ rules: f.rules.filter((r) => JSON.stringify(r) !== text) }),
                        `removed rule ${i + 1}`,
                        error,
                      );
                    },
                  },
                  '×',
                )
              : null,
          ),
        ),
      )
    : h('p', { class: 'muted' }, 'No rules.');
  if (!canWrite) return section('Rules', list);
  const rows = [conditionRow(0)];
  const container = h('div', { class: 'conditions' }, rows[0]);
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        let rule;
        try {
          rule = { conditions: rows.map((r) => r.read()) };
        } catch (e) {
          return showError(error, { message: e.message });
        }
        await save((f) => ({ rules: [...f.rules, rule] }), `added rule ${ruleText(rule)}`, error);
      },
    },
    h('h3', {}, 'Add a rule'),
    h(
      'p',
      { class: 'muted' },
      'A rule lets a user in when all of its conditions hold; any rule may.',
    ),
    container,
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            const row = conditionRow(rows.length);
            rows.push(row);
            container.append(row);
            row.querySelector('input')?.focus();
          },
        },
        'And another condition',
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Add rule'),
    ),
  );
  return section(
    'Rules',
    h('p', { class: 'muted' }, 'Users whose attributes match any rule get it.'),
    list,
    form,
    error,
  );
}

function explainSection(feature) {
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

function descriptionSection(feature, canWrite) {
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

function dataSection(feature, canWrite) {
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

function historySection(feature, canWrite) {
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

function deleteSection(feature) {
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

// ---------------------------------------------------------------- live updates

main.addEventListener('input', (event) => {
  if (!event.target.closest('[data-not-an-edit]')) state.dirty = true;
});

/** A change arrived from the server's event stream: refresh what is shown. */
async function onRemoteChange() {
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

function follow(url) {
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

// ---------------------------------------------------------------- start

function applyBanner() {
  const banner = document.getElementById('env-banner');
  const color = banner?.dataset.color;
  if (color) banner.style.setProperty('--env', color);
}

async function start() {
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
