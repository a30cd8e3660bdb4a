import { describe, expect, it } from 'vitest';
import { decodeRecord, histogramRecords, seriesRecord } from '../../src/storage/wal-records.js';
import { histogramAt } from '../fixtures/wal/histogram-at.js';

describe('series records', () => {
  it('round-trip labels of ASCII and of any other text alike', () => {
    const cases = [
      [{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }],
      [{ name: '__name__', value: 'ünï' }, { name: 'emoji', value: '✓ 🚀' }, { name: 'ascii', value: '' }],
      [{ name: 'x', value: '\x7f\x00~' }],
      [],
    ];
    for (const labels of cases) {
      const rec = seriesRecord(42, labels);
      expect(decodeRecord(rec)).toEqual({ kind: 'series', id: 42, labels });
    }
  });

  it('writes ASCII labels byte for byte as UTF-8 would', () => {
    const labels = [{ name: '__name__', value: 'rw_bench_7' }, { name: 'instance', value: 'host-1:9100' }];
    const rec = seriesRecord(7, labels);
    const text = new TextDecoder().decode(rec.subarray(12));
    expect(text).toBe('\x08\0\0\0__name__\x0a\0\0\0rw_bench_7\x08\0\0\0instance\x0b\0\0\0host-1:9100');
  });
});

describe('histogram records', () => {
  it('carry start timestamps only when a sample has one, and read records without them', () => {
    const h = (k: number) => ({ ...histogramAt(k, 0), integer: true });
    const [plain] = histogramRecords([{ id: 1, t: 1000, h: h(1) }, { id: 2, t: 2000, h: h(2), st: 0 }]);
    expect(plain![1]).toBe(0);
    expect(decodeRecord(plain!)).toMatchObject({ kind: 'histograms', ids: [1, 2], ts: [1000, 2000], sts: null });
    const [withSt] = histogramRecords([{ id: 1, t: 1000, h: h(1), st: 400 }, { id: 2, t: 2000, h: h(2) }, { id: 3, t: -5000, h: h(3), st: -9000 }]);
    expect(withSt![1]).toBe(1);
    const r = decodeRecord(withSt!);
    expect(r).toMatchObject({ kind: 'histograms', ids: [1, 2, 3], ts: [1000, 2000, -5000], sts: [400, 0, -9000] });
    expect(r.kind === 'histograms' && r.hs.map((x) => x.count)).toEqual([1, 2, 3].map((k) => h(k).count));
  });
});
