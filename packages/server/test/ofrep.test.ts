import type { Rollout } from '@rollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutServer } from '../src/index.js';
import { flagsClient, post, serverFor } from './helpers.js';

let rollout: Rollout;
let server: RolloutServer;
beforeEach(async () => {
  rollout = await flagsClient();
  server = serverFor(rollout);
});
afterEach(async () => {
  await server.close();
  await rollout.close();
});

describe('OFREP single evaluation', () => {
  it('answers evaluationSuccess with value, reason, variant and metadata', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags/listed', {
      context: { targetingKey: '42' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      key: 'listed',
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { rolloutReason: 'USER_LISTED', stale: false, hashVersion: 1, version: 1 },
    });
  });

  it('maps reasons onto OFREP, DEFAULT included', async () => {
    const reason = async (key: string, context: Record<string, unknown>) =>
      (await (await post(server, `/ofrep/v1/evaluate/flags/${key}`, { context })).json()) as {
        reason: string;
        value: boolean;
      };
    expect(await reason('everyone', {})).toMatchObject({ value: true, reason: 'STATIC' });
    expect(await reason('killed', {})).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(await reason('vips', { groups: ['vip'] })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    // DEFAULT on a targeted feature: the targeting was evaluated and did not match.
    expect(await reason('vips', { groups: ['staff'] })).toMatchObject({
      value: false,
      reason: 'TARGETING_MATCH',
    });
    // DEFAULT on a feature without targeting: off for everyone.
    expect(await reason('nobody', { targetingKey: '1' })).toMatchObject({
      value: false,
      reason: 'STATIC',
    });
  });

  it('answers 404 FLAG_NOT_FOUND for an unknown flag', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags/missing', { context: {} });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ key: 'missing', errorCode: 'FLAG_NOT_FOUND' });
  });

  it('answers 400 with errorCode and errorDetails for bad bodies and contexts', async () => {
    const cases: [unknown, string][] = [
      ['{not json', 'PARSE_ERROR'],
      ['', 'PARSE_ERROR'],
      ['[1,2]', 'PARSE_ERROR'],
      ['null', 'PARSE_ERROR'],
      [{}, 'INVALID_CONTEXT'],
      [{ context: 'me' }, 'INVALID_CONTEXT'],
      [{ context: [] }, 'INVALID_CONTEXT'],
      [{ context: { targetingKey: 42 } }, 'INVALID_CONTEXT'],
      [{ context: { groups: 'vip' } }, 'INVALID_CONTEXT'],
    ];
    for (const [body, errorCode] of cases) {
      const res = await post(server, '/ofrep/v1/evaluate/flags/vips', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { key: string; errorCode: string; errorDetails: string };
      expect(json.errorCode).toBe(errorCode);
      expect(json.key).toBe('vips');
      expect(json.errorDetails.length).toBeGreaterThan(10);
    }
  });

  it('keeps __proto__ keys as plain attributes', async () => {
    const body =
      '{"context": {"__proto__": {"groups": ["vip"]}, "constructor": {"prototype": {"groups": ["vip"]}}}}';
    const res = await post(server, '/ofrep/v1/evaluate/flags/vips', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: false });
    expect(({} as { groups?: unknown }).groups).toBeUndefined();
    const proto = await post(server, '/ofrep/v1/evaluate/flags/__proto__', { context: {} });
    expect(proto.status).toBe(404);
  });
});

describe('OFREP bulk evaluation', () => {
  it('evaluates every flag, names the event stream, and sends an ETag', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags', { context: { targetingKey: '42' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      flags: { key: string; value: boolean; reason: string }[];
      eventStreams: {
        type: string;
        endpoint: { requestUri: string };
        inactivityDelaySec: number;
      }[];
    };
    expect(body.flags.map((f) => [f.key, f.value])).toEqual([
      ['everyone', true],
      ['killed', false],
      ['listed', true],
      ['nobody', false],
      ['vips', false],
    ]);
    expect(body.eventStreams).toHaveLength(1);
    expect(body.eventStreams[0]).toMatchObject({ type: 'sse', inactivityDelaySec: 120 });
    expect(body.eventStreams[0]?.endpoint.requestUri).toMatch(
      /^\/ofrep\/v1\/events\?ticket=[\w-]{20,}$/,
    );
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
  });

  it('answers 304 to If-None-Match while nothing changed, 200 after a change', async () => {
    const context = { context: { targetingKey: '7' } };
    const first = await post(server, '/ofrep/v1/evaluate/flags', context);
    const etag = first.headers.get('etag') ?? '';
    const again = await post(server, '/ofrep/v1/evaluate/flags', context, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // Another context is another answer: never a 304 for it.
    const other = await post(
      server,
      '/ofrep/v1/evaluate/flags',
      { context: { targetingKey: '42' } },
      {
        'if-none-match': etag,
      },
    );
    expect(other.status).toBe(200);

    await rollout.activate('nobody');
    const changed = await post(server, '/ofrep/v1/evaluate/flags', context, {
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('answers 400 bulkEvaluationFailure for a bad context', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags', { context: { groups: [1] } });
    expect(res.status).toBe(400);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect(json).not.toHaveProperty('key');
  });
});
