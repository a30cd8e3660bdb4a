// Scraping an HTTPS target with a self-signed certificate: refused without
// trust, accepted with ca_file or insecure_skip_verify.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { tlsFetch } from '../../src/node/tls-fetch.js';

let dir: string;
let server: Server;
let addr: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('secure_metric 1\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  addr = `127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scrapeWith(tls?: Record<string, unknown>) {
  const m = new ScrapeManager(await openDB(), (cfg) => (cfg.tls ? tlsFetch(cfg.tls) : fetch));
  await m.apply({ scrape_configs: [{ job_name: 's', scheme: 'https', static_configs: [{ targets: [addr] }], ...(tls ? { tls_config: tls } : {}) }] });
  await m.scrapeAll(Date.now());
  m.stop();
  return m.targets().activeTargets[0] as { health: string; lastError: string };
}

describe('tls_config', () => {
  it('refuses an untrusted certificate', async () => {
    expect((await scrapeWith()).health).toBe('down');
    expect((await scrapeWith({ server_name: 'localhost' })).health).toBe('down');
  });

  it('accepts it with ca_file, or with insecure_skip_verify', async () => {
    expect(await scrapeWith({ ca_file: join(dir, 'cert.pem') })).toMatchObject({ health: 'up', lastError: '' });
    expect(await scrapeWith({ insecure_skip_verify: true })).toMatchObject({ health: 'up' });
  });
});
