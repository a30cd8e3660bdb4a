// The server's HTTP API as the pages call it: paths relative to the UI's
// root, so the pages work under --web.external-url / --web.route-prefix and
// behind a proxy, and same-origin requests carry the browser's credentials.

/** The UI's root: every page sits one level under it (/prefix/query, /prefix/alerts). */
export const base = (): string => location.pathname.replace(/[^/]*$/, '');

export const apiURL = (path: string): string => `${base()}${path.replace(/^\//, '')}`;

export class ApiFailure extends Error {}

/** GETs an /api/v1 endpoint and returns its data, or throws with the server's error. */
export async function getData<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const q = new URLSearchParams(params).toString();
  const r = await fetch(`${apiURL(path)}${q ? `?${q}` : ''}`, { credentials: 'same-origin' });
  const text = await r.text();
  let body: { status?: string; data?: T; error?: string; errorType?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure(`${path}: ${r.status} ${r.statusText}`);
  }
  if (body.status !== 'success') throw new ApiFailure(`${path}: ${body.errorType ?? 'error'}: ${body.error ?? r.statusText}`);
  return body.data as T;
}
