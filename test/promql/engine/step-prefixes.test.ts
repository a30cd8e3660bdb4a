// stepPrefixTable (src/promql/engine/step-prefixes.ts) writes each step's
// `[t,"` bytes digit by digit; they must be the bytes of the template string
// made from secondsJSON, which result-json.test.ts holds to JSON.stringify:
// over grids of whole and fractional milliseconds, negative times, times
// around the 10^15 ms where the digits stop being written directly, steps
// that cross a power of ten and fraction digits with trailing zeros.

import { describe, expect, it } from 'vitest';
import { secondsJSON, stepPrefixTable } from '../../../src/promql/engine/step-prefixes.js';
import { asciiTable } from '../../../src/promql/engine/json-bytes.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

function expected(start: number, interval: number, n: number) {
  return asciiTable(Array.from({ length: n }, (_, k) => `[${secondsJSON(start + k * interval)},"`));
}

function same(start: number, interval: number, n: number): void {
  const got = stepPrefixTable(start, interval, n), want = expected(start, interval, n);
  const where = `start ${start}, interval ${interval}, ${n} steps`;
  expect([...got.offsets], where).toEqual([...want.offsets]);
  expect(Buffer.from(got.bytes).toString('latin1'), where).toBe(Buffer.from(want.bytes).toString('latin1'));
}

describe('stepPrefixTable', () => {
  it('writes the template strings\' bytes on chosen grids', () => {
    const grids: [number, number, number][] = [
      [Date.UTC(2026, 0, 1, 0, 30), 15_000, 1320],
      [1_767_227_400_467, 15_000, 300],
      [0, 1, 2100],
      [-5_000, 7, 1600],
      [-1, 1, 3],
      [9_999_999_000, 1, 2000], // 10 to 11 digits of seconds
      [999_999_999_999_990, 1, 30], // across 10^15 ms
      [-999_999_999_999_990, 1, 30],
      [1e15, 1, 5],
      [1.5, 0.25, 40], // fractional ms: secondsJSON's JSON.stringify
      [1_767_225_600_000.5, 1000, 20],
      [1_767_225_600_000, 0.1, 50],
      [2 ** 53 - 10, 1, 5],
      [-(2 ** 60), 2 ** 52, 9],
      [123_456, 100, 0],
      [1_767_225_600_000, 10, 1],
      // Seconds written in groups of three: a low half with zeros inside and across 10^3 and 10^6.
      [1_000_000_998_000, 1000, 5],
      [999_998_000, 1000, 4],
      [998_000, 1000, 4],
      [-1_000_000_000_000, 1000, 3],
    ];
    for (const [start, interval, n] of grids) same(start, interval, n);
  });

  it('writes the template strings\' bytes on random grids', () => {
    const rnd = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const scale = [1e3, 1e6, 1e9, 1e12, 1e14, 2e15][Math.floor(rnd() * 6)]!;
      const start = Math.floor((rnd() - 0.3) * scale);
      const interval = [1, 7, 10, 100, 250, 999, 1000, 1001, 15_000, 60_000, 86_400_000][Math.floor(rnd() * 11)]!;
      same(start, interval, Math.floor(rnd() * 400));
    }
  });
});
