import { FeatureExistsError, Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FLAGS, seedIfEmpty } from '../src/seed.js';
import { type RunningExample, startExample } from '../src/server.js';

let app: RunningExample;
beforeAll(async () => {
  app = await startExample({ store: 'memory:', port: 0, log: () => {} });
});
afterAll(async () => {
  await app?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the example app on a memory store', () => {
  it('listens on the real port it was given (0: a free one) and seeded the empty store', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.url).not.toMatch(/:0$/);
    expect(app.storeLabel).toBe('memory:');
    const names = app.rollout.snapshot().map((f) => f.name);
    expect(names).toEqual(SEED_FLAGS.map((f) => f.name).sort());
  });

  it('GET /beta answers 403 or 200 as new_dashboard changes for the user', async () => {
    const path = '/beta?user=5';
    const denied = await get(path);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: 'forbidden', feature: 'new_dashboard' });

    await app.rollout.activateUser('new_dashboard', 5);
    const allowed = await get(path);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ page: 'new dashboard', reason: 'USER_LISTED' });

    // The kill switch wins over the user list.
    await app.rollout.activateGroup('new_dashboard', 'NONE');
    expect((await get(path)).status).toBe(403);
    await app.rollout.deactivateGroup('new_dashboard', 'NONE');
    expect((await get(path)).status).toBe(200);

    await app.rollout.deactivateUser('new_dashboard', 5);
    expect((await get(path)).status).toBe(403);
  });

  it('the user comes from the query or from x-user-* headers', async () => {
    expect((await get('/beta?groups=early,vip')).status).toBe(200);
    expect((await get('/beta', { 'x-user-id': '123' })).status).toBe(200);
    expect((await get('/beta', { 'x-user-groups': 'vip' })).status).toBe(200);
    expect((await get('/beta', { 'x-user-id': '124' })).status).toBe(403);
  });

  it('GET /checkout gives the variant the percentage decides, the same one every time', async () => {
    await app.rollout.activatePercentage('checkout_v2', 50);
    const variants = new Map<string, string>();
    for (let id = 0; id < 40; id++) {
      const { status, body } = await get(`/checkout?user=${id}`);
      expect(status).toBe(200);
      const expected = app.rollout.can({ id: String(id) }, 'checkout_v2') ? 'v2' : 'classic';
      expect(body.variant).toBe(expected);
      variants.set(String(id), body.variant as string);
    }
    // 40 users at 50 %: both variants show up (the odds of one missing are 2 in 10^12).
    expect(new Set(variants.values())).toEqual(new Set(['v2', 'classic']));
    await app.rollout.activatePercentage('checkout_v2', 100);
    expect((await get('/checkout?user=7')).body.variant).toBe('v2');
    await app.rollout.deactivatePercentage('checkout_v2');
    expect((await get('/checkout?user=7')).body.variant).toBe('classic');
    // Users without an id are never in a percentage.
    await app.rollout.activatePercentage('checkout_v2', 100);
    expect((await get('/checkout')).body.variant).toBe('classic');
  });

  it('GET / lists every flag with what the user gets and why, and the NZ banner', async () => {
    const { status, body } = await get('/?user=123&country=NZ');
    expect(status).toBe(200);
    const flags = body.flags as { name: string; enabled: boolean; reason: string }[];
    expect(flags.find((f) => f.name === 'new_dashboard')).toMatchObject({
      enabled: true,
      reason: 'USER_LISTED',
    });
    expect(flags.find((f) => f.name === 'nz_banner')).toMatchObject({
      enabled: true,
      reason: 'RULE',
    });
    expect(body.banner).toMatch(/New Zealand/);
    expect((await get('/?country=AU')).body.banner).toBeUndefined();
  });

  it('GET / embeds the user’s bootstrap: req.flags.all(), the answers rollout.allFlags gives', async () => {
    const { body } = await get('/?user=123');
    const bootstrap = body.bootstrap as Record<string, { enabled: boolean; reason: string }>;
    expect(bootstrap.new_dashboard).toEqual({ enabled: true, reason: 'USER_LISTED' });
    expect(Object.keys(bootstrap)).toEqual((body.flags as { name: string }[]).map((f) => f.name));
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await get('/nope')).status).toBe(404);
    const res = await fetch(`${app.url}/beta`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('seeding', () => {
  it('only seeds an empty store', async () => {
    const store = new MemoryStore();
    const rollout = new Rollout({ store });
    await rollout.ready();
    await rollout.addFeature({ name: 'mine', groups: ['ALL'] });
    expect(await seedIfEmpty(rollout)).toBe(0);
    expect((await rollout.features()).map((f) => f.name)).toEqual(['mine']);
    await rollout.close();
  });

  it('seeds every flag once; a second run adds nothing', async () => {
    const rollout = new Rollout({ store: new MemoryStore() });
    await rollout.ready();
    expect(await seedIfEmpty(rollout)).toBe(SEED_FLAGS.length);
    expect(await seedIfEmpty(rollout)).toBe(0);
    await expect(rollout.addFeature(SEED_FLAGS[0]!)).rejects.toBeInstanceOf(FeatureExistsError);
    await rollout.close();
  });
});

describe("rollout's dashboard and APIs mounted at /flags", () => {
  it('serves the dashboard page and its assets under /flags/', async () => {
    const bare = await fetch(`${app.url}/flags`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/flags/');
    const page = await fetch(`${app.url}/flags/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('src="/flags/assets/dashboard.js"');
    expect(html).toContain('example app');
    expect((await fetch(`${app.url}/flags/assets/dashboard.js`)).status).toBe(200);
  });

  it('answers the admin API read-write on loopback, refusing writes from another origin', async () => {
    const list = (await (await fetch(`${app.url}/flags/api/features?q=checkout`)).json()) as {
      features: { name: string }[];
    };
    expect(list.features.map((f) => f.name)).toEqual(['checkout_v2']);
    const host = new URL(app.url).host;
    const patch = (origin: string) =>
      fetch(`${app.url}/flags/api/features/dark_mode`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ description: `set from ${origin}` }),
      });
    expect((await patch('http://evil.example')).status).toBe(403);
    expect((await patch(`http://${host}`)).status).toBe(200);
    expect(app.rollout.snapshot().find((f) => f.name === 'dark_mode')?.description).toBe(
      `set from http://${host}`,
    );
  });

  it('evaluates over OFREP under /flags/ofrep/v1', async () => {
    await app.rollout.activate('dark_mode');
    const res = await fetch(`${app.url}/flags/ofrep/v1/evaluate/flags/dark_mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ context: { targetingKey: '1' } }),
    });
    expect(await res.json()).toMatchObject({ key: 'dark_mode', value: true });
  });
});
