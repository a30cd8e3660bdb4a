// HTTP service discovery: GET the URL, expect 200 and application/json, a
// list of {targets, labels} groups; each group gets __meta_url.

import type { TargetGroup } from '../scrape/targets.js';
import type { HttpSdConfig } from './config.js';

const CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;
/** Largest discovery answer read (a limit against a runaway endpoint). */
export const MAX_HTTP_SD_BODY = 16 * 1024 * 1024;

export async function refreshHttpSd(c: HttpSdConfig, fetchFn: typeof fetch, timeoutMs = 30_000): Promise<TargetGroup[]> {
  const headers: Record<string, string> = {
    'user-agent': 'promlet', accept: 'application/json',
    'x-prometheus-refresh-interval-seconds': String(c.refreshInterval / 1000),
  };
  if (c.basicAuth) headers.authorization = `Basic ${btoa(`${c.basicAuth.username}:${c.basicAuth.password}`)}`;
  if (c.authorization) headers.authorization = `${c.authorization.type} ${c.authorization.credentials}`;
  const res = await fetchFn(c.url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) {
    void res.body?.cancel();
    throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
  }
  const ct = (res.headers.get('content-type') ?? '').trim();
  if (!CONTENT_TYPE.test(ct)) {
    void res.body?.cancel();
    throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
  }
  const doc: unknown = JSON.parse(await limitedText(res, MAX_HTTP_SD_BODY));
  if (!Array.isArray(doc)) throw new Error('want a JSON list of target groups');
  return doc.map((g, i) => {
    if (g === null || typeof g !== 'object') throw new Error('nil target group item found');
    const targets = (g as { targets?: unknown }).targets ?? [];
    const labels = (g as { labels?: unknown }).labels ?? {};
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new Error(`target group ${i}: targets must be a list of strings`);
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new Error(`target group ${i}: labels must map names to strings`);
    }
    return { targets: targets as string[], labels: { ...(labels as Record<string, string>), __meta_url: c.url } };
  });
}

/** The body as text, refused once it passes `limit` bytes rather than read whole. */
async function limitedText(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      void reader.cancel();
      throw new Error(`response larger than ${limit} bytes`);
    }
    parts.push(value);
  }
  const all = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return new TextDecoder().decode(all);
}
