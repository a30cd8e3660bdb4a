// The resolver dns_sd_configs use: Node's, with the system's name servers or
// the given ones (HOST or HOST:PORT, e.g. a test's server on 127.0.0.1).

import { Resolver } from 'node:dns/promises';
import type { DnsResolver } from '../discovery/dns-sd.js';

export function dnsResolver(servers?: string[]): DnsResolver {
  const r = new Resolver({ timeout: 5_000, tries: 2 });
  if (servers && servers.length > 0) r.setServers(servers);
  return r;
}
