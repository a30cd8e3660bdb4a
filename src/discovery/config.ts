// http_sd_configs and dns_sd_configs of a scrape config, with Prometheus's
// defaults (refresh 60 s for HTTP, 30 s and type SRV for DNS) and its
// validation messages.

import { parseDuration } from '../model/duration.js';
import { tlsConfig, type TlsConfig } from '../scrape/targets.js';

export interface HttpSdConfig {
  url: string;
  refreshInterval: number;
  basicAuth?: { username: string; password: string };
  authorization?: { type: string; credentials: string };
  tls?: TlsConfig;
}

export type DnsRecordType = 'SRV' | 'A' | 'AAAA' | 'MX' | 'NS';

export interface DnsSdConfig {
  names: string[];
  refreshInterval: number;
  type: DnsRecordType;
  port: number;
}

export class DiscoveryConfigError extends Error {}

const duration = (v: unknown, dflt: number, where: string) => {
  if (v === undefined || v === null) return dflt;
  try {
    const ms = parseDuration(String(v));
    if (ms <= 0) throw new Error();
    return ms;
  } catch {
    throw new DiscoveryConfigError(`${where}: not a valid duration string: ${JSON.stringify(v)}`);
  }
};

const list = (v: unknown, where: string): Record<string, unknown>[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DiscoveryConfigError(`${where} must be a list`);
  return v as Record<string, unknown>[];
};

export function httpSdConfigs(job: Record<string, unknown>, jobName: string): HttpSdConfig[] {
  return list(job.http_sd_configs, `${jobName}: http_sd_configs`).map((c, i) => {
    const where = `${jobName}: http_sd_configs[${i}]`;
    const raw = String(c?.url ?? '');
    if (raw === '') throw new DiscoveryConfigError(`${where}: URL is missing`);
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new DiscoveryConfigError(`${where}: invalid URL ${JSON.stringify(raw)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DiscoveryConfigError(`${where}: URL scheme must be 'http' or 'https'`);
    if (u.host === '') throw new DiscoveryConfigError(`${where}: host is missing in URL`);
    const basic = c.basic_auth as Record<string, unknown> | undefined;
    const auth = c.authorization as Record<string, unknown> | undefined;
    // HTTP client options promlet cannot honour yet are refused rather than silently ignored.
    for (const [k, present] of [['oauth2', c.oauth2], ['proxy_url', c.proxy_url], ['basic_auth.password_file', basic?.password_file], ['authorization.credentials_file', auth?.credentials_file]] as const) {
      if (present !== undefined) throw new DiscoveryConfigError(`${where}: ${k} is not supported yet`);
    }
    if (basic && auth) throw new DiscoveryConfigError(`${where}: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured`);
    return {
      url: raw,
      refreshInterval: duration(c.refresh_interval, 60_000, `${where}.refresh_interval`),
      basicAuth: basic ? { username: String(basic.username ?? ''), password: String(basic.password ?? '') } : undefined,
      authorization: auth ? { type: String(auth.type ?? 'Bearer'), credentials: String(auth.credentials ?? '') } : undefined,
      tls: c.tls_config ? tlsConfig(c.tls_config as Record<string, unknown>) : undefined,
    };
  });
}

export function dnsSdConfigs(job: Record<string, unknown>, jobName: string): DnsSdConfig[] {
  return list(job.dns_sd_configs, `${jobName}: dns_sd_configs`).map((c, i) => {
    const where = `${jobName}: dns_sd_configs[${i}]`;
    const names = (c?.names ?? []) as unknown[];
    if (!Array.isArray(names) || names.length === 0) throw new DiscoveryConfigError(`${where}: DNS-SD config must contain at least one SRV record name`);
    const type = String(c.type ?? 'SRV').toUpperCase();
    const port = Number(c.port ?? 0);
    if (!['SRV', 'A', 'AAAA', 'MX', 'NS'].includes(type)) throw new DiscoveryConfigError(`${where}: invalid DNS-SD records type ${String(c.type)}`);
    if (type !== 'SRV' && port === 0) throw new DiscoveryConfigError(`${where}: a port is required in DNS-SD configs for all record types except SRV`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DiscoveryConfigError(`${where}: invalid port ${JSON.stringify(c.port)}`);
    return { names: names.map(String), refreshInterval: duration(c.refresh_interval, 30_000, `${where}.refresh_interval`), type: type as DnsRecordType, port };
  });
}

/** Every problem of the discovery blocks of a configuration (promlet check config). */
export function checkDiscovery(doc: Record<string, unknown>): string[] {
  const errs: string[] = [];
  for (const job of (Array.isArray(doc.scrape_configs) ? doc.scrape_configs : []) as Record<string, unknown>[]) {
    const name = String(job?.job_name ?? '');
    for (const f of [httpSdConfigs, dnsSdConfigs]) {
      try {
        f(job ?? {}, name);
      } catch (e) {
        errs.push((e as Error).message);
      }
    }
  }
  return errs;
}
