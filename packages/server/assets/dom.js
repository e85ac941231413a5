// DOM helpers. Strings become text nodes (never markup), so nothing a user typed can become HTML.
import { base, live } from './page.js';
import { navigate } from './router.js';

/** Creates an element; string children become text nodes (escaped by construction). */
export function h(tag, attrs, ...children) {
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

export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled field: label + control, wired by id. */
export function field(labelText, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

/** A section that is a landmark region named by its heading. */
export function section(title, ...children) {
  const id = nextId('s');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    ...children,
  );
}

let announceTimer;

export function announce(text) {
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

export function errorBox() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}

export function showError(box, problem) {
  box.hidden = false;
  box.textContent = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
}

export function featureUrl(name) {
  return `${base}/features/${encodeURIComponent(name)}`;
}

export function link(href, text, attrs = {}) {
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
