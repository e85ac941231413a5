// The variants section: weighted variants (name, JSON value, weight) and the off value, edited as a table.
import { confirmDialog } from './confirm-dialog.js';
import { errorBox, field, h, section, showError } from './dom.js';
import { save } from './saving.js';

/** Weights are summed in thousandths, as core does, so 33.333 + 33.333 + 33.334 is 100. */
function weightSum(weights) {
  return weights.reduce((sum, w) => sum + Math.round(w * 1000), 0) / 1000;
}

/** Parses a JSON value typed by the user; throws a message that says what to type. */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('not JSON: put text in double quotes, e.g. "red", or enter 42, true, {…}');
  }
}

/** One editable row of the variants table; `read()` returns the variant or throws `{ field, message }`. */
function variantRow(variant, rows, onChange) {
  const name = h('input', { autocomplete: 'off', placeholder: 'red' });
  const value = h('input', { autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const weight = h('input', {
    type: 'number',
    min: 0,
    max: 100,
    step: 0.001,
    inputmode: 'decimal',
  });
  name.value = variant.name;
  value.value = variant.value === undefined ? '' : JSON.stringify(variant.value);
  weight.value = variant.weight === undefined ? '' : String(variant.weight);
  const errors = { name: errorBox(), value: errorBox(), weight: errorBox() };
  const remove = h('button', { type: 'button', class: 'remove' }, '×');
  const row = h(
    'tr',
    {},
    h('td', {}, name, errors.name),
    h('td', {}, value, errors.value),
    h('td', {}, weight, errors.weight),
    h('td', {}, remove),
  );
  // Labels follow the typed name, so "Weight of red" stays right while the row is edited.
  const relabel = () => {
    const label = name.value.trim() || `row ${rows.indexOf(row) + 1}`;
    name.setAttribute('aria-label', `Name of ${label}`);
    value.setAttribute('aria-label', `Value of ${label}`);
    weight.setAttribute('aria-label', `Weight of ${label}`);
    remove.setAttribute('aria-label', `Remove variant ${label}`);
  };
  name.addEventListener('input', relabel);
  weight.addEventListener('input', onChange);
  remove.addEventListener('click', () => {
    rows.splice(rows.indexOf(row), 1);
    row.remove();
    onChange();
  });
  row.relabel = relabel;
  row.weight = () => (weight.value === '' ? 0 : weight.valueAsNumber || 0);
  row.clearErrors = () => {
    for (const [key, box] of Object.entries(errors)) {
      box.hidden = true;
      ({ name, value, weight })[key].removeAttribute('aria-invalid');
    }
  };
  /** Shows an error next to the field it is about (`name`, `value` or `weight`). */
  row.showError = (key, message) => {
    const input = { name, value, weight }[key] || name;
    showError(errors[key] || errors.name, { message });
    input.setAttribute('aria-invalid', 'true');
  };
  row.read = (i) => {
    const text = value.value.trim();
    if (text === '') throw { row: i, key: 'value', message: 'enter a JSON value' };
    let json;
    try {
      json = parseJson(text);
    } catch (e) {
      throw { row: i, key: 'value', message: e.message };
    }
    if (weight.value === '' || Number.isNaN(weight.valueAsNumber))
      throw { row: i, key: 'weight', message: 'enter a weight from 0 to 100' };
    return { name: name.value.trim(), value: json, weight: weight.valueAsNumber };
  };
  return row;
}

export function variantsSection(feature, canWrite) {
  const variants = feature.variants || [];
  const error = errorBox();
  const intro = h(
    'p',
    { class: 'muted' },
    'Users who get the feature get one variant, picked by weight (by user id). The weights must sum to 100.',
  );
  if (!canWrite) {
    return section(
      'Variants',
      intro,
      variants.length
        ? h(
            'ul',
            { class: 'diff' },
            ...variants.map((v) =>
              h('li', {}, `${v.name}: ${JSON.stringify(v.value)} (${v.weight} %)`),
            ),
          )
        : h('p', { class: 'muted' }, 'No variants.'),
      h(
        'p',
        {},
        `Off value: ${feature.offValue === undefined ? 'none' : JSON.stringify(feature.offValue)}`,
      ),
    );
  }
  const rows = [];
  const body = h('tbody', {});
  const sum = h('p', { class: 'weight-sum', role: 'status' });
  const showSum = () => {
    // An empty table would be headings over nothing.
    body.parentElement?.toggleAttribute('hidden', rows.length === 0);
    if (rows.length === 0) {
      sum.textContent = 'No variants: saving an empty table removes them.';
      sum.classList.remove('error');
      return;
    }
    const total = weightSum(rows.map((r) => r.weight()));
    const ok = total === 100;
    sum.textContent = ok
      ? 'Weights sum to 100 %.'
      : `Weights sum to ${total} %; they must sum to 100 %.`;
    sum.classList.toggle('error', !ok);
  };
  const addRow = (variant) => {
    const row = variantRow(variant, rows, showSum);
    rows.push(row);
    body.append(row);
    row.relabel();
    showSum();
    return row;
  };
  for (const v of variants) addRow(v);
  const offValue = h('input', { autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  offValue.value = feature.offValue === undefined ? '' : JSON.stringify(feature.offValue);
  const offError = errorBox();
  const clearErrors = () => {
    error.hidden = true;
    offError.hidden = true;
    offValue.removeAttribute('aria-invalid');
    for (const r of rows) r.clearErrors();
  };
  // An API error names its field (`variants[2].weight`, `offValue`): show it next to that field.
  const showProblem = (problem) => {
    const at = /^variants\[(\d+)\]\.(name|value|weight)$/.exec(problem.field || '');
    if (at && rows[Number(at[1])]) return rows[Number(at[1])].showError(at[2], problem.message);
    if (problem.field === 'offValue') {
      offValue.setAttribute('aria-invalid', 'true');
      return showError(offError, { message: problem.message });
    }
    showError(error, problem);
  };
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        clearErrors();
        let list;
        try {
          list = rows.map((r, i) => r.read(i));
        } catch (problem) {
          return rows[problem.row].showError(problem.key, problem.message);
        }
        if (list.length && weightSum(list.map((v) => v.weight)) !== 100) {
          return showError(error, {
            field: 'variants',
            message: `the weights sum to ${weightSum(list.map((v) => v.weight))} %; they must sum to 100 %`,
          });
        }
        const patch = { variants: list };
        const offText = offValue.value.trim();
        if (offText !== '') {
          try {
            patch.offValue = parseJson(offText);
          } catch (e) {
            return showProblem({ field: 'offValue', message: e.message });
          }
        }
        await save(
          () => patch,
          list.length
            ? `variants ${list.map((v) => `${v.name} ${v.weight} %`).join(', ')}`
            : 'variants removed',
          showProblem,
        );
      },
    },
    h(
      'table',
      { class: 'variants' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'Value (JSON)'),
          h('th', { scope: 'col' }, 'Weight %'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Remove')),
        ),
      ),
      body,
    ),
    sum,
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            addRow({ name: '', value: undefined, weight: undefined })
              .querySelector('input')
              ?.focus(),
        },
        'Add variant',
      ),
    ),
    field(
      'Off value (JSON)',
      offValue,
      'What users who do not get the feature are served; empty leaves it as it is.',
    ),
    offError,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, 'Save'),
      variants.length
        ? h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: async () => {
                const ok = await confirmDialog(
                  `Remove the variants of ${feature.name}?`,
                  'The feature goes back to plain on/off; the off value stays.',
                  'Remove variants',
                );
                if (ok) await save(() => ({ variants: [] }), 'variants removed', showProblem);
              },
            },
            'Remove all variants',
          )
        : null,
    ),
  );
  showSum();
  return section('Variants', intro, form, error);
}
