// What a scraped series keeps: labels shared between series and with the
// database (one frozen label object per distinct name and value, one label
// array per series), and HELP/TYPE texts that follow the target's changes.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher, type DB } from '../../src/index.js';
import { labelsFrom } from '../../src/model/labels.js';
import { ScrapeLoop } from '../../src/scrape/scrape-loop.js';
import { scrapeConfigs, targetsOf } from '../../src/scrape/targets.js';
import { MAX_VALUES_PER_NAME, flatCopy, sharedLabel } from '../../src/scrape/label-strings.js';

const T0 = Date.UTC(2026, 0, 1);

function loopFor(db: DB, body: () => string): ScrapeLoop {
  const [cfg] = scrapeConfigs({ scrape_configs: [{ job_name: 'app', static_configs: [{ targets: ['app:8080'] }] }] });
  const f = (async () => new Response(body(), { headers: { 'content-type': 'text/plain; version=0.0.4' } })) as unknown as typeof fetch;
  return new ScrapeLoop(cfg!, targetsOf(cfg!).active[0]!, db, f);
}

function series(db: DB, name: string) {
  const q = db.querier(0, T0 + 60_000);
  const out = q.select([new Matcher('=', '__name__', name)]);
  q.close();
  return out;
}

describe('labels of scraped series', () => {
  it('are frozen objects shared by every series with the same name and value', async () => {
    const db = await openDB();
    const loop = loopFor(db, () => 'requests_total{code="200",path="/a"} 1\nrequests_total{code="200",path="/b"} 2\nrequests_total{code="500",path="/a"} 3\n');
    await loop.scrape(T0);
    expect(loop.report.health).toBe('up');
    const [a200, b200, a500] = series(db, 'requests_total').map((s) => s.labels);
    const label = (ls: typeof a200, name: string) => ls!.find((l) => l.name === name)!;
    expect(a200).toEqual([
      { name: '__name__', value: 'requests_total' }, { name: 'code', value: '200' }, { name: 'instance', value: 'app:8080' },
      { name: 'job', value: 'app' }, { name: 'path', value: '/a' },
    ]);
    expect(label(a200, 'code')).toBe(label(b200, 'code'));
    expect(label(a200, 'path')).toBe(label(a500, 'path'));
    expect(label(a200, 'job')).toBe(label(a500, 'job'));
    expect(label(a200, 'code')).not.toBe(label(a500, 'code'));
    for (const ls of [a200, b200, a500]) {
      expect(Object.isFrozen(ls)).toBe(true);
      for (const l of ls!) expect(Object.isFrozen(l)).toBe(true);
    }
    await db.close();
  });

  it('are the same label objects in a second database scraping the same target', async () => {
    const body = () => 'up_like{zone="z1"} 1\n';
    const db1 = await openDB(), db2 = await openDB();
    await loopFor(db1, body).scrape(T0);
    await loopFor(db2, body).scrape(T0);
    const [s1] = series(db1, 'up_like'), [s2] = series(db2, 'up_like');
    expect(s1!.labels.find((l) => l.name === 'zone')).toBe(s2!.labels.find((l) => l.name === 'zone'));
    await db1.close();
    await db2.close();
  });

  it('stay separate objects past the number of values remembered for one name', () => {
    const first = Array.from({ length: MAX_VALUES_PER_NAME + 1 }, (_, i) => sharedLabel('request_id_test', `r${i}`));
    expect(first[10]).toBe(sharedLabel('request_id_test', 'r10'));
    expect(first[MAX_VALUES_PER_NAME - 1]).toBe(sharedLabel('request_id_test', `r${MAX_VALUES_PER_NAME - 1}`));
    // Values past the limit are copied each time: equal, not shared.
    const late = sharedLabel('request_id_test', `r${MAX_VALUES_PER_NAME}`);
    expect(late).toEqual(first[MAX_VALUES_PER_NAME]);
    expect(late).not.toBe(first[MAX_VALUES_PER_NAME]);
  });
});

describe('labelsFrom', () => {
  it('shares a frozen, sorted array of frozen labels as it is, and copies anything else', () => {
    const frozen = Object.freeze([Object.freeze({ name: 'a', value: '1' }), Object.freeze({ name: 'b', value: '2' })]);
    expect(labelsFrom(frozen)).toBe(frozen);
    const unsorted = Object.freeze([Object.freeze({ name: 'b', value: '2' }), Object.freeze({ name: 'a', value: '1' })]);
    expect(labelsFrom(unsorted)).not.toBe(unsorted);
    expect(labelsFrom(unsorted)).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
    const withEmpty = Object.freeze([Object.freeze({ name: 'a', value: '' }), Object.freeze({ name: 'b', value: '2' })]);
    expect(labelsFrom(withEmpty)).toEqual([{ name: 'b', value: '2' }]);
    const duplicate = Object.freeze([Object.freeze({ name: 'a', value: '1' }), Object.freeze({ name: 'a', value: '2' })]);
    expect(() => labelsFrom(duplicate)).toThrow(/duplicate label name "a"/);
    const plainLabel = Object.freeze([{ name: 'a', value: '1' }]);
    expect(labelsFrom(plainLabel)).not.toBe(plainLabel);
  });
});

describe('metadata a loop keeps', () => {
  it('follows the HELP and TYPE each scrape shows', async () => {
    const db = await openDB();
    let help = 'First help.';
    const loop = loopFor(db, () => `# HELP jobs_total ${help}\n# TYPE jobs_total counter\njobs_total 1\n# HELP temp_celsius A temperature.\n# TYPE temp_celsius gauge\ntemp_celsius 20\n`);
    await loop.scrape(T0);
    expect(Object.fromEntries(loop.metadata)).toEqual({
      jobs_total: { type: 'counter', help: 'First help.', unit: '' },
      temp_celsius: { type: 'gauge', help: 'A temperature.', unit: '' },
    });
    const temp = loop.metadata.get('temp_celsius');
    help = 'Second help.';
    await loop.scrape(T0 + 15_000);
    expect(loop.metadata.get('jobs_total')).toEqual({ type: 'counter', help: 'Second help.', unit: '' });
    // Unchanged entries are taken over as they were.
    expect(loop.metadata.get('temp_celsius')).toBe(temp);
    await db.close();
  });
});

describe('label strings copied out of a body', () => {
  it('are equal to the original, and a lone surrogate is kept for validation to refuse', () => {
    expect(flatCopy('zone-1 ü 日本')).toBe('zone-1 ü 日本');
    expect(flatCopy('bad \ud800 value')).toBe('bad \ud800 value');
    expect(() => labelsFrom([sharedLabel('x', 'bad \ud800 value')])).toThrow(/not valid UTF-8/);
  });
});
