import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Rollout } from '@rollout/core';
import { uniqueName } from '@rollout/store-test-suite';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutServer, type Listening, listen, type RolloutServer } from '../src/index.js';
import { redisFlagsClient } from './helpers.js';
import { writeElsewhere } from './other-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let redis: RedisServer;
let rollout: Rollout;
let api: Listening;
let apiServer: RolloutServer;
let page: Server;
let pageUrl: string;
let browser: Browser;
const prefix = `${uniqueName('web')}:`;

/**
 * Serves the test page from its own origin, so the browser talks to the API
 * cross-origin (CORS). The API's URL is read per request: the API is started after
 * the page, because its CORS list names the page's origin.
 */
async function servePage(apiUrl: () => string): Promise<Server> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/web-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = () => `<!doctype html><html><head><title>rollout OFREP</title></head><body>
<p id="flags">loading</p><p id="changes">0</p>
<script>window.ROLLOUT = ${JSON.stringify({ baseUrl: apiUrl(), token: 'secret' })};</script>
<script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/page.js')
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  redis = await startRedis();
  rollout = await redisFlagsClient(redis.url, prefix);
  page = await servePage(() => api.url);
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  apiServer = createRolloutServer({ rollout, tokens: ['secret'], cors: [pageUrl] });
  api = await listen(apiServer, { port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  page?.close();
  await api?.close();
  await rollout?.close();
  await redis?.kill();
});

describe('@openfeature/ofrep-web-provider with @openfeature/web-sdk in Chromium', () => {
  it('loads, evaluates flags, and sees a change from another process arrive without a reload', async () => {
    const tab = await browser.newPage();
    const logs: string[] = [];
    tab.on('console', (m) => logs.push(m.text()));
    await tab.goto(pageUrl);
    const flags = tab.locator('#flags');
    await expect
      .poll(() => flags.textContent(), { timeout: 20_000 })
      .toBe('checkout=false everyone=true beta=true button=green/green/STATIC/ theme=dflt/');

    // The provider follows the server's event stream (polling is an hour away).
    await expect.poll(() => apiServer.eventStreamCount, { timeout: 20_000 }).toBe(1);
    await writeElsewhere(redis.url, prefix, 'activate', 'checkout');
    await writeElsewhere(redis.url, prefix, 'deactivate', 'button');
    await expect
      .poll(() => flags.textContent(), { timeout: 20_000, message: logs.join('\n') })
      .toBe('checkout=true everyone=true beta=true button=grey/off/STATIC/ theme=dflt/');
    expect(Number(await tab.locator('#changes').textContent())).toBeGreaterThanOrEqual(1);
    await tab.close();
  });
});
