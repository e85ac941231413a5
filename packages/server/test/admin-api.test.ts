import type { Rollout } from '@rollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRolloutServer,
  type RolloutServer,
  type RolloutServerOptions,
} from '../src/index.js';
import { flagsClient } from './helpers.js';

const clients: Rollout[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const LOCAL = { remoteAddress: '127.0.0.1' };

async function setup(options: Partial<RolloutServerOptions> = {}) {
  const rollout = await flagsClient();
  clients.push(rollout);
  const server = createRolloutServer({ rollout, onError: () => {}, ...options });
  return { rollout, server };
}

/** A request to the admin API as a local script (no Origin) unless headers say otherwise. */
function call(
  server: RolloutServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  info = LOCAL,
): Promise<Response> {
  const init: RequestInit = { method, headers: { host: 'localhost:8080', ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return server.fetch(new Request(`http://localhost:8080/api${path}`, init), info);
}

describe('admin API on loopback without credentials', () => {
  it('GET /api/features lists summaries with state, searches names and descriptions, filters by state', async () => {
    const { rollout, server } = await setup();
    await rollout.updateFeature('vips', { description: 'Early access for VIP customers' });
    await rollout.activatePercentage('nobody', 100);
    const res = await call(server, 'GET', '/features');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as {
      features: { name: string; state: string; killed: boolean }[];
      total: number;
    };
    expect(body.total).toBe(5);
    expect(Object.fromEntries(body.features.map((f) => [f.name, f.state]))).toEqual({
      everyone: 'on',
      killed: 'off',
      listed: 'partial',
      nobody: 'on',
      vips: 'partial',
    });
    expect(body.features.find((f) => f.name === 'killed')?.killed).toBe(true);
    const search = await (await call(server, 'GET', '/features?q=customers%20EARLY')).json();
    expect(search.features.map((f: { name: string }) => f.name)).toEqual(['vips']);
    const byName = await (await call(server, 'GET', '/features?q=list')).json();
    expect(byName.features.map((f: { name: string }) => f.name)).toEqual(['listed']);
    const partial = await (await call(server, 'GET', '/features?state=partial')).json();
    expect(partial.features.map((f: { name: string }) => f.name)).toEqual(['listed', 'vips']);
    const bad = await call(server, 'GET', '/features?state=maybe');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'state' });
  });

  it('GET /api/session says who is asking and what they may do', async () => {
    const { server } = await setup({
      admin: { environment: { name: 'staging', color: '#b45309' } },
    });
    const body = await (await call(server, 'GET', '/session')).json();
    expect(body).toMatchObject({
      actor: 'local',
      canWrite: true,
      readOnly: false,
      environment: { name: 'staging', color: '#b45309' },
      eventStream: '/ofrep/v1/events',
      history: true,
    });
    expect(body.operators).toContain('semverGte');
    expect(body.singleValueOperators).toContain('eq');
    expect(body.singleValueOperators).not.toContain('in');
  });

  it('POST creates (201), a second create is 409 FEATURE_EXISTS, bad input is 400 with the field', async () => {
    const { server } = await setup();
    const res = await call(server, 'POST', '/features', {
      name: 'new_checkout',
      description: 'The new checkout',
      percentage: 5,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'new_checkout', percentage: 5, version: 1 });
    const again = await call(server, 'POST', '/features', { name: 'new_checkout' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'FEATURE_EXISTS' });
    const bad = await call(server, 'POST', '/features', { name: 'x', percentage: 101 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'percentage' });
    const badName = await call(server, 'POST', '/features', { name: 'n'.repeat(201) });
    expect((await badName.json()).field).toBe('name');
    const notJson = await call(server, 'POST', '/features', '{"name":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'body' });
    const array = await call(server, 'POST', '/features', '[1]');
    expect((await array.json()).field).toBe('body');
  });

  it('GET one feature, 404 FEATURE_NOT_FOUND for a missing one, 400 for a bad name', async () => {
    const { server } = await setup();
    const res = await call(server, 'GET', '/features/listed');
    expect(await res.json()).toMatchObject({ name: 'listed', users: ['42'], version: 1 });
    const missing = await call(server, 'GET', '/features/ghost');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'FEATURE_NOT_FOUND' });
    const bad = await call(server, 'GET', `/features/${'n'.repeat(201)}`);
    expect(bad.status).toBe(400);
  });

  it('PATCH changes any gate; with a stale expectedVersion it is 409 with the current feature', async () => {
    const { rollout, server } = await setup();
    const patch = {
      description: 'listed users',
      users: ['1', '2'],
      excludedUsers: ['3'],
      groups: ['beta'],
      percentage: 30,
      rules: [{ attribute: 'country', operator: 'in', values: ['NZ', 'AU'] }],
      data: { owner: 'growth' },
      expectedVersion: 1,
    };
    const res = await call(server, 'PATCH', '/features/listed', patch);
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved).toMatchObject({
      users: ['1', '2'],
      excludedUsers: ['3'],
      percentage: 30,
      version: 2,
    });
    expect(saved.rules).toEqual([
      { conditions: [{ attribute: 'country', operator: 'in', values: ['NZ', 'AU'] }] },
    ]);
    expect(rollout.explain({ id: 'x', country: 'NZ' }, 'listed').reason).toBe('RULE');

    const stale = await call(server, 'PATCH', '/features/listed', {
      percentage: 50,
      expectedVersion: 1,
    });
    expect(stale.status).toBe(409);
    const conflict = await stale.json();
    expect(conflict).toMatchObject({
      code: 'VERSION_CONFLICT',
      current: { version: 2, percentage: 30 },
    });
    expect((await rollout.getFeature('listed'))?.percentage).toBe(30);

    const unversioned = await call(server, 'PATCH', '/features/listed', { percentage: 50 });
    expect((await unversioned.json()).percentage).toBe(50);
    const missing = await call(server, 'PATCH', '/features/ghost', { percentage: 5 });
    expect(missing.status).toBe(404);
    const field = await call(server, 'PATCH', '/features/listed', { name: 'renamed' });
    expect(await field.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    const operator = await call(server, 'PATCH', '/features/listed', {
      rules: [{ attribute: 'a', operator: 'like', values: ['x'] }],
    });
    expect((await operator.json()).code).toBe('INVALID_INPUT');
    const version = await call(server, 'PATCH', '/features/listed', { expectedVersion: 'two' });
    expect(await version.json()).toMatchObject({ field: 'expectedVersion' });
    const proto = await call(
      server,
      'PATCH',
      '/features/listed',
      '{"__proto__": {"percentage": 1}}',
    );
    expect(proto.status).toBe(400);
  });

  it('PATCH sets variants with weights (core checks them: weights must sum to 100)', async () => {
    const { rollout, server } = await setup();
    const res = await call(server, 'PATCH', '/features/everyone', {
      variants: [
        { name: 'blue', weight: 70, value: 'blue' },
        { name: 'green', weight: 30, value: { hex: '#0f0' } },
      ],
      offValue: 'grey',
      expectedVersion: 1,
    });
    expect(res.status).toBe(200);
    expect((await rollout.getFeature('everyone'))?.variants?.map((v) => v.weight)).toEqual([
      70, 30,
    ]);
    const bad = await call(server, 'PATCH', '/features/everyone', {
      variants: [{ name: 'blue', weight: 70, value: 'blue' }],
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('INVALID_INPUT');
  });

  it('DELETE removes (204), a second delete is 404', async () => {
    const { rollout, server } = await setup();
    expect((await call(server, 'DELETE', '/features/nobody')).status).toBe(204);
    expect(await rollout.getFeature('nobody')).toBeUndefined();
    expect((await call(server, 'DELETE', '/features/nobody')).status).toBe(404);
  });

  it('POST /api/explain answers for a user object or an id; bad input is 400', async () => {
    const { server } = await setup();
    const res = await call(server, 'POST', '/explain', { feature: 'listed', user: 42 });
    expect(await res.json()).toMatchObject({
      feature: 'listed',
      enabled: true,
      reason: 'USER_LISTED',
    });
    const group = await call(server, 'POST', '/explain', {
      feature: 'vips',
      user: { id: 'a', groups: ['vip'] },
    });
    expect(await group.json()).toMatchObject({ enabled: true, reason: 'GROUP', group: 'vip' });
    const unknown = await call(server, 'POST', '/explain', { feature: 'ghost', user: 1 });
    expect(await unknown.json()).toMatchObject({ enabled: false });
    const bad = await call(server, 'POST', '/explain', { feature: 'listed', user: [1] });
    expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'user' });
    const noFeature = await call(server, 'POST', '/explain', { user: 1 });
    expect(noFeature.status).toBe(400);
  });

  it('history lists the API writes with the caller as actor and the note; restore writes a version back', async () => {
    const { rollout, server } = await setup();
    await call(server, 'PATCH', '/features/listed', { percentage: 10, note: 'ramp up' });
    await call(server, 'PATCH', '/features/listed', { percentage: 20 });
    const res = await call(server, 'GET', '/features/listed/history?limit=2');
    const { entries } = await res.json();
    expect(entries.map((e: { version: number }) => e.version)).toEqual([3, 2]);
    expect(entries[1]).toMatchObject({ action: 'update', actor: 'local', note: 'ramp up' });
    expect(entries[1].previous.percentage).toBe(0);
    const older = await (
      await call(server, 'GET', `/features/listed/history?before=${entries[1].revision}`)
    ).json();
    expect(older.entries.map((e: { version: number }) => e.version)).toEqual([1]);
    const restore = await call(server, 'POST', '/features/listed/restore', {
      version: 2,
      note: 'too fast',
    });
    expect(restore.status).toBe(200);
    expect(await restore.json()).toMatchObject({ percentage: 10, version: 4 });
    expect((await rollout.getFeature('listed'))?.percentage).toBe(10);
    const [latest] = (await (await call(server, 'GET', '/features/listed/history?limit=1')).json())
      .entries;
    expect(latest).toMatchObject({ action: 'restore', actor: 'local', note: 'too fast' });
    const bad = await call(server, 'POST', '/features/listed/restore', { version: 0 });
    expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'version' });
    const missing = await call(server, 'POST', '/features/listed/restore', { version: 99 });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
  });

  it('history and restore answer 501 NOT_SUPPORTED for a client without history', async () => {
    const { rollout, server } = await setup();
    Object.defineProperty(rollout, 'history', { value: undefined });
    const history = await call(server, 'GET', '/features/listed/history');
    expect(history.status).toBe(501);
    expect(await history.json()).toMatchObject({ code: 'NOT_SUPPORTED' });
    const restore = await call(server, 'POST', '/features/listed/restore', { version: 1 });
    expect(restore.status).toBe(501);
    expect((await (await call(server, 'GET', '/session')).json()).history).toBe(false);
  });

  it('unknown routes are 404 and wrong methods 405, as JSON', async () => {
    const { server } = await setup();
    const missing = await call(server, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    const wrong = await call(server, 'PUT', '/features/listed', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  it('bodies over the limit are 413, with or without Content-Length', async () => {
    const { server } = await setup({ bodyLimit: 1024 });
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(2000) });
    const res = await call(server, 'POST', '/features', big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await server.fetch(
      new Request('http://localhost:8080/api/features', {
        method: 'POST',
        headers: { host: 'localhost:8080', 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
      LOCAL,
    );
    expect(streamed.status).toBe(413);
  });

  it('refuses other machines, and loopback under a foreign Host name (DNS rebinding)', async () => {
    const { server } = await setup();
    const remote = await call(
      server,
      'GET',
      '/features',
      undefined,
      {},
      { remoteAddress: '10.0.0.5' },
    );
    expect(remote.status).toBe(403);
    expect((await remote.json()).code).toBe('FORBIDDEN');
    const rebound = await call(server, 'GET', '/features', undefined, {
      host: 'evil.example:8080',
    });
    expect(rebound.status).toBe(403);
  });
});

describe('CSRF: writes from a foreign origin', () => {
  it('refuses a write whose Origin is another site with 403 CROSS_ORIGIN, also on loopback without auth', async () => {
    const { rollout, server } = await setup();
    for (const origin of ['http://evil.example', 'http://localhost:9999', 'null']) {
      const res = await call(server, 'PATCH', '/features/listed', { percentage: 99 }, { origin });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'CROSS_ORIGIN' });
    }
    const site = await call(server, 'DELETE', '/features/listed', undefined, {
      'sec-fetch-site': 'cross-site',
    });
    expect(site.status).toBe(403);
    expect((await rollout.getFeature('listed'))?.percentage).toBe(0);
  });

  it('accepts a write from its own origin; a form-encoded body is 415', async () => {
    const { server } = await setup();
    const own = await call(
      server,
      'PATCH',
      '/features/listed',
      { percentage: 10 },
      {
        origin: 'http://localhost:8080',
        'sec-fetch-site': 'same-origin',
      },
    );
    expect(own.status).toBe(200);
    const form = await call(server, 'POST', '/features', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect((await form.json()).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('admin auth', () => {
  it('evaluation tokens do not open the admin API; admin tokens do (401 without, 401 with a wrong one)', async () => {
    const { server } = await setup({ tokens: ['eval'], admin: { tokens: ['root'] } });
    const none = await call(server, 'GET', '/features');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await none.json()).code).toBe('UNAUTHORIZED');
    const evalToken = await call(server, 'GET', '/features', undefined, {
      authorization: 'Bearer eval',
    });
    expect(evalToken.status).toBe(401);
    const wrong = await call(server, 'GET', '/features', undefined, { 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    const root = await call(server, 'GET', '/session', undefined, { authorization: 'Bearer root' });
    expect(await root.json()).toMatchObject({ actor: 'admin-token', canWrite: true });
    const remote = await call(
      server,
      'PATCH',
      '/features/listed',
      { percentage: 1 },
      { 'x-api-key': 'root' },
      {
        remoteAddress: '10.1.2.3',
      },
    );
    expect(remote.status).toBe(200);
  });

  it('authorize grants { actor, canWrite }; true is evaluation only (403); null is 401/403', async () => {
    const { rollout, server } = await setup({
      authorize: ({ request, token }) => {
        const user = request.headers.get('x-user');
        if (user === 'ann') return { actor: 'ann@example.com', canWrite: true };
        if (user === 'bob') return { actor: 'bob@example.com', canWrite: false };
        if (token === 'browser') return true;
        return null;
      },
    });
    const ann = await call(
      server,
      'PATCH',
      '/features/listed',
      { percentage: 20 },
      { 'x-user': 'ann' },
    );
    expect(ann.status).toBe(200);
    const bob = await call(
      server,
      'PATCH',
      '/features/listed',
      { percentage: 30 },
      { 'x-user': 'bob' },
    );
    expect(bob.status).toBe(403);
    expect((await bob.json()).code).toBe('FORBIDDEN');
    const bobReads = await call(server, 'GET', '/session', undefined, { 'x-user': 'bob' });
    expect(await bobReads.json()).toMatchObject({ actor: 'bob@example.com', canWrite: false });
    const bobExplains = await call(
      server,
      'POST',
      '/explain',
      { feature: 'listed', user: 1 },
      { 'x-user': 'bob' },
    );
    expect(bobExplains.status).toBe(200);
    const browser = await call(server, 'GET', '/features', undefined, {
      authorization: 'Bearer browser',
    });
    expect(browser.status).toBe(403);
    const nobody = await call(server, 'GET', '/features');
    expect(nobody.status).toBe(401);
    const refused = await call(server, 'GET', '/features', undefined, {
      authorization: 'Bearer other',
    });
    expect(refused.status).toBe(403);
    expect((await rollout.getFeature('listed'))?.percentage).toBe(20);
  });

  it('read-only mode refuses every write with 403 READ_ONLY and still reads', async () => {
    const { server } = await setup({ admin: { readOnly: true } });
    const write = await call(server, 'POST', '/features', { name: 'x' });
    expect(write.status).toBe(403);
    expect((await write.json()).code).toBe('READ_ONLY');
    expect((await call(server, 'DELETE', '/features/listed')).status).toBe(403);
    expect((await call(server, 'GET', '/features/listed')).status).toBe(200);
    expect(await (await call(server, 'GET', '/session')).json()).toMatchObject({
      canWrite: false,
      readOnly: true,
    });
  });

  it('admin: false leaves /api and the dashboard unmounted; bad admin options throw at once', async () => {
    const { server } = await setup({ admin: false });
    expect((await call(server, 'GET', '/features')).status).toBe(404);
    const rollout = clients[0] as Rollout;
    expect(() =>
      createRolloutServer({
        rollout,
        admin: { environment: { name: 'x', color: 'red;background:url(x)' } },
      }),
    ).toThrow(/color/);
  });
});

describe('dashboard page and assets', () => {
  it('serves the page at / and /features/{name} with a strict CSP, and the shipped assets', async () => {
    const { server } = await setup({
      basePath: '/flags',
      admin: { environment: { name: '<prod & "live">', color: 'crimson' } },
    });
    const page = await server.fetch(new Request('http://localhost/'), LOCAL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('&lt;prod &amp; &quot;live&quot;&gt;');
    expect(html).not.toContain('<prod');
    expect(html).toContain('src="/flags/assets/dashboard.js"');
    const feature = await server.fetch(new Request('http://localhost/features/listed'), LOCAL);
    expect(feature.status).toBe(200);
    const js = await server.fetch(new Request('http://localhost/assets/dashboard.js'), LOCAL);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain("from './router.js'");
    const mod = await server.fetch(new Request('http://localhost/assets/feature-page.js'), LOCAL);
    expect(mod.status).toBe(200);
    const css = await server.fetch(new Request('http://localhost/assets/dashboard.css'), LOCAL);
    expect(css.status).toBe(200);
    const other = await server.fetch(
      new Request('http://localhost/assets/..%2Fpackage.json'),
      LOCAL,
    );
    expect(other.status).toBe(404);
  });
});
