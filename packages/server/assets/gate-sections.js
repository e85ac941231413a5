// The gate sections: everyone / kill switch, percentage, users and deny list, groups.
import { confirmDialog } from './confirm-dialog.js';
import { errorBox, field, h, nextId, section, showError } from './dom.js';
import { splitIds, union } from './feature-text.js';
import { state } from './page.js';
import { save } from './saving.js';

export function everyoneSection(feature, canWrite) {
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

export function percentageSection(feature, canWrite) {
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

export function idList(ids, label, onRemove) {
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

export function listSection(feature, canWrite, key, title, hint) {
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

export function groupsSection(feature, canWrite) {
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
