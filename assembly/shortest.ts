// The shortest decimal that reads back as a given double (Ryu, Ulf Adams,
// PLDI 2018): of the decimals in the double's rounding interval, the one
// with the fewest digits, and of those the one nearest the double (ties to
// an even last digit). That is the digit string JavaScript's Number::toString
// and Go's strconv.FormatFloat(f, _, -1, 64) both write.
//
// The double m·2^e is scaled by a power of ten with 128-bit fixed-point
// powers of five. The tables are computed here at start-up with
// a small multi-word integer, so no table is copied in by hand.

const MANTISSA_BITS: i32 = 52;
const EXPONENT_BIAS: i32 = 1023;

// Bits kept of each power of five and of each inverse power of five.
const POW5_BITS: i32 = 125;
const POW5_INV_BITS: i32 = 125;
// 5^i up to the smallest binary exponent (subnormals: i ≤ 325), 5^-q up to the largest (q ≤ 290).
const POW5_COUNT: i32 = 326;
const POW5_INV_COUNT: i32 = 292;

/** (low, high) 64-bit halves: 5^i's top 125 bits. */
const pow5 = new StaticArray<u64>(POW5_COUNT * 2);
/** (low, high): floor(2^(bitlength(5^q) - 1 + 125) / 5^q) + 1. */
const pow5Inv = new StaticArray<u64>(POW5_INV_COUNT * 2);

// A multi-word integer of 32-bit limbs, least significant first, wide enough for 2^1024.
const LIMBS: i32 = 34;

/** Bits [from, from + 64) of the integer in limbs (bits below 0 read as 0). */
function bitsAt(limbs: StaticArray<u32>, from: i32): u64 {
  let r: u64 = 0;
  for (let b = 63; b >= 0; b--) {
    const at = from + b;
    r <<= 1;
    if (at >= 0 && at < LIMBS * 32) r |= <u64>((unchecked(limbs[at >> 5]) >>> <u32>(at & 31)) & 1);
  }
  return r;
}

function bitLength(limbs: StaticArray<u32>): i32 {
  for (let i = LIMBS - 1; i >= 0; i--) {
    const w = unchecked(limbs[i]);
    if (w != 0) return i * 32 + 32 - <i32>clz<u32>(w);
  }
  return 0;
}

function computeTables(): void {
  // 5^i, multiplied up by 5.
  const p = new StaticArray<u32>(LIMBS);
  p[0] = 1;
  for (let i = 0; i < POW5_COUNT; i++) {
    const from = bitLength(p) - POW5_BITS;
    unchecked(pow5[2 * i] = bitsAt(p, from));
    unchecked(pow5[2 * i + 1] = bitsAt(p, from + 64));
    let carry: u64 = 0;
    for (let l = 0; l < LIMBS; l++) {
      const x = <u64>unchecked(p[l]) * 5 + carry;
      unchecked(p[l] = <u32>x);
      carry = x >> 32;
    }
  }
  // floor(2^TOP / 5^q), divided down by 5; floor(floor(x / 5^q) / 2^s) = floor(x / (5^q·2^s)).
  const TOP: i32 = LIMBS * 32 - 1;
  const x = new StaticArray<u32>(LIMBS);
  x[LIMBS - 1] = 0x80000000;
  const q5 = new StaticArray<u32>(LIMBS);
  q5[0] = 1;
  for (let q = 0; q < POW5_INV_COUNT; q++) {
    const j = bitLength(q5) - 1 + POW5_INV_BITS;
    const lo = bitsAt(x, TOP - j), hi = bitsAt(x, TOP - j + 64);
    const lo1 = lo + 1;
    unchecked(pow5Inv[2 * q] = lo1);
    unchecked(pow5Inv[2 * q + 1] = hi + (lo1 == 0 ? 1 : 0));
    let rem: u64 = 0;
    for (let l = LIMBS - 1; l >= 0; l--) {
      const cur = (rem << 32) | <u64>unchecked(x[l]);
      unchecked(x[l] = <u32>(cur / 5));
      rem = cur % 5;
    }
    let carry: u64 = 0;
    for (let l = 0; l < LIMBS; l++) {
      const y = <u64>unchecked(q5[l]) * 5 + carry;
      unchecked(q5[l] = <u32>y);
      carry = y >> 32;
    }
  }
}
computeTables();

// @ts-ignore: decorator
@inline function umulh(a: u64, b: u64): u64 {
  const aL = a & 0xffffffff, aH = a >> 32, bL = b & 0xffffffff, bH = b >> 32;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/** (x2·2^128 + x1·2^64) >> j for 64 ≤ j < 128: the bits of a 192-bit number that matter here. */
// @ts-ignore: decorator
@inline function shr192(x1: u64, x2: u64, j: i32): u64 {
  const s = <u64>(j - 64);
  return s == 0 ? x1 : (x1 >> s) | (x2 << (64 - s));
}

// The interval's three points scaled: floor(x · M / 2^j) for x = mv, mv + 2 and mv - 1 - mmShift,
// with M = hi·2^64 + lo. One 192-bit product mv·M; the neighbours' products are it plus 2M and
// minus M or 2M, which are additions, not two more products.
let scaledUp: u64 = 0, scaledDown: u64 = 0;

// @ts-ignore: decorator
@inline function scaleAll(mv: u64, lo: u64, hi: u64, j: i32, mmShift: u64): u64 {
  const p0 = mv * lo;
  const a1 = umulh(mv, lo);
  const b0 = mv * hi, b1 = umulh(mv, hi);
  const p1 = a1 + b0;
  const p2 = b1 + (p1 < a1 ? 1 : 0);
  // 2M
  const m0 = lo << 1, m1 = (hi << 1) | (lo >> 63), m2 = hi >> 63;
  {
    const u0 = p0 + m0;
    const c0: u64 = u0 < p0 ? 1 : 0;
    const t1 = p1 + m1;
    const c1a: u64 = t1 < p1 ? 1 : 0;
    const u1 = t1 + c0;
    const c1b: u64 = u1 < t1 ? 1 : 0;
    const u2 = p2 + m2 + c1a + c1b;
    scaledUp = shr192(u1, u2, j);
  }
  {
    // M, or 2M at a power of two's narrower lower half.
    const d0 = mmShift != 0 ? m0 : lo, d1 = mmShift != 0 ? m1 : hi, d2 = mmShift != 0 ? m2 : 0;
    const b0w: u64 = p0 < d0 ? 1 : 0;
    const t1 = p1 - d1;
    const b1a: u64 = p1 < d1 ? 1 : 0;
    const w1 = t1 - b0w;
    const b1b: u64 = t1 < b0w ? 1 : 0;
    const w2 = p2 - d2 - b1a - b1b;
    scaledDown = shr192(w1, w2, j);
  }
  return shr192(p1, p2, j);
}

// @ts-ignore: decorator
@inline function pow5bits(e: i32): i32 {
  return <i32>((<u32>e * 1217359) >> 19) + 1;
}

// @ts-ignore: decorator
@inline function log10Pow2(e: i32): i32 {
  return <i32>((<u32>e * 78913) >> 18);
}

// @ts-ignore: decorator
@inline function log10Pow5(e: i32): i32 {
  return <i32>((<u32>e * 732923) >> 20);
}

function pow5Factor(v: u64): i32 {
  let n = 0;
  while (v != 0 && v % 5 == 0) {
    v /= 5;
    n++;
  }
  return n;
}

// @ts-ignore: decorator
@inline function multipleOfPow5(v: u64, p: i32): bool {
  return pow5Factor(v) >= p;
}

// @ts-ignore: decorator
@inline function multipleOfPow2(v: u64, p: i32): bool {
  return p >= 64 ? v == 0 : (v & ((<u64>1 << <u64>p) - 1)) == 0;
}

const POW10 = new StaticArray<u64>(20);
POW10[0] = 1;
for (let i = 1; i < 20; i++) POW10[i] = POW10[i - 1] * 10;

/** The shortest decimal's digits (as an integer) of the last toShortest call. */
export let shortestDigits: u64 = 0;
/** Its power of ten: the double reads as shortestDigits · 10^shortestExp10. */
export let shortestExp10: i32 = 0;

/** Sets shortestDigits and shortestExp10 for a finite, nonzero, positive double's bits. */
export function toShortest(bits: u64): void {
  const ieeeM = bits & ((<u64>1 << <u64>MANTISSA_BITS) - 1);
  const ieeeE = <i32>((bits >> <u64>MANTISSA_BITS) & 0x7ff);

  // An integer below 2^53: its own digits, less trailing zeros, are the shortest
  // (a neighbour is a whole unit away, so no other decimal in the interval is shorter).
  if (ieeeE >= EXPONENT_BIAS && ieeeE <= EXPONENT_BIAS + MANTISSA_BITS) {
    const shift = <u64>(EXPONENT_BIAS + MANTISSA_BITS - ieeeE);
    const m = ieeeM | (<u64>1 << <u64>MANTISSA_BITS);
    if ((m & ((<u64>1 << shift) - 1)) == 0) {
      let d = m >> shift, e = 0;
      while (d % 10 == 0) {
        d /= 10;
        e++;
      }
      shortestDigits = d;
      shortestExp10 = e;
      return;
    }
  }

  let e2: i32, m2: u64;
  if (ieeeE == 0) {
    e2 = 1 - EXPONENT_BIAS - MANTISSA_BITS - 2;
    m2 = ieeeM;
  } else {
    e2 = ieeeE - EXPONENT_BIAS - MANTISSA_BITS - 2;
    m2 = ieeeM | (<u64>1 << <u64>MANTISSA_BITS);
  }
  const even = (m2 & 1) == 0;
  const acceptBounds = even;

  // The interval's midpoints with the neighbours, ×4 so they stay integers: mm < mv < mp.
  // At a power of two the lower neighbour is half as far.
  const mv = m2 << 2;
  const mmShift: u64 = ieeeM != 0 || ieeeE <= 1 ? 1 : 0;

  let vr: u64, vp: u64, vm: u64, e10: i32;
  let vmTrailingZeros = false, vrTrailingZeros = false;
  if (e2 >= 0) {
    const q = log10Pow2(e2) - (e2 > 3 ? 1 : 0);
    e10 = q;
    const k = POW5_INV_BITS + pow5bits(q) - 1;
    const j = -e2 + q + k;
    const lo = unchecked(pow5Inv[2 * q]), hi = unchecked(pow5Inv[2 * q + 1]);
    vr = scaleAll(mv, lo, hi, j, mmShift);
    vp = scaledUp;
    vm = scaledDown;
    // Scaled down by 5^q: exact when 5^q divides. At most one of mm, mv, mp is a multiple of 5.
    if (mv % 5 == 0) vrTrailingZeros = multipleOfPow5(mv, q);
    else if (acceptBounds) vmTrailingZeros = multipleOfPow5(mv - 1 - mmShift, q);
    else if (multipleOfPow5(mv + 2, q)) vp--;
  } else {
    const q = log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
    e10 = q + e2;
    const i = -e2 - q;
    const k = pow5bits(i) - POW5_BITS;
    const j = q - k;
    const lo = unchecked(pow5[2 * i]), hi = unchecked(pow5[2 * i + 1]);
    vr = scaleAll(mv, lo, hi, j, mmShift);
    vp = scaledUp;
    vm = scaledDown;
    // Scaled by 5^i / 2^q: exact when 2^q divides.
    if (q <= 1) {
      vrTrailingZeros = true;
      if (acceptBounds) vmTrailingZeros = mmShift == 1;
      else vp--;
    } else if (q < 63) {
      vrTrailingZeros = multipleOfPow2(mv, q);
    }
  }

  // Drop digits while the interval still holds a shorter decimal; round what is left.
  let removed = 0;
  let lastRemoved: u64 = 0;
  let out: u64;
  if (vmTrailingZeros || vrTrailingZeros) {
    while (vp / 10 > vm / 10) {
      vmTrailingZeros = vmTrailingZeros && vm % 10 == 0;
      vrTrailingZeros = vrTrailingZeros && lastRemoved == 0;
      lastRemoved = vr % 10;
      vr /= 10;
      vp /= 10;
      vm /= 10;
      removed++;
    }
    if (vmTrailingZeros) {
      while (vm % 10 == 0) {
        vrTrailingZeros = vrTrailingZeros && lastRemoved == 0;
        lastRemoved = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        removed++;
      }
    }
    // Exactly halfway: round to even.
    if (vrTrailingZeros && lastRemoved == 5 && vr % 2 == 0) lastRemoved = 4;
    out = vr + ((vr == vm && (!acceptBounds || !vmTrailingZeros)) || lastRemoved >= 5 ? 1 : 0);
  } else {
    // The common case: no bound is exact, so the digits removed decide the rounding
    // alone (up from half). As many digits go as leave vp and vm apart: largest steps first.
    const vr0 = vr;
    let k = 0;
    if (vp / 100000000 > vm / 100000000) {
      vp /= 100000000;
      vm /= 100000000;
      k = 8;
      if (vp / 100000000 > vm / 100000000) {
        vp /= 100000000;
        vm /= 100000000;
        k = 16;
      }
    }
    if (vp / 10000 > vm / 10000) {
      vp /= 10000;
      vm /= 10000;
      k += 4;
    }
    if (vp / 100 > vm / 100) {
      vp /= 100;
      vm /= 100;
      k += 2;
    }
    if (vp / 10 > vm / 10) {
      vp /= 10;
      vm /= 10;
      k += 1;
    }
    let roundUp = false;
    if (k > 0) {
      const p = unchecked(POW10[k]);
      vr = vr0 / p;
      roundUp = vr0 - vr * p >= unchecked(POW10[k - 1]) * 5;
    }
    removed = k;
    out = vr + (vr == vm || roundUp ? 1 : 0);
  }
  shortestDigits = out;
  shortestExp10 = e10 + removed;
}

/** How many decimal digits v (< 10^17) has; 1 for 0. */
export function decimalLength(v: u64): i32 {
  if (v >= 10000000000000000) return 17;
  if (v >= 1000000000000000) return 16;
  if (v >= 100000000000000) return 15;
  if (v >= 10000000000000) return 14;
  if (v >= 1000000000000) return 13;
  if (v >= 100000000000) return 12;
  if (v >= 10000000000) return 11;
  if (v >= 1000000000) return 10;
  if (v >= 100000000) return 9;
  if (v >= 10000000) return 8;
  if (v >= 1000000) return 7;
  if (v >= 100000) return 6;
  if (v >= 10000) return 5;
  if (v >= 1000) return 4;
  if (v >= 100) return 3;
  if (v >= 10) return 2;
  return 1;
}
