// The query cells' backend on the server: its HTTP API (queries, and
// completion's labels, values and metadata) and the UI's explain and lint
// endpoints, all under the UI's root.

import type { QueryBackend } from './cell/backend.js';
import { apiURL } from './api.js';

export function serverClient(): QueryBackend {
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
    explain: (expr, time) => getJSON('/ui/api/explain', { query: expr, time: String(time / 1000) }),
    lint: (expr) => getJSON('/ui/api/lint', { query: expr }),
  };
}
