// DNS service discovery: SRV, A, AAAA, MX and NS lookups of each name, one
// target per record with Prometheus's __meta_dns_* labels. The resolver is
// the host's (Node's node:dns), so this file stays isomorphic.

import type { TargetGroup } from '../scrape/targets.js';
import type { DnsSdConfig } from './config.js';

export interface DnsResolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
  resolveNs(name: string): Promise<string[]>;
}

/** Go's net.JoinHostPort: IPv6 addresses in brackets. */
const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
/** Record targets as DNS writes them, fully qualified with the final dot (Prometheus's meta labels keep it). */
const rooted = (name: string) => (name.endsWith('.') ? name : `${name}.`);
const unrooted = (name: string) => name.replace(/\.+$/, '');

/** A name that does not exist (or has no records of the type) has no targets; other failures throw. */
const NO_DATA = new Set(['ENOTFOUND', 'ENODATA']);

async function lookup<T>(fn: () => Promise<T[]>): Promise<T[]> {
  try {
    return await fn();
  } catch (e) {
    if (NO_DATA.has((e as { code?: string }).code ?? '')) return [];
    throw e;
  }
}

export interface DnsRefresh {
  groups: TargetGroup[];
  /** Names whose lookup failed, with the reason; their previous targets were kept. */
  failures: string[];
}

/**
 * Looks every name up; each target is a group of one so it carries its own
 * labels. A name whose lookup fails keeps its targets from `last` (updated
 * in place), as Prometheus keeps each name's last group.
 */
export async function refreshDnsSd(c: DnsSdConfig, r: DnsResolver, last: Map<string, TargetGroup[]> = new Map()): Promise<DnsRefresh> {
  const failures: string[] = [];
  for (const name of c.names) {
    try {
      last.set(name, await lookupName(c, r, name));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  return { groups: c.names.flatMap((n) => last.get(n) ?? []), failures };
}

async function lookupName(c: DnsSdConfig, r: DnsResolver, name: string): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  const base = { __meta_dns_name: name };
  switch (c.type) {
    case 'SRV':
      for (const s of await lookup(() => r.resolveSrv(name))) {
        out.push({ targets: [hostPort(unrooted(s.name), s.port)], labels: { ...base, __meta_dns_srv_record_target: rooted(s.name), __meta_dns_srv_record_port: String(s.port) } });
      }
      break;
    case 'A':
      for (const a of await lookup(() => r.resolve4(name))) out.push({ targets: [hostPort(a, c.port)], labels: base });
      break;
    case 'AAAA':
      for (const a of await lookup(() => r.resolve6(name))) out.push({ targets: [hostPort(a, c.port)], labels: base });
      break;
    case 'MX':
      for (const m of await lookup(() => r.resolveMx(name))) {
        out.push({ targets: [hostPort(unrooted(m.exchange), c.port)], labels: { ...base, __meta_dns_mx_record_target: rooted(m.exchange) } });
      }
      break;
    case 'NS':
      for (const n of await lookup(() => r.resolveNs(name))) {
        out.push({ targets: [hostPort(unrooted(n), c.port)], labels: { ...base, __meta_dns_ns_record_target: rooted(n) } });
      }
      break;
  }
  return out;
}
