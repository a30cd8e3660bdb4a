// The web UI's server side without a browser: paths, the route prefix,
// redirects, the answer when the UI is not built, compression of the API's
// answers, and the explain and lint endpoints.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createEngine, openDB } from '../../src/index.js';
import { GZIP_INLINE_MAX_BYTES, gzipApiBody, withWebUI } from '../../src/node/web-ui.js';
import { GZIP_PIECE_MIN_BYTES } from '../../src/node/gzip-pieces.js';

async function setup(opts: { built?: boolean; prefix?: string; external?: string } = {}) {
  const db = await openDB();
  const app = db.appender();
  app.append({ __name__: 'up', job: 'a' }, 1_000_000, 1);
  await app.commit();
  const seen: string[] = [];
  const api = async (req: Request) => {
    seen.push(new URL(req.url).pathname);
    const n = Number(new URL(req.url).searchParams.get('n') ?? 10);
    return new Response(JSON.stringify({ status: 'success', data: 'x'.repeat(n) }), { headers: { 'content-type': 'application/json' } });
  };
  const dir = mkdtempSync(join(tmpdir(), 'promlet-webui-'));
  if (opts.built !== false) {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>promlet</title>');
    writeFileSync(join(dir, 'assets', 'main-abc123.js'), 'console.log("promlet");\n'.repeat(100));
  }
  const handler = withWebUI(api, { engine: createEngine(db), dir, routePrefix: opts.prefix, externalPath: opts.external ?? opts.prefix });
  const get = (path: string, headers: Record<string, string> = {}) => handler(new Request(`http://promlet${path}`, { headers }));
  return { get, seen };
}

describe('the web UI around the API handler', () => {
  it('answers the UI paths with the page, / and /graph with redirects, and passes the rest to the API', async () => {
    const { get, seen } = await setup();
    for (const p of ['/query', '/alerts', '/rules', '/targets', '/service-discovery', '/status', '/tsdb-status', '/config', '/flags']) {
      const r = await get(p);
      expect([p, r.status, r.headers.get('content-type')]).toEqual([p, 200, 'text/html; charset=utf-8']);
    }
    expect((await get('/')).headers.get('location')).toBe('/query');
    expect((await get('/graph?g0.expr=up')).headers.get('location')).toBe('/query?g0.expr=up');
    expect((await get('/assets/main-abc123.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/missing.js')).status).toBe(503);
    // Nothing outside the UI's folder: dot segments are resolved by the URL, encoded slashes stay in the name.
    expect((await get('/assets/..%2f..%2f..%2f..%2fetc%2fpasswd')).status).toBe(503);
    await get('/api/v1/labels');
    expect(seen).toEqual(['/api/v1/labels']);
  });

  it('says the UI is not built, without touching the API', async () => {
    const { get } = await setup({ built: false });
    const r = await get('/targets');
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build');
    expect((await get('/api/v1/query?query=up')).status).toBe(200);
  });

  it('serves everything under the route prefix, redirects to the external path and refuses what is outside', async () => {
    const { get, seen } = await setup({ prefix: '/prom/', external: '/outside/prom' });
    expect((await get('/')).headers.get('location')).toBe('/outside/prom/');
    expect((await get('/prom')).headers.get('location')).toBe('/outside/prom/query');
    expect((await get('/prom/graph?g0.expr=up')).headers.get('location')).toBe('/outside/prom/query?g0.expr=up');
    expect((await get('/prom/query')).status).toBe(200);
    expect((await get('/query')).status).toBe(404);
    expect((await get('/api/v1/labels')).status).toBe(404);
    await get('/prom/api/v1/labels?match[]=up');
    expect(seen).toEqual(['/api/v1/labels']);
  });

  it('gzips the API\'s answers of 1 KB or more for clients that accept it', async () => {
    const { get } = await setup();
    const big = await get('/api/v1/x?n=5000', { 'accept-encoding': 'gzip, deflate' });
    expect(big.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await big.arrayBuffer())).toString()).data).toHaveLength(5000);
    expect((await get('/api/v1/x?n=10', { 'accept-encoding': 'gzip' })).headers.get('content-encoding')).toBeNull();
    expect((await get('/api/v1/x?n=5000')).headers.get('content-encoding')).toBeNull();
  });

  it('explains a query and lints one, with promlet\'s positions', async () => {
    const { get } = await setup();
    const ex = await (await get('/ui/api/explain?query=sum(up)&time=1000')).json() as { data: { label: string; series: number; children: { label: string }[] } };
    expect([ex.data.label, ex.data.series, ex.data.children.map((c) => c.label)]).toEqual(['sum', 1, ['selector']]);
    const bad = await get('/ui/api/explain?query=sum(&time=1000');
    expect([bad.status, ((await bad.json()) as { errorType: string }).errorType]).toEqual([400, 'bad_data']);
    expect(await (await get('/ui/api/lint?query=sum(up')).json()).toEqual({ status: 'success', data: [{ from: 6, to: 6, message: 'unclosed left parenthesis' }] });
    expect(await (await get('/ui/api/lint?query=sum(up)')).json()).toEqual({ status: 'success', data: [] });
  });
});

describe("the API answers' gzip", () => {
  it('is level 1 whichever thread compresses it, in one piece or several, and nothing under 1 KiB', async () => {
    let text = '';
    for (let i = 0; text.length < 1_100_000; i++) text += `[${1767225600 + i * 15},"${(Math.sin(i) * 1e3).toFixed(4)}"],`;
    const all = Buffer.from(text);
    expect(await gzipApiBody(all.subarray(0, 1023))).toBeNull();
    for (const n of [1024, 8 * 1024, 8 * 1024 + 1, 70_000, GZIP_INLINE_MAX_BYTES - 1, GZIP_INLINE_MAX_BYTES, GZIP_INLINE_MAX_BYTES + 1, 2 * GZIP_PIECE_MIN_BYTES - 1, 2 * GZIP_PIECE_MIN_BYTES, all.length]) {
      const body = all.subarray(0, n);
      // With one core, one stream whatever the length; with two, texts of two pieces' length or more are
      // compressed in pieces at once (gzip-pieces.ts): other bytes, the same text.
      for (const cores of [1, 2]) {
        const gz = Buffer.from((await gzipApiBody(body, cores))!);
        const inPieces = cores === 2 && n >= 2 * GZIP_PIECE_MIN_BYTES;
        expect([n, cores, gz.equals(gzipSync(body, { level: 1 })), gunzipSync(gz).equals(body)]).toEqual([n, cores, !inPieces, true]);
      }
    }
  });
});
