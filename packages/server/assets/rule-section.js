// The rules section: a form for conditions with every operator, no JSON needed.
import { errorBox, field, h, section, showError } from './dom.js';
import { OPERATOR_LABELS, ruleText } from './feature-text.js';
import { state } from './page.js';
import { save } from './saving.js';

/** Whether the operator compares against exactly one value (the server says which). */
function singleValue(operator) {
  return state.session.singleValueOperators.includes(operator);
}

export function typedValues(text, type, operator) {
  const raw = singleValue(operator) ? [text.trim()] : text.split(',').map((v) => v.trim());
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

export function conditionRow(index) {
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
  const fitOperator = () => {
    const op = operator.value;
    if (['lt', 'lte', 'gt', 'gte'].includes(op)) type.value = 'number';
    values.placeholder = op.startsWith('semver')
      ? '2.1.0'
      : op === 'before' || op === 'after'
        ? '2026-01-31T00:00:00Z'
        : ['lt', 'lte', 'gt', 'gte'].includes(op)
          ? '10'
          : singleValue(op)
            ? 'pro'
            : 'NZ, AU';
  };
  operator.addEventListener('change', fitOperator);
  fitOperator();
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

export function rulesSection(feature, canWrite) {
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
