// What a new user runs into on the command line: flags and arguments a
// command does not take, empty answers, an unreachable server, config and
// rule file mistakes, snapshots over existing folders, stopping a server.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';
import { SERVE_BOOLEANS, SERVE_SWITCHES, SERVE_USAGE, SERVE_VALUE_FLAGS } from '../../src/node/commands.js';
import { booleanFlag, checkArgs } from '../../src/node/args.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s) }, get out() { return out; }, get err() { return err; } };
}

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(args, c.io);
  return { code, out: c.out, err: c.err };
}

const tmp = (what: string) => mkdtempSync(join(tmpdir(), `promlet-${what}-`));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('promlet refuses what a command does not take', () => {
  it('an unknown flag, a stray argument, a value for a switch: usage error, exit code 2', async () => {
    const bogus = await run(['serve', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.err).toContain('unknown flag --bogus');
    expect(bogus.err).toContain('promlet serve --help');
    // What `npm start 127.0.0.1:20093` passes: the address without --listen.
    const stray = await run(['serve', '127.0.0.1:20093']);
    expect(stray.code).toBe(2);
    expect(stray.err).toContain('unexpected argument "127.0.0.1:20093"');
    expect(stray.err).toContain('npm start -- --listen 127.0.0.1:20093');
    expect((await run(['serve', '--web.enable-admin-api=yes'])).err).toContain('--web.enable-admin-api takes no value');
    expect((await run(['serve', '--listen'])).err).toContain('--listen needs a value');
    expect((await run(['query', 'up', '--tim', '5'])).code).toBe(2);
    expect((await run(['query', 'up', 'down'])).err).toContain('unexpected argument "down"');
    expect((await run(['query-range', 'up', '--time', '5'])).err).toContain('unknown flag --time');
    expect((await run(['format', 'up', 'x'])).code).toBe(2);
    expect((await run(['check', 'config', '--strict', 'a.yml'])).code).toBe(2);
    expect((await run(['tsdb', 'snapshot', '--data-dir', 'd', 'out', 'extra'])).code).toBe(2);
    expect((await run(['import', 'f.om', '--data-dir', 'd', '--fast'])).code).toBe(2);
    expect((await run(['test', 'rules', '--verbose', 'x.yml'])).code).toBe(2);
    expect((await run(['demo', '--serie', '5'])).code).toBe(2);
  });

  it('accepts every flag serveCommand reads', () => {
    // Read from the source, so a flag added to serve without its spec is caught here, not by a user.
    const src = readFileSync(join(ROOT, 'src/node/commands.ts'), 'utf8');
    const body = src.slice(src.indexOf('export async function serveCommand'), src.indexOf('export const QUERY_USAGE'));
    const values = [...body.matchAll(/flagValue\(args, ([^)]*)\)/g)].flatMap((m) => [...m[1]!.matchAll(/'(--[^']+)'/g)].map((x) => x[1]!));
    const switches = [...body.matchAll(/args\.includes\('(--[^']+)'\)/g)].map((m) => m[1]!).filter((f) => f !== '--help');
    expect(values.length).toBeGreaterThan(15);
    expect(values.filter((f) => !SERVE_VALUE_FLAGS.includes(f))).toEqual([]);
    expect(switches.filter((f) => !SERVE_SWITCHES.includes(f))).toEqual([]);
  });

  it('accepts every flag `promlet serve --help` lists', () => {
    // --a-{b,c}-d stands for --a-b-d and --a-c-d.
    const listed = [...SERVE_USAGE.matchAll(/--[a-z][\w.-]*(?:\{[\w,]+\}[\w.-]*)?/g)].flatMap((m) => {
      const brace = /^(.*)\{([\w,]+)\}(.*)$/.exec(m[0]);
      return brace ? brace[2]!.split(',').map((x) => `${brace[1]}${x}${brace[3]}`) : [m[0]];
    });
    expect(listed.length).toBeGreaterThan(20);
    const known = new Set([...SERVE_VALUE_FLAGS, ...SERVE_SWITCHES, ...SERVE_BOOLEANS]);
    expect(listed.filter((f) => !known.has(f))).toEqual([]);
    // Boolean flags in kingpin's three spellings; anything else is refused.
    const spec = { command: 'serve', booleans: SERVE_BOOLEANS };
    for (const ok of [['--statsd.parse-librato-tags'], ['--statsd.parse-librato-tags=false'], ['--no-statsd.parse-librato-tags']]) expect(() => checkArgs(ok, spec)).not.toThrow();
    expect(() => checkArgs(['--statsd.parse-librato-tags=maybe'], spec)).toThrow('want true or false');
    expect(() => checkArgs(['--no-statsd.parse-librat-tags'], spec)).toThrow('unknown flag');
    // And read as kingpin reads them, the default when absent.
    expect([[], ['--query.warm-up'], ['--query.warm-up=true']].map((a) => booleanFlag(a, 'query.warm-up', true))).toEqual([true, true, true]);
    expect([['--no-query.warm-up'], ['--query.warm-up=false']].map((a) => booleanFlag(a, 'query.warm-up', true))).toEqual([false, false]);
    expect(booleanFlag([], 'query.warm-up', false)).toBe(false);
    expect(() => booleanFlag(['--query.warm-up=no'], 'query.warm-up', true)).toThrow('--query.warm-up: want true or false');
  });
});

describe('promlet query', () => {
  it('says so when the result is empty, on stderr, leaving stdout empty', async () => {
    const dir = tmp('empty');
    writeFileSync(join(dir, 'in.om'), '# TYPE x gauge\nx 1 1700000000\n# EOF\n');
    expect((await run(['import', join(dir, 'in.om'), '--data-dir', join(dir, 'data')])).code).toBe(0);
    const none = await run(['query', 'no_such_metric', '--time', '1700000000', '--data-dir', join(dir, 'data')]);
    expect(none.code).toBe(0);
    expect(none.out).toBe('');
    expect(none.err).toBe('promlet: empty query result: no series at that time\n');
    const range = await run(['query-range', 'x', '--start', '1600000000', '--end', '1600000600', '--step', '60', '--data-dir', join(dir, 'data')]);
    expect(range.err).toBe('promlet: empty query result: no series in that range\n');
    const found = await run(['query', 'x', '--time', '1700000000', '--data-dir', join(dir, 'data')]);
    expect([found.out, found.err]).toEqual(['x{} 1\n', '']);
  });

  it('names the URL and the cause when the server cannot be reached', async () => {
    const port = await closedPort();
    const r = await run(['query', 'up', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot reach http://127.0.0.1:${port}/api/v1/query`);
    expect(r.err).toContain('ECONNREFUSED');
  });
});

describe('promlet check config', () => {
  it('refuses unknown fields in promtool\'s words, with their lines', async () => {
    const dir = tmp('fields');
    const f = join(dir, 'prometheus.yml');
    writeFileSync(f, [
      'global:', '  scrape_interval: 15s', '  bogus: 1', 'scrape_configs:', '  - job_name: a', '    scrape_intervl: 10s',
      '    static_configs:', '      - targets: ["a:1"]', '        labls: {}', '    relabel_configs:', '      - sourc_labels: [a]',
      'remote_write:', '  - url: http://a', '    queue_config:', '      bar: 1', '',
    ].join('\n'));
    const r = await run(['check', 'config', f]);
    expect(r.code).toBe(1);
    // The same lines and types Prometheus's promtool reports for this file.
    expect(r.err).toContain(`FAILED: parsing YAML file ${f}: yaml: unmarshal errors:\n`
      + '  line 3: field bogus not found in type config.plain\n'
      + '  line 6: field scrape_intervl not found in type config.ScrapeConfig\n'
      + '  line 9: field labls not found in type struct { Targets []string "yaml:\\"targets\\""; Labels model.LabelSet "yaml:\\"labels\\"" }\n'
      + '  line 11: field sourc_labels not found in type relabel.plain\n'
      + '  line 15: field bar not found in type config.QueueConfig');
  });

  it('checks the rule files the config names', async () => {
    const dir = tmp('rulefiles');
    writeFileSync(join(dir, 'good.yml'), 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(up)\n');
    writeFileSync(join(dir, 'bad.yml'), 'groups:\n- name: g\n  rules:\n  - alert: Fine\n    expr: up == 0\n  - alert: Slow\n    expr: up\n    for: soon\n');
    writeFileSync(join(dir, 'ok.yml'), 'rule_files: ["good.yml"]\n');
    writeFileSync(join(dir, 'bad-rules.yml'), 'rule_files: ["good.yml", "bad.yml"]\n');
    writeFileSync(join(dir, 'missing.yml'), 'rule_files: ["nope.yml"]\n');
    const ok = await run(['check', 'config', join(dir, 'ok.yml')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('  SUCCESS: 1 rule files found\n');
    expect(ok.out).toContain(`Checking ${join(dir, 'good.yml')}\n  SUCCESS: 1 rules found`);
    const bad = await run(['check', 'config', join(dir, 'bad-rules.yml')]);
    expect(bad.code).toBe(1);
    // The rule and its own line (6), not its group's.
    expect(bad.err).toContain(`${join(dir, 'bad.yml')}:6: group "g", rule "Slow": for: not a valid duration string: "soon"`);
    const missing = await run(['check', 'config', join(dir, 'missing.yml')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('FAILED: "nope.yml" does not point to an existing file');
  });

  it('check rules names the rule with a bad `for` and its line', async () => {
    const dir = tmp('for');
    writeFileSync(join(dir, 'r.yml'), 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 5x\n');
    const r = await run(['check', 'rules', join(dir, 'r.yml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(dir, 'r.yml')}:4: group "g", rule "A": for: not a valid duration string: "5x"`);
  });
});

describe('promlet tsdb snapshot', () => {
  it('refuses an output folder that exists and is not empty', async () => {
    const dir = tmp('snap');
    const { openDiskDB } = await import('../../src/node/disk-db.js');
    const disk = await openDiskDB(join(dir, 'data'));
    const app = disk.db.appender();
    app.append({ __name__: 'x' }, 1_700_000_000_000, 1);
    await app.commit();
    await disk.close();
    mkdirSync(join(dir, 'busy'));
    writeFileSync(join(dir, 'busy', 'keep.txt'), 'mine');
    const r = await run(['tsdb', 'snapshot', '--data-dir', join(dir, 'data'), join(dir, 'busy')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('already exists and is not an empty folder');
    mkdirSync(join(dir, 'empty'));
    expect((await run(['tsdb', 'snapshot', '--data-dir', join(dir, 'data'), join(dir, 'empty')])).code).toBe(0);
    expect((await run(['query', 'x', '--time', '1700000000', '--data-dir', join(dir, 'empty')])).out).toBe('x{} 1\n');
  });
});

describe('promlet serve', () => {
  it('says that it stops on SIGTERM, and when it has stopped', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '-e',
      `import('./src/node/cli.ts').then(async (m) => { process.exitCode = await m.runCli(['serve', '--listen', '127.0.0.1:0']); })`],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += String(d)));
    proc.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', () => out.includes('promlet serving') && resolve());
      void exited.then(() => reject(new Error(`serve exited early: ${out}`)));
    });
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('promlet: received SIGTERM, stopping');
    expect(out).toMatch(/promlet: stopped\n$/);
  }, 60_000);
});

describe('promlet import progress', () => {
  it('says each percentage once, however many batches a file has', async () => {
    const { progressPrinter } = await import('../../src/node/import.js');
    let err = '';
    const progress = progressPrinter({ out: () => {}, err: (s) => void (err += s), isTTY: true });
    for (let batch = 0; batch <= 250; batch++) progress(batch / 250);
    expect(err).toBe(Array.from({ length: 101 }, (_, i) => `\rimporting: ${i}%`).join(''));
  });
});

describe('promlet serve with a misspelt config field', () => {
  it('starts, and warns with the field, its line and Go type, as check config reports it', async () => {
    const { servePromlet } = await import('../../src/node/serve.js');
    const dir = tmp('serve-warn');
    writeFileSync(join(dir, 'p.yml'), 'global:\n  scrape_intervl: 5s\n');
    const warnings: string[] = [];
    const p = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'p.yml'), warn: (m) => warnings.push(m) });
    await p.stop();
    expect(warnings).toContain(`${join(dir, 'p.yml')}: line 2: field scrape_intervl not found in type config.plain (ignored)`);
  });
});
