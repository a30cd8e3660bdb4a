// The query cells' engine on the server: the same EngineClient the
// playground's worker provides, answered by the server's HTTP API (queries,
// completion's labels, values and metadata) and the UI's explain and lint
// endpoints.

import type { EngineClient } from '../playground/client.js';
import { apiURL } from './api.js';

export function serverClient(): EngineClient {
  const fetchApi = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Paths come as the API's absolute paths (/api/v1/...): served under the UI's root.
    const target = /^https?:/.test(url) ? url : apiURL(url);
    return fetch(target, { ...init, credentials: 'same-origin' });
  };
  const getJSON = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const r = await fetchApi(`${path}?${new URLSearchParams(params)}`);
    const body = (await r.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `${path}: ${r.status}`);
    return body.data;
  };
  return {
    fetch: fetchApi,
    async call(op, args) {
      switch (op) {
        case 'explain': {
          const a = args as { expr: string; range: { time: number } };
          return getJSON('/ui/api/explain', { query: a.expr, time: String(a.range.time / 1000) }) as never;
        }
        case 'lint':
          return getJSON('/ui/api/lint', { query: (args as { expr: string }).expr }) as never;
        default:
          throw new Error(`${op} is not available on the server`);
      }
    },
  };
}
