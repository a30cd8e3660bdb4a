// The remote-read client against promlet's own handler, answering in
// either response type, and the errors it reports.

import { compress, uncompress } from 'snappyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { RemoteReadClient, type FetchFn, type RemoteSeries } from '../../src/remote/read-client.js';
import { remoteReadConfigs } from '../../src/remote/read-config.js';
import { createRemoteReadHandler } from '../../src/remote/read-handler.js';
import { ReadRequest } from '../../src/remote/read-proto.js';

let db: DB;
const STALE_BITS = 0x7ff0000000000002n;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 300; i++) app.append({ __name__: 'm', i: String(i % 3) }, 1000 * i, i % 3 === 2 && i === 299 ? new Float64Array(new BigUint64Array([STALE_BITS]).buffer)[0]! : i * 0.5);
  await app.commit();
});

const client = (fetchFn: FetchFn, extra: Record<string, unknown> = {}) =>
  new RemoteReadClient(remoteReadConfigs({ remote_read: [{ url: 'http://r/api/v1/read', name: 'r', ...extra }] })[0]!, fetchFn);

/** Answers with only the given response types accepted, whatever the client asked. */
const forcing = (types: number[]): FetchFn => {
  const h = createRemoteReadHandler(db);
  return async (url, init) => {
    const req = ReadRequest.decode(uncompress(init.body as Uint8Array)) as unknown as { accepted_response_types: number[] };
    req.accepted_response_types = types;
    return h(new Request(url, { ...init, body: compress(ReadRequest.encode(req).finish()) as BodyInit }));
  };
};

const flat = (series: readonly RemoteSeries[]) =>
  series.map((s) => ({ labels: s.labels, t: [...s.timestamps], bits: [...new BigUint64Array(s.values.slice().buffer)] }));

describe('remote read client', () => {
  const queries = [
    { matchers: [new Matcher('=', '__name__', 'm')], start: 10_000, end: 250_000 },
    { matchers: [new Matcher('=', 'i', '2')], start: 0, end: 1e9 },
  ];

  it('reads the same series from SAMPLES and from streamed XOR chunks, staleness markers included', async () => {
    const samples = await client(forcing([0])).read(queries);
    const chunked = await client(forcing([1])).read(queries);
    expect(flat(chunked[0]!)).toEqual(flat(samples[0]!));
    expect(flat(chunked[1]!)).toEqual(flat(samples[1]!));
    expect(samples[0]!.map((s) => s.timestamps.length)).toEqual([80, 81, 80]);
    expect(samples[0]![0]!.timestamps[0]).toBe(12_000);
    expect(samples[1]![0]!.values.length).toBe(100);
    expect(new BigUint64Array(samples[1]![0]!.values.slice(-1).buffer)[0]).toBe(STALE_BITS);
  });

  it('sends Prometheus headers and auth', async () => {
    let seen: Headers | undefined;
    await client(async (url, init) => {
      seen = new Headers(init.headers);
      return forcing([0])(url, init);
    }, { authorization: { credentials: 'tok' }, headers: { 'X-Scope-OrgID': 't1' } }).read(queries);
    expect(seen!.get('authorization')).toBe('Bearer tok');
    expect(seen!.get('x-scope-orgid')).toBe('t1');
    expect(seen!.get('x-prometheus-remote-read-version')).toBe('0.1.0');
    expect(seen!.get('content-encoding')).toBe('snappy');
  });

  it('reports what the remote said, an unknown content type, and a frame past chunked_read_limit', async () => {
    await expect(client(async () => new Response('bad matcher\n', { status: 400 })).read(queries))
      .rejects.toThrow('remote server http://r/api/v1/read returned http status 400: bad matcher');
    await expect(client(async () => new Response('{}', { headers: { 'content-type': 'application/json' } })).read(queries))
      .rejects.toThrow('unsupported content type: application/json');
    await expect(client(forcing([1]), { chunked_read_limit: 10 }).read(queries))
      .rejects.toThrow(/message size exceeded the limit 10 bytes/);
  });
});
