// The sign-in form, shown when the API asks for an admin token.
import { start } from './dashboard.js';
import { field, h } from './dom.js';
import { main, state } from './page.js';

export function renderLogin() {
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
