import { describe, expect, it } from 'vitest';
import { decodeRecord, seriesRecord } from '../../src/storage/wal-records.js';

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
