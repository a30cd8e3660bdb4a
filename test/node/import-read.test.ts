// Reading a backfill file in pieces gives exactly what parsing it whole
// gives: the same series, samples, rejections and errors, wherever the
// pieces are cut (inside a multi-byte character, a quoted label, a line
// longer than a piece).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpositionError, formatOfText, parseExposition, type ExpositionFormat } from '../../src/exposition/parse.js';
import { formatOfFile, readBackfillFile, readLinePieces } from '../../src/node/import-read.js';
import { BackfillBuffer, groupSeries, type BackfillInput } from '../../src/storage/backfill.js';

const dir = mkdtempSync(join(tmpdir(), 'promlet-import-read-'));
let files = 0;
function file(text: string): string {
  const path = join(dir, `f${files++}`);
  writeFileSync(path, text);
  return path;
}

/** What import did before it streamed: the whole text parsed, then grouped. */
function wholeFile(path: string, text: string, format: ExpositionFormat) {
  const rejected: string[] = [];
  function* inputs(): Generator<BackfillInput> {
    for (const s of parseExposition(text, format).samples) {
      if (s.timestamp === undefined) rejected.push(`${path}:${s.line}: sample has no timestamp`);
      else if (!Number.isSafeInteger(s.timestamp)) rejected.push(`${path}:${s.line}: timestamp ${s.timestamp} is not a whole number of milliseconds`);
      else yield { labels: s.labels, t: s.timestamp, v: s.value, line: s.line };
    }
  }
  const series = groupSeries(inputs(), rejected, (l) => `${path}:${l}`);
  return { series: series.map((s) => ({ labels: s.labels, ts: [...s.ts], vs: [...s.vs] })), rejected };
}

function streamed(path: string, format: ExpositionFormat, chunkBytes: number) {
  const rejected: string[] = [];
  const buffer = new BackfillBuffer();
  const progress: number[] = [];
  readBackfillFile(path, format, buffer, rejected, (f) => progress.push(f), { chunkBytes });
  const series = buffer.finish(rejected, (l) => `${path}:${l}`);
  expect(progress.at(-1)).toBe(1);
  return { series: series.map((s) => ({ labels: s.labels, ts: [...s.ts], vs: [...s.vs] })), rejected };
}

const OM = [
  '# HELP h A histogram, é.',
  '# TYPE h histogram',
  '# TYPE g gauge',
  '# UNIT g_seconds seconds',
  '# TYPE g_seconds gauge',
  ...Array.from({ length: 40 }, (_, i) => {
    const t = (1000 - i * 7) % 97; // out of order
    return [
      `h_bucket{le="1"} ${i} ${t}.5`,
      `h_bucket{le="1.0e1",x="a"} ${i} ${t}`,
      `h_bucket{le="+Inf"} ${i} ${t} # {trace_id="ab"} 0.5 ${t}`,
      `g{path="/ü/ß}\\"x\\\\",z="🙂"} ${i % 3 === 0 ? 'NaN' : -i * 1.5e-3} ${t}.001`,
      `g{z="🙂",path="/ü/ß}\\"x\\\\"}   ${i % 3 === 0 ? 'NaN' : -i * 1.5e-3}\t${t}.001`,
      `g_seconds{long="${'v'.repeat(300)}"} ${i % 5} ${t}`,
      // Same timestamp again: same value dropped, another rejected.
      `g_seconds{long="${'v'.repeat(300)}"} ${i % 5 === 0 ? 9 : i % 5} ${t}`,
    ];
  }).flat(),
  '# EOF',
  '',
].join('\n');

const TEXT = [
  'x_bucket{le="1"} 1 1000',
  'untimed 3',
  '# TYPE x histogram',
  'x_bucket{le="1"} 2 2000',
  'y{a="1"} 1e3 3000\r',
  '# a comment',
  '',
  'y{a="1"} 2 2000',
  'y{a="1"} 7 3000',
  'x_bucket{le="1"} 3 4000',
].join('\n');

describe('readBackfillFile', () => {
  it('reads OpenMetrics as the whole-text parse does, wherever the pieces are cut', () => {
    const path = file(OM);
    const want = wholeFile(path, OM, 'openmetrics');
    expect(want.rejected.length).toBeGreaterThan(0);
    // g is written two ways: one series.
    expect(want.series.length).toBe(5);
    for (const chunk of [1, 7, 64, 333, 4096, 1 << 20]) expect(streamed(path, 'openmetrics', chunk)).toEqual(want);
  });

  it('reads the text format as the whole-text parse does, a TYPE line changing later lines of a series seen before', () => {
    const path = file(TEXT);
    const want = wholeFile(path, TEXT, 'text');
    // le="1" before the TYPE line and le="1.0" after it: two series.
    expect(want.series.map((s) => s.labels.find((l) => l.name === 'le')?.value).filter(Boolean)).toEqual(['1', '1.0']);
    expect(want.rejected).toEqual([`${path}:2: sample has no timestamp`, `${path}:9: duplicate sample for timestamp 3000: 1000 already, got 7`]);
    for (const chunk of [1, 5, 64, 1 << 20]) expect(streamed(path, 'text', chunk)).toEqual(want);
  });

  it('fails on a bad line of a later piece with the line and message of the whole-text parse', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `m{i="${i}"} ${i} ${i}`);
    lines[437] = 'm{i="437" 1 2';
    const text = [...lines, '# EOF', ''].join('\n');
    const path = file(text);
    let want: unknown;
    try {
      parseExposition(text, 'openmetrics');
    } catch (e) {
      want = e;
    }
    expect(want).toBeInstanceOf(ExpositionError);
    expect((want as ExpositionError).line).toBe(438);
    for (const chunk of [16, 1 << 20]) expect(() => streamed(path, 'openmetrics', chunk)).toThrow((want as Error).message);
  });

  it('checks OpenMetrics ends with # EOF, after the last piece only', () => {
    const text = 'm 1 1\nm 2 2\n';
    const path = file(text);
    expect(() => parseExposition(text, 'openmetrics')).toThrow('line 2: data does not end with # EOF');
    expect(() => streamed(path, 'openmetrics', 4)).toThrow('line 2: data does not end with # EOF');
    const after = file('m 1 1\n# EOF\nm 2 2\n');
    expect(() => streamed(after, 'openmetrics', 4)).toThrow('line 3: unexpected data after # EOF');
  });
});

describe('readLinePieces', () => {
  it('gives whole lines that join to the file, multi-byte characters intact, and stops when asked', () => {
    const text = `a é\n${'🙂'.repeat(50)}\n\nb\r\nlast without newline ß`;
    const path = file(text);
    for (const chunk of [1, 2, 3, 10, 1000]) {
      const pieces: string[] = [];
      readLinePieces(path, (p) => void pieces.push(p), chunk);
      expect(pieces.join('')).toBe(text);
      expect(pieces.slice(0, -1).every((p) => p.endsWith('\n'))).toBe(true);
    }
    let calls = 0;
    readLinePieces(path, () => (calls++, false), 1);
    expect(calls).toBe(1);
  });
});

describe('formatOfFile', () => {
  it('agrees with formatOfText: # EOF at the end, in the middle of a long file, or not at all', () => {
    const long = Array.from({ length: 2000 }, (_, i) => `m ${i} ${i}`).join('\n');
    for (const text of ['m 1 1\n# EOF\n', 'm 1 1\n# EOF', `# EOF  \n${long}\n`, `${long}\n# EOF \t\n${long}`, `${long}\n`, `m 1 1\n# EOFx\n${long}`, '']) {
      expect(formatOfFile(file(text))).toBe(formatOfText(text));
    }
  });
});
