import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FeatureStore, Rollout } from '@rollout/core';
import { FileStore } from '@rollout/store-file';
import { MemoryStore } from '@rollout/store-memory';
import { RedisStore } from '@rollout/store-redis';
import { uniqueName, waitFor } from '@rollout/store-test-suite';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutServer, type Listening, listen } from '../src/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';
import { callElsewhere, type SharedStore } from './write-elsewhere.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

let browser: Browser;
let redis: RedisServer;
let dir: string;

beforeAll(async () => {
  [browser, redis, dir] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    startRedis(),
    mkdtemp(join(tmpdir(), 'rollout-dashboard-')),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await redis?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Case {
  label: string;
  shared: () => SharedStore;
  open: (shared: SharedStore) => FeatureStore;
  screenshots: boolean;
}

const cases: Case[] = [
  {
    label: 'file store',
    shared: () => ({ kind: 'file', path: join(dir, 'flags.json') }),
    open: (s) => new FileStore({ path: (s as { path: string }).path }),
    screenshots: true,
  },
  {
    label: 'Redis',
    shared: () => ({ kind: 'redis', url: redis.url, prefix: `${uniqueName('dash')}:` }),
    open: (s) => {
      const r = s as { url: string; prefix: string };
      return new RedisStore({ url: r.url, prefix: r.prefix });
    },
    screenshots: false,
  },
];

async function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

/** Runs a save and waits until the page shows the version it wrote (the re-render is done). */
async function saving(page: Page, action: () => Promise<void>): Promise<void> {
  const shown = () => page.getByText(/^Version \d+ ·/).textContent();
  const before = await shown();
  await action();
  await expect.poll(shown).not.toBe(before);
}

describe.each(cases)(
  'dashboard in Chromium against the $label',
  ({ shared: sharedOf, open, screenshots }) => {
    let shared: SharedStore;
    let rollout: Rollout;
    let served: Listening;
    let page: Page;

    beforeAll(async () => {
      shared = sharedOf();
      rollout = new Rollout({ store: open(shared), pollInterval: 60_000 });
      await rollout.ready();
      await rollout.addFeature({
        name: 'search_v2',
        description: 'New search ranking',
        groups: ['ALL'],
      });
      await rollout.addFeature({
        name: 'dark_mode',
        description: 'Dark theme for the web app',
        percentage: 25,
      });
      await rollout.addFeature({
        name: 'legacy_export',
        description: 'Old CSV export',
        groups: ['NONE'],
      });
      await rollout.addFeature({
        name: 'beta_reports',
        description: 'Reports for beta testers',
        groups: ['beta'],
      });
      await rollout.addFeature({
        name: 'xss_probe',
        description: '<img src=x onerror="window.pwned=1"> & <b>bold</b>',
      });
      const server = createRolloutServer({
        rollout,
        admin: { environment: { name: 'staging', color: '#7c3aed' } },
        onError: (e) => console.error(e),
      });
      served = await listen(server, { port: 0 });
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    }, 60_000);

    afterAll(async () => {
      await page?.close();
      await served?.close();
      await rollout?.close();
    });

    it('creates a feature, finds it by search, and edits its gates through the forms', async () => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(served.url);
      await expect
        .poll(() => page.getByRole('heading', { name: 'Features' }).isVisible())
        .toBe(true);
      await expect
        .poll(() => page.getByRole('note', { name: 'Environment' }).textContent())
        .toBe('staging');
      // User-supplied text is shown as text, never run or parsed as markup.
      await expect
        .poll(() => page.getByText('<img src=x onerror="window.pwned=1"> & <b>bold</b>').count())
        .toBe(1);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('main img, main b').count()).toBe(0);
      if (screenshots)
        await page.screenshot({ path: join(DOCS, 'dashboard-list.png'), fullPage: true });

      const create = await region(page, 'New feature');
      await create.getByRole('textbox', { name: 'Name' }).fill('checkout_v2');
      await create.getByRole('textbox', { name: 'Description' }).fill('The new checkout flow');
      await create.getByRole('button', { name: 'Create feature' }).click();
      await expect
        .poll(() => page.getByRole('heading', { name: 'checkout_v2', level: 1 }).isVisible())
        .toBe(true);
      expect((await rollout.getFeature('checkout_v2'))?.description).toBe('The new checkout flow');

      await page.getByRole('link', { name: '← All features' }).click();
      await page.getByRole('searchbox', { name: 'Search features' }).fill('checkout flow');
      await expect
        .poll(() => page.getByRole('table').getByRole('link').allTextContents())
        .toEqual(['checkout_v2']);
      await page.getByRole('searchbox', { name: 'Search features' }).fill('');
      await page.getByRole('radio', { name: 'Partial' }).check();
      await expect
        .poll(() => page.getByRole('table').getByRole('link').allTextContents())
        .toEqual(['beta_reports', 'dark_mode']);
      await page.getByRole('radio', { name: 'All' }).check();
      await page.getByRole('searchbox', { name: 'Search features' }).fill('checkout');
      await page.getByRole('link', { name: 'checkout_v2' }).click();

      const percentage = await region(page, 'Percentage');
      await percentage.getByRole('spinbutton', { name: 'Percentage' }).fill('30');
      await saving(page, () => percentage.getByRole('button', { name: 'Save' }).click());
      await waitFor(
        '30 %',
        async () => (await rollout.getFeature('checkout_v2'))?.percentage === 30,
      );

      const rules = await region(page, 'Rules');
      await rules.getByRole('textbox', { name: 'Attribute', exact: true }).fill('country');
      await rules.getByRole('combobox', { name: 'Operator', exact: true }).selectOption('in');
      await rules.getByRole('textbox', { name: 'Values', exact: true }).fill('NZ, AU');
      await rules.getByRole('button', { name: 'And another condition' }).click();
      await rules.getByRole('textbox', { name: 'Attribute 2' }).fill('appVersion');
      await rules.getByRole('combobox', { name: 'Operator 2' }).selectOption('semverGte');
      await rules.getByRole('textbox', { name: 'Values 2' }).fill('2.1.0');
      await saving(page, () => rules.getByRole('button', { name: 'Add rule' }).click());
      await waitFor(
        'the rule',
        async () => (await rollout.getFeature('checkout_v2'))?.rules.length === 1,
      );
      expect((await rollout.getFeature('checkout_v2'))?.rules).toEqual([
        {
          conditions: [
            { attribute: 'country', operator: 'in', values: ['NZ', 'AU'] },
            { attribute: 'appVersion', operator: 'semverGte', values: ['2.1.0'] },
          ],
        },
      ]);

      const deny = await region(page, 'Deny list');
      await deny
        .getByRole('textbox', { name: 'Add to deny list' })
        .fill('troll-1\ntroll-2, troll-3');
      await saving(page, () => deny.getByRole('button', { name: 'Deny users' }).click());
      await waitFor(
        'the deny list',
        async () => (await rollout.getFeature('checkout_v2'))?.excludedUsers.length === 3,
      );
      await saving(page, async () =>
        (await region(page, 'Deny list'))
          .getByRole('button', { name: 'Remove troll-2 from deny list' })
          .click(),
      );
      await waitFor(
        'troll-2 removed',
        async () =>
          (await rollout.getFeature('checkout_v2'))?.excludedUsers.join() === 'troll-1,troll-3',
      );

      const groups = await region(page, 'Groups');
      await groups.getByRole('combobox', { name: 'Group' }).fill('beta');
      await saving(page, () => groups.getByRole('button', { name: 'Add group' }).click());
      await waitFor('group', async () =>
        (await rollout.getFeature('checkout_v2'))?.groups.includes('beta'),
      );

      // The explain box by keyboard alone: type, Enter.
      const explain = (await region(page, 'Explain')).getByRole('textbox', {
        name: 'User (id or JSON)',
      });
      await explain.focus();
      await page.keyboard.type('{"id": "troll-1", "country": "NZ"}');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.locator('output.explain').textContent())
        .toBe('Off: USER_EXCLUDED');
      expect(errors).toEqual([]);
    });

    it('shows a change made by another process without a reload', async () => {
      await callElsewhere(shared, 'activateUser', 'checkout_v2', 'user-777');
      const users = await region(page, 'Users');
      await expect.poll(() => users.getByText('user-777').count(), { timeout: 20_000 }).toBe(1);
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'Updated live' }).count())
        .toBe(1);
    });

    it('meets a version conflict, shows both changes and re-applies', async () => {
      const percentage = await region(page, 'Percentage');
      await percentage.getByRole('spinbutton', { name: 'Percentage' }).fill('50');
      await callElsewhere(shared, 'activatePercentage', 'checkout_v2', 10);
      await expect
        .poll(() => page.getByText('Changed elsewhere: now at version').count(), {
          timeout: 20_000,
        })
        .toBe(1);
      await percentage.getByRole('button', { name: 'Save' }).click();
      const conflict = page
        .getByRole('alert')
        .filter({ hasText: 'Someone else changed this feature' });
      await expect.poll(() => conflict.isVisible()).toBe(true);
      expect(await conflict.textContent()).toContain('percentage: 30 % → 10 %');
      expect(await conflict.textContent()).toContain('percentage: 10 % → 50 %');
      if (screenshots) await page.screenshot({ path: join(DOCS, 'dashboard-conflict.png') });
      await saving(page, () =>
        conflict.getByRole('button', { name: 'Re-apply my change' }).click(),
      );
      await waitFor(
        '50 %',
        async () => (await rollout.getFeature('checkout_v2'))?.percentage === 50,
      );
      // Discard: the page shows what is stored and writes nothing.
      await (await region(page, 'Percentage'))
        .getByRole('spinbutton', { name: 'Percentage' })
        .fill('70');
      await callElsewhere(shared, 'activatePercentage', 'checkout_v2', 15);
      await expect
        .poll(() => page.getByText('Changed elsewhere: now at version').count(), {
          timeout: 20_000,
        })
        .toBe(1);
      await (await region(page, 'Percentage')).getByRole('button', { name: 'Save' }).click();
      await page.getByRole('button', { name: 'Discard my change' }).click();
      await expect
        .poll(() => page.getByRole('spinbutton', { name: 'Percentage' }).inputValue())
        .toBe('15');
      expect((await rollout.getFeature('checkout_v2'))?.percentage).toBe(15);
    });

    it('asks before the kill switch, restores a version from history, and is usable at 375 px', async () => {
      // By keyboard: Enter opens the confirmation with focus on Cancel; Escape closes it, nothing written.
      await page.getByRole('button', { name: 'Kill switch: off for everyone' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
      await page.getByRole('button', { name: 'Kill switch: off for everyone' }).click();
      const dialog = page.getByRole('dialog');
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await rollout.getFeature('checkout_v2'))?.groups).not.toContain('NONE');
      await page.getByRole('button', { name: 'Kill switch: off for everyone' }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: 'Kill switch: off for everyone' })
        .click();
      await waitFor('killed', async () =>
        (await rollout.getFeature('checkout_v2'))?.groups.includes('NONE'),
      );
      await page.getByRole('button', { name: 'Lift kill switch' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Lift kill switch' }).click();
      await waitFor(
        'lifted',
        async () => !(await rollout.getFeature('checkout_v2'))?.groups.includes('NONE'),
      );
      await expect
        .poll(() => page.getByRole('button', { name: 'Kill switch: off for everyone' }).count())
        .toBe(1);
      if (screenshots)
        await page.screenshot({ path: join(DOCS, 'dashboard-feature.png'), fullPage: true });

      // History: every write above is an entry; restore the version that only had 30 %.
      const history = await region(page, 'History');
      await expect
        .poll(() => history.getByRole('button', { name: 'Restore version 2' }).count())
        .toBe(1);
      expect(await history.textContent()).toContain('percentage: 0 % → 30 %');
      if (screenshots) {
        await history.scrollIntoViewIfNeeded();
        await history.screenshot({ path: join(DOCS, 'dashboard-history.png') });
      }
      await saving(page, async () => {
        await history.getByRole('button', { name: 'Restore version 2' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
      });
      const restored = await rollout.getFeature('checkout_v2');
      expect(restored).toMatchObject({ percentage: 30, rules: [], excludedUsers: [] });
      const [latest] = await rollout.history('checkout_v2', { limit: 1 });
      expect(latest).toMatchObject({ action: 'restore', actor: 'local' });

      await page.setViewportSize({ width: 375, height: 800 });
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth);
      expect(await overflow()).toBeLessThanOrEqual(375);
      if (screenshots)
        await page.screenshot({ path: join(DOCS, 'dashboard-phone.png'), fullPage: false });
      await page.getByRole('link', { name: '← All features' }).click();
      await expect
        .poll(() => page.getByRole('heading', { name: 'Features' }).isVisible())
        .toBe(true);
      expect(await overflow()).toBeLessThanOrEqual(375);
      await page.setViewportSize({ width: 1100, height: 900 });
    });

    it('sets weighted variants and the off value through the table, and refuses a sum of 90', async () => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${served.url}/features/dark_mode`);
      const variants = await region(page, 'Variants');
      await expect.poll(() => variants.getByText('No variants').count()).toBe(1);
      await variants.getByRole('button', { name: 'Add variant' }).click();
      await variants.getByRole('textbox', { name: 'Name of row 1' }).fill('red');
      await variants.getByRole('textbox', { name: 'Value of red' }).fill('"#f00"');
      await variants.getByRole('spinbutton', { name: 'Weight of red' }).fill('60');
      await variants.getByRole('button', { name: 'Add variant' }).click();
      await variants.getByRole('textbox', { name: 'Name of row 2' }).fill('blue');
      await variants.getByRole('textbox', { name: 'Value of blue' }).fill('{"hex": "#00f"}');
      await variants.getByRole('spinbutton', { name: 'Weight of blue' }).fill('30');
      expect(await variants.getByRole('status').textContent()).toBe(
        'Weights sum to 90 %; they must sum to 100 %.',
      );
      await variants.getByRole('spinbutton', { name: 'Weight of blue' }).fill('40');
      expect(await variants.getByRole('status').textContent()).toBe('Weights sum to 100 %.');
      await variants.getByRole('textbox', { name: 'Off value (JSON)' }).fill('"grey"');
      await saving(page, () => variants.getByRole('button', { name: 'Save' }).click());
      await waitFor(
        'the variants',
        async () => (await rollout.getFeature('dark_mode'))?.variants?.length === 2,
      );
      expect(await rollout.getFeature('dark_mode')).toMatchObject({
        variants: [
          { name: 'red', value: '#f00', weight: 60 },
          { name: 'blue', value: { hex: '#00f' }, weight: 40 },
        ],
        offValue: 'grey',
      });

      // A sum of 90 is refused, with a message in the section; nothing is written.
      const stored = (await rollout.getFeature('dark_mode'))?.version;
      const again = await region(page, 'Variants');
      await again.getByRole('spinbutton', { name: 'Weight of blue' }).fill('30');
      await again.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => again.getByRole('alert').filter({ hasText: 'sum to 90' }).textContent())
        .toBe('variants: the weights sum to 90 %; they must sum to 100 %');
      expect((await rollout.getFeature('dark_mode'))?.version).toBe(stored);

      // An error from the API shows next to the field it names (here variants[1].name).
      await again.getByRole('spinbutton', { name: 'Weight of blue' }).fill('40');
      await again.getByRole('textbox', { name: 'Name of blue' }).fill('');
      await again.getByRole('button', { name: 'Save' }).click();
      const nameField = again.getByRole('textbox', { name: 'Name of row 2' });
      await expect.poll(() => nameField.getAttribute('aria-invalid')).toBe('true');
      expect(await nameField.locator('xpath=..').getByRole('alert').textContent()).not.toBe('');
      expect((await rollout.getFeature('dark_mode'))?.version).toBe(stored);

      // Remove all variants (after a confirmation): the feature is plain on/off again.
      await again.getByRole('button', { name: 'Remove all variants' }).click();
      await saving(page, () =>
        page.getByRole('dialog').getByRole('button', { name: 'Remove variants' }).click(),
      );
      expect((await rollout.getFeature('dark_mode'))?.variants).toBeUndefined();
      expect(errors).toEqual([]);
    });
  },
);

describe('dashboard mounted under /flags behind an admin token', () => {
  it('asks for the token, then lists and edits under the base path', async () => {
    const rollout = new Rollout({ store: new MemoryStore() });
    await rollout.ready();
    await rollout.addFeature({ name: 'mounted_flag', description: 'Lives under /flags' });
    const flags = createRolloutServer({
      rollout,
      basePath: '/flags',
      tokens: ['eval-token'],
      admin: { tokens: ['s3cret'] },
    });
    // An app that routes /flags/* to the handler, stripping the prefix as Express's app.use does.
    const app = createServer((req, res) => {
      if (req.url?.startsWith('/flags/')) {
        req.url = req.url.slice('/flags'.length);
        flags(req, res);
      } else res.writeHead(404).end('app');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/flags/`;
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    try {
      await page.goto(url);
      await page.getByLabel('Admin token').fill('eval-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe('That token was not accepted.');
      await page.getByLabel('Admin token').fill('s3cret');
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'mounted_flag' }).click();
      expect(new URL(page.url()).pathname).toBe('/flags/features/mounted_flag');
      const percentage = await region(page, 'Percentage');
      await percentage.getByRole('spinbutton', { name: 'Percentage' }).fill('12.5');
      await percentage.getByRole('button', { name: 'Save' }).click();
      await waitFor(
        '12.5 %',
        async () => (await rollout.getFeature('mounted_flag'))?.percentage === 12.5,
      );
      // A reload of a feature URL under the base path lands on the same page, signed in for the tab.
      await page.reload();
      await expect
        .poll(() => page.getByRole('spinbutton', { name: 'Percentage' }).inputValue())
        .toBe('12.5');
      await expect.poll(() => flags.eventStreamCount).toBe(1);
    } finally {
      await page.close();
      await flags.close();
      app.closeAllConnections();
      await new Promise<void>((resolve) => app.close(() => resolve()));
      await rollout.close();
    }
  });
});
