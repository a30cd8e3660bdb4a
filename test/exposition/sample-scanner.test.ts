// The scrape's fast scanner against the full parser on the same text: the
// same samples (labels from parse(), values bit for bit, timestamps) and,
// for thousands of mutated bodies, the same error on the same line.

import { describe, expect, it } from 'vitest';
import { SampleScanner } from '../../src/exposition/sample-scanner.js';
import { parseExposition, scanGoFloat, type ExpositionFormat } from '../../src/exposition/parse.js';

const TEXT = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
{"quoted.name",le="x"} -0
spaced{ a = "b" , } 	 7
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="1"} 33444
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="1"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
empty_label{a="",b="x"} NaN
big 123456789012345678901234567890
small .5e-3\r
`;

const OM = `# TYPE foo counter
# HELP foo Foo.
foo_total{a="1"} 17.0 1520879607.789 # {id="abc"} 1.0 1520879607.7
foo_created{a="1"} 1520430000.123
# TYPE bar_seconds gauge
# UNIT bar_seconds seconds
bar_seconds 1.5e3
bar_seconds{x="y"} -Inf 1520879607
# EOF
`;

function viaScanner(text: string, format: ExpositionFormat) {
  const sc = new SampleScanner(text, format);
  const out: unknown[] = [];
  while (sc.next()) {
    const p = sc.parse();
    out.push({ labels: p.labels, value: sc.value, timestamp: sc.timestamp, line: sc.lineNo, series: sc.series.length > 0 });
  }
  return out;
}

/** A second pass that tries each series text of the first pass in order, as the scrape loop does. */
function viaKnown(text: string, format: ExpositionFormat) {
  const first = new SampleScanner(text, format);
  const keys: string[] = [];
  while (first.next()) keys.push(first.series);
  const sc = new SampleScanner(text, format);
  const out: unknown[] = [];
  let i = 0;
  while (sc.nextLine()) {
    // Every other line tries a wrong key first (a target that changed its order).
    if (!(i % 2 === 0 && sc.known(keys[(i + 1) % keys.length]!)) && !sc.known(keys[i]!)) sc.read();
    const p = sc.parse();
    out.push({ labels: p.labels, value: sc.value, timestamp: sc.timestamp, line: sc.lineNo, series: sc.series === keys[i] && keys[i] !== '' });
    i++;
  }
  return out;
}

function viaParser(text: string, format: ExpositionFormat) {
  return parseExposition(text, format).samples.map((s) => ({ labels: s.labels, value: s.value, timestamp: s.timestamp, line: s.line, series: true }));
}

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe('SampleScanner', () => {
  for (const [name, text, format] of [['text', TEXT, 'text'], ['OpenMetrics', OM, 'openmetrics']] as const) {
    it(`reads ${name} as parseExposition does`, () => {
      const want = viaParser(text, format);
      expect(want.length).toBeGreaterThan(3);
      expect(viaScanner(text, format)).toEqual(want);
      expect(viaKnown(text, format)).toEqual(want);
    });

    it(`fails ${name} mutations as parseExposition does`, () => {
      let seed = 11;
      const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
      const alphabet = ' \t\n"\\{}=,#.e+-0123456789abcxyz_:';
      let errors = 0;
      for (let round = 0; round < 3000; round++) {
        let t: string = text;
        for (let k = 1 + rnd(3); k > 0; k--) {
          const at = rnd(t.length);
          const op = rnd(3);
          if (op === 0) t = t.slice(0, at) + t.slice(at + 1);
          else if (op === 1) t = t.slice(0, at) + alphabet[rnd(alphabet.length)] + t.slice(at);
          else t = t.slice(0, at) + alphabet[rnd(alphabet.length)] + t.slice(at + 1);
        }
        const want = outcome(() => viaParser(t, format));
        if (typeof want === 'string') errors++;
        expect(outcome(() => viaScanner(t, format)), JSON.stringify(t)).toEqual(want);
        if (typeof want !== 'string') expect(outcome(() => viaKnown(t, format)), JSON.stringify(t)).toEqual(want);
      }
      expect(errors).toBeGreaterThan(300);
    });
  }

  it('cuts out the series text exactly as written', () => {
    const sc = new SampleScanner('a{x="}",y="\\"}"} 1\nb 2 3\n');
    expect(sc.next()).toBe(true);
    expect([sc.series, sc.value, sc.timestamp]).toEqual(['a{x="}",y="\\"}"}', 1, undefined]);
    expect(sc.next()).toBe(true);
    expect([sc.series, sc.value, sc.timestamp]).toEqual(['b', 2, 3]);
    expect(sc.next()).toBe(false);
  });

  it('reads decimals bit for bit as Number does (the fast float path)', () => {
    let seed = 3;
    const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
    for (let i = 0; i < 200_000; i++) {
      const s = `${r() < 0.3 ? '-' : ''}${digits(Math.floor(r() * 12))}${r() < 0.8 ? `.${digits(Math.floor(r() * 12))}` : ''}${r() < 0.1 ? `e${Math.floor(r() * 40) - 20}` : ''}`;
      const want = /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/.test(s) ? Number(s) : null;
      const got = scanGoFloat(s, 0, s.length);
      if (!Object.is(got, want)) expect([s, got]).toEqual([s, want]);
    }
  });
});

describe('SampleScanner fed in pieces', () => {
  it('reads pieces of whole lines as the whole text, line numbers and metadata carried on, # EOF checked after the last', () => {
    const text = '# TYPE h histogram\nh_bucket{le="1"} 1 1\n\nh_bucket{le="2"} 2 2\n# EOF\n';
    const lines = text.split(/(?<=\n)/);
    const sc = new SampleScanner('', 'openmetrics');
    const got: { line: number; le: string | undefined; v: number }[] = [];
    let err: unknown;
    try {
      lines.forEach((piece, i) => {
        sc.continueWith(piece, i === lines.length - 1);
        while (sc.next()) got.push({ line: sc.lineNo, le: sc.parse().labels.find((l) => l.name === 'le')?.value, v: sc.value });
      });
    } catch (e) {
      err = e;
    }
    // OpenMetrics forbids the blank line 3, as the whole text's parse says.
    expect(() => parseExposition(text, 'openmetrics')).toThrow('line 3: unexpected blank line');
    expect(String(err)).toContain('line 3: unexpected blank line');
    const ok = text.replace('\n\n', '\n');
    const sc2 = new SampleScanner('', 'openmetrics');
    const pieces = ok.split(/(?<=\n)/);
    got.length = 0;
    pieces.forEach((piece, i) => {
      sc2.continueWith(piece, i === pieces.length - 1);
      while (sc2.next()) got.push({ line: sc2.lineNo, le: sc2.parse().labels.find((l) => l.name === 'le')?.value, v: sc2.value });
    });
    expect(got).toEqual(parseExposition(ok, 'openmetrics').samples.map((s) => ({ line: s.line, le: s.labels.find((l) => l.name === 'le')?.value, v: s.value })));
    expect(got.map((g) => g.le)).toEqual(['1.0', '2.0']);
    expect(sc2.metadataLines).toBe(2);
    // Without # EOF the error comes after the last piece, not at the end of each.
    const noEof = new SampleScanner('', 'openmetrics');
    noEof.continueWith('a 1\n', false);
    expect(noEof.next()).toBe(true);
    expect(noEof.next()).toBe(false);
    noEof.continueWith('a 2\n', true);
    expect(noEof.next()).toBe(true);
    expect(() => noEof.next()).toThrow('line 2: data does not end with # EOF');
  });
});
