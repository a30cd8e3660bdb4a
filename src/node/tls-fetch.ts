// A fetch for scrape configs with tls_config: node:https with the CA,
// client certificate, server name and verification the config asks for.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TlsConfig } from '../scrape/targets.js';

export function tlsFetch(tls: TlsConfig): typeof fetch {
  const ca = tls.caFile ? readFileSync(tls.caFile) : undefined;
  const cert = tls.certFile ? readFileSync(tls.certFile) : undefined;
  const key = tls.keyFile ? readFileSync(tls.keyFile) : undefined;
  return ((input: string | URL | Request, init?: RequestInit) => new Promise<Response>((resolve, reject) => {
    const url = new URL(String(input));
    if (url.protocol !== 'https:') {
      fetch(url, init).then(resolve, reject);
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const req = request(url, {
      method: init?.method ?? 'GET', headers, ca, cert, key, servername: tls.serverName, rejectUnauthorized: !tls.insecureSkipVerify,
      signal: init?.signal ?? undefined,
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve(new Response(new Uint8Array(Buffer.concat(parts)), { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '', headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  })) as typeof fetch;
}
