// `remote_read` entries of prometheus.yml, with Prometheus's defaults.

import { parseDuration } from '../model/duration.js';
import { Matcher } from '../model/matcher.js';
import { RemoteWriteConfigError } from './config.js';

export interface RemoteReadConfig {
  url: string;
  name: string;
  /** ms per request (default 1m). */
  remoteTimeout: number;
  headers: Record<string, string>;
  /** Largest message of a streamed (chunked) response, in bytes (default 5e7). */
  chunkedReadLimit: number;
  /** Also ask the remote for ranges the local storage holds (default false). */
  readRecent: boolean;
  /** Equality matchers a selector must have for this remote to be asked. */
  requiredMatchers: Matcher[];
  /** Send the external labels as equality matchers and strip them from what comes back (default true). */
  filterExternalLabels: boolean;
  basicAuth?: { username: string; password: string };
  authorization?: { type: string; credentials: string };
}

export class RemoteReadConfigError extends RemoteWriteConfigError {}

const RESERVED = new Set(['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'retry-after', 'x-prometheus-remote-read-version']);

export function remoteReadConfigs(doc: Record<string, unknown>): RemoteReadConfig[] {
  const names = new Set<string>();
  return ((doc.remote_read ?? []) as Record<string, unknown>[]).map((raw, i) => {
    const url = String(raw.url ?? '');
    if (!/^https?:\/\/./.test(url)) throw new RemoteReadConfigError(`remote_read[${i}]: url ${JSON.stringify(url)} is not an http(s) URL`);
    const name = raw.name === undefined ? `remote-read-${i}` : String(raw.name);
    if (names.has(name)) throw new RemoteReadConfigError(`remote_read: duplicate name ${JSON.stringify(name)}`);
    names.add(name);
    const where = `remote_read ${JSON.stringify(name)}`;
    const headers = Object.fromEntries(Object.entries((raw.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    for (const h of Object.keys(headers)) if (RESERVED.has(h.toLowerCase())) throw new RemoteReadConfigError(`${where}: ${h} is a reserved header. It must not be changed`);
    const basic = raw.basic_auth as Record<string, unknown> | undefined;
    const auth = raw.authorization as Record<string, unknown> | undefined;
    if (basic && auth) throw new RemoteReadConfigError(`${where}: at most one of basic_auth and authorization may be configured`);
    let remoteTimeout = 60_000;
    if (raw.remote_timeout !== undefined) {
      try {
        remoteTimeout = parseDuration(String(raw.remote_timeout));
      } catch {
        throw new RemoteReadConfigError(`${where}: remote_timeout: not a duration: ${JSON.stringify(raw.remote_timeout)}`);
      }
    }
    const bool = (v: unknown, def: boolean, field: string) => {
      if (v === undefined) return def;
      if (typeof v !== 'boolean') throw new RemoteReadConfigError(`${where}: ${field}: want true or false, got ${JSON.stringify(v)}`);
      return v;
    };
    return {
      url, name, headers, remoteTimeout,
      chunkedReadLimit: raw.chunked_read_limit === undefined ? 5e7 : Number(raw.chunked_read_limit),
      readRecent: bool(raw.read_recent, false, 'read_recent'),
      filterExternalLabels: bool(raw.filter_external_labels, true, 'filter_external_labels'),
      requiredMatchers: Object.entries((raw.required_matchers ?? {}) as Record<string, unknown>).map(([k, v]) => new Matcher('=', k, String(v))),
      basicAuth: basic ? { username: String(basic.username ?? ''), password: String(basic.password ?? '') } : undefined,
      authorization: auth ? { type: String(auth.type ?? 'Bearer'), credentials: String(auth.credentials ?? '') } : undefined,
    };
  });
}
