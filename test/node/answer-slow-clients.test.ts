// The query API's fast path lends each large answer a reused buffer until the
// socket has taken its bytes (src/node/answer-scratch.ts). Clients that stall
// and then read a little at a time, clients that go away midway and gzip
// clients, many at once behind a small query queue: every body read in full
// must be the one a fresh sequential answer gives, so a buffer handed back
// before its bytes were written out would show as another answer's bytes.

import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, openDB, type DB, type Engine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { nodeApiRoutes } from '../../src/node/api-route.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { answerBody } from '../fixtures/raw-http.js';

const T0 = Date.UTC(2026, 0, 1);
let db: DB;
const servers: RunningServer[] = [];
const engines: ReturnType<typeof createOffThreadEngine>[] = [];
const info = { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' };

async function server(engine: Engine, fast: boolean): Promise<RunningServer> {
  const api = createApiHandler({ db, engine, now: () => T0 + 600_000, info });
  const s = await startServer({ listen: '127.0.0.1:0', handler: api, maxConcurrentQueries: 2, nodeRoutes: fast ? nodeApiRoutes(api, '') : undefined });
  servers.push(s);
  return s;
}

type Reader = 'whole' | 'trickle' | 'leaves';

/** The raw response to one request on its own connection; null for a client that left midway. */
function raw(s: RunningServer, request: string, reader: Reader, stallMs: number): Promise<Buffer | null> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const sock = connect(Number(port), '127.0.0.1', () => {
      sock.write(request);
      if (reader === 'whole') return;
      sock.pause();
      // Stalled long enough for the socket's buffers to fill, then read in sips.
      const sip = () => {
        if (sock.destroyed) return;
        sock.resume();
        setTimeout(() => {
          if (sock.destroyed) return;
          sock.pause();
          setTimeout(sip, 5);
        }, 1);
      };
      setTimeout(sip, stallMs);
    });
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (reader === 'leaves' && got > 200_000) {
        sock.destroy();
        resolve(null);
      }
    });
    sock.on('error', (e) => (reader === 'leaves' ? resolve(null) : reject(e)));
    sock.on('close', () => resolve(reader === 'leaves' ? null : Buffer.concat(parts)));
  });
}

/** The body, unchunked and gunzipped, with timings (which differ from run to run) zeroed. */
function body(b: Buffer): string {
  const head = b.subarray(0, b.indexOf('\r\n\r\n')).toString('latin1');
  let rest = answerBody(b);
  const length = /content-length: (\d+)/i.exec(head);
  if (length && Number(length[1]) !== rest.length) return `content-length ${length[1]}, body ${rest.length}`;
  if (/content-encoding: gzip/i.test(head)) rest = gunzipSync(rest);
  return rest.toString('utf8').replace(/"(\w+Time)":[0-9.e+-]+/g, '"$1":0');
}

const request = (target: string, gzip: boolean) => `GET ${target} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n${gzip ? 'Accept-Encoding: gzip\r\n' : ''}\r\n`;

beforeAll(async () => {
  db = await openDB();
  for (let i = 0; i < 120; i++) {
    const app = db.appender();
    const t = T0 + i * 5_000;
    for (let k = 0; k < 300; k++) app.append({ __name__: 'm', k: String(k), pad: 'x'.repeat(k % 40) }, t, i * 1.5 + k * 0.001);
    await app.commit();
  }
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const e of engines) await e.close();
});

const sec = (ms: number) => String(ms / 1000);
const range = (q: string, step: string) => `/api/v1/query_range?query=${encodeURIComponent(q)}&start=${sec(T0)}&end=${sec(T0 + 595_000)}&step=${step}`;
// Answers from about 30 KB to several MB, some over the size of buffers kept for reuse.
const TARGETS = [range('m', '1'), range('m{k=~"1.*"}', '1'), range('m', '5'), range('m{k=~"2.."}', '0.5'), range('m * 2', '1'), `/api/v1/query?query=m&time=${sec(T0 + 500_000)}`];

describe('answers to slow and departing clients', () => {
  it('are each their own bytes, with one worker per query and with queries split over workers', async () => {
    const reference = await server(createEngine(db), false);
    const one = createOffThreadEngine(db, {}, { workers: 2 });
    const split = createOffThreadEngine(db, {}, { workers: 2, splitMinSteps: 2, splitMinMs: 0, splitWhen: () => true });
    engines.push(one, split);
    const fast = [await server(one, true), await server(split, true)];
    const want = new Map<string, string>();
    for (const t of TARGETS) want.set(t, body((await raw(reference, request(t, false), 'whole', 0))!));
    let compared = 0;
    for (let round = 0; round < 2; round++) {
      for (const s of fast) {
        await Promise.all(Array.from({ length: 24 }, async (_, c) => {
          const t = TARGETS[(c * 5 + round) % TARGETS.length]!;
          const reader: Reader = c % 6 === 5 ? 'leaves' : c % 3 === 0 ? 'whole' : 'trickle';
          const b = await raw(s, request(t, c % 4 === 3), reader, 200 + (c % 5) * 150);
          if (b === null) return;
          expect(body(b), `round ${round}, client ${c}, ${t}`).toBe(want.get(t));
          compared++;
        }));
      }
    }
    expect(compared).toBeGreaterThan(70);
  }, 300_000);
});
