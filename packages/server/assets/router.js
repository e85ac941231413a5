// Which view the path asks for, under the base path; history navigation without reloads.
import { ApiError } from './api.js';
import { h, link } from './dom.js';
import { renderFeature } from './feature-page.js';
import { renderList } from './list-view.js';
import { base, main, state } from './page.js';
import { renderLogin } from './sign-in.js';

export function currentRoute() {
  let path = location.pathname;
  if (base && path.startsWith(base)) path = path.slice(base.length);
  const match = /^\/features\/(.+)$/.exec(path);
  if (match) return { view: 'feature', name: decodeURIComponent(match[1]) };
  return { view: 'list' };
}

export function navigate(href) {
  history.pushState(null, '', href);
  void render();
}

window.addEventListener('popstate', () => void render());

export async function render() {
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

export function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}
