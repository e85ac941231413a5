// The page the server rendered: its config, the DOM roots every view writes into, and the state the views share.
export const config = JSON.parse(document.querySelector('meta[name="rollout-dashboard"]').content);

export const base = config.basePath || '';

export const main = document.getElementById('main');

export const live = document.getElementById('live');

export const who = document.getElementById('who');

export const state = {
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
