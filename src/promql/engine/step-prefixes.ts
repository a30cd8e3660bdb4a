// A sample's time as the API's JSON writes it (secondsJSON), and a step
// grid's `[t,"` texts as ASCII bytes (result-json.ts's StepPrefixes table),
// written digit by digit into one array. Made with a template string
// per step (secondsJSON, then its characters copied) they cost a query about
// as much as its 36 series' label sets: a matrix over 1,320 steps built
// 1,320 strings, every query, since a dashboard's range moves with the clock.
// The bytes are secondsJSON's text exactly; a time it does not write as whole
// seconds and milliseconds is written through it.

/** Step k's bytes are bytes[offsets[k] … offsets[k + 1]) (float-text.ts's StepPrefixTable). */
export interface StepPrefixBytes {
  bytes: Uint8Array;
  offsets: Uint32Array;
}

// ".001" … ".999" with trailing zeros dropped, "" for whole seconds.
const FRACTIONS: string[] = Array.from({ length: 1000 }, (_, ms) => (ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`.replace(/0+$/, '')));

// Below this many ms, the decimal t / 1000 is under 10^12 with at most 15
// significant digits, so it reads back as the double t / 1000 (correctly
// rounded). Any other decimal reading back as that double is within an ulp
// (≤ 2^-13) of it, so has a digit past the ms and is no shorter (also
// across a power of ten). Number::toString, which writes the fewest
// digits, writes exactly the whole seconds, a point and the ms.
const EXACT_MS = 1e15;

/** t / 1000 as JSON.stringify writes it, for the timestamp of a sample at t ms. */
export function secondsJSON(t: number): string {
  if (Number.isInteger(t) && t < EXACT_MS && t > -EXACT_MS) {
    if (t >= 0) {
      const s = Math.floor(t / 1000);
      return `${s}${FRACTIONS[t - s * 1000]}`;
    }
    const a = -t, s = Math.floor(a / 1000);
    return `-${s}${FRACTIONS[a - s * 1000]}`;
  }
  return JSON.stringify(t / 1000);
}

const OPEN = 91, COMMA = 44, Q = 34, MINUS = 45, DOT = 46, ZERO = 48;

// ".001" … ".999" without trailing zeros, nothing for 0: FRACTION_LEN[ms] digits of FRACTION_DIGITS[3 * ms …].
const FRACTION_DIGITS = new Uint8Array(3000);
const FRACTION_LEN = new Uint8Array(1000);
for (let ms = 1; ms < 1000; ms++) {
  const d = [Math.floor(ms / 100), Math.floor(ms / 10) % 10, ms % 10];
  let len = 3;
  while (d[len - 1] === 0) len--;
  FRACTION_LEN[ms] = len;
  for (let j = 0; j < 3; j++) FRACTION_DIGITS[3 * ms + j] = ZERO + d[j]!;
}

// "000" … "999": the three digits of each number under 1,000, and how many of them are left without leading zeros.
const DIGITS3 = new Uint8Array(3000);
const DIGITS3_LEN = new Uint8Array(1000);
for (let x = 0; x < 1000; x++) {
  DIGITS3[3 * x] = ZERO + Math.floor(x / 100);
  DIGITS3[3 * x + 1] = ZERO + (Math.floor(x / 10) % 10);
  DIGITS3[3 * x + 2] = ZERO + (x % 10);
  DIGITS3_LEN[x] = x >= 100 ? 3 : x >= 10 ? 2 : 1;
}

/** Writes x (0 <= x < 10^6, an int32) at p without leading zeros; returns the new p. */
function writeUpTo6(bytes: Uint8Array, p: number, x: number): number {
  if (x < 1000) {
    const len = DIGITS3_LEN[x]!;
    for (let j = 3 - len; j < 3; j++) bytes[p++] = DIGITS3[3 * x + j]!;
    return p;
  }
  const a = (x / 1000) | 0, b = x - a * 1000;
  const len = DIGITS3_LEN[a]!;
  for (let j = 3 - len; j < 3; j++) bytes[p++] = DIGITS3[3 * a + j]!;
  bytes[p] = DIGITS3[3 * b]!;
  bytes[p + 1] = DIGITS3[3 * b + 1]!;
  bytes[p + 2] = DIGITS3[3 * b + 2]!;
  return p + 3;
}

/** The `[t,"` bytes of steps start + k * interval, k < n. */
export function stepPrefixTable(start: number, interval: number, n: number): StepPrefixBytes {
  // `[`, a sign, 12 digits, a point, 3 digits, `,"`; other times are sized as their text is made.
  let bytes = new Uint8Array(20 * n + 8);
  const offsets = new Uint32Array(n + 1);
  let p = 0;
  for (let k = 0; k < n; k++) {
    offsets[k] = p;
    const t = start + k * interval;
    if (!(Number.isInteger(t) && t < EXACT_MS && t > -EXACT_MS)) {
      const text = `[${secondsJSON(t)},"`;
      if (p + text.length > bytes.length) {
        const grown = new Uint8Array(2 * bytes.length + text.length);
        grown.set(bytes);
        bytes = grown;
      }
      for (let j = 0; j < text.length; j++) bytes[p++] = text.charCodeAt(j);
      continue;
    }
    if (p + 20 > bytes.length) {
      const grown = new Uint8Array(2 * bytes.length + 20);
      grown.set(bytes);
      bytes = grown;
    }
    bytes[p++] = OPEN;
    let a = t;
    if (t < 0) {
      bytes[p++] = MINUS;
      a = -t;
    }
    const s = Math.floor(a / 1000);
    const ms = a - s * 1000;
    // The seconds (under 10^12) as two int32 halves of six digits, in groups of three from a table:
    // the high half without leading zeros, then the low half's six digits.
    const hi = Math.floor(s / 1e6) | 0, lo = (s - hi * 1e6) | 0;
    if (hi === 0) p = writeUpTo6(bytes, p, lo);
    else {
      p = writeUpTo6(bytes, p, hi);
      const la = (lo / 1000) | 0, lb = lo - la * 1000;
      bytes[p] = DIGITS3[3 * la]!;
      bytes[p + 1] = DIGITS3[3 * la + 1]!;
      bytes[p + 2] = DIGITS3[3 * la + 2]!;
      bytes[p + 3] = DIGITS3[3 * lb]!;
      bytes[p + 4] = DIGITS3[3 * lb + 1]!;
      bytes[p + 5] = DIGITS3[3 * lb + 2]!;
      p += 6;
    }
    const len = FRACTION_LEN[ms]!;
    if (len > 0) {
      bytes[p++] = DOT;
      for (let j = 0; j < len; j++) bytes[p++] = FRACTION_DIGITS[3 * ms + j]!;
    }
    bytes[p++] = COMMA;
    bytes[p++] = Q;
  }
  offsets[n] = p;
  return { bytes: bytes.subarray(0, p), offsets };
}
