// The feature page: every gate as a section of its own.
import { ApiError, api } from './api.js';
import { h, link } from './dom.js';
import { summaryState } from './feature-text.js';
import { everyoneSection, groupsSection, listSection, percentageSection } from './gate-sections.js';
import { stateBadge } from './list-view.js';
import {
  dataSection,
  deleteSection,
  descriptionSection,
  explainSection,
  historySection,
} from './more-sections.js';
import { base, main, state } from './page.js';
import { focusHeading } from './router.js';
import { rulesSection } from './rule-section.js';
import { variantsSection } from './variant-section.js';

export async function renderFeature(name) {
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

export function showFeature(feature) {
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
    variantsSection(feature, canWrite),
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
