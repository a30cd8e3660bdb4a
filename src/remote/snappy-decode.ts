// Snappy's raw block format (what remote write sends), decoded in one pass
// that checks every element against the input and the declared length as it
// goes: a literal or copy that overruns, a copy reaching before the start,
// or a length header over the caller's limit is refused before any byte of
// it is copied, so six bytes declaring a 3 GB literal cost nothing. Checking
// while decoding replaces a separate validating pass over the block, which
// cost about as much as snappyjs's decoding itself.

export class SnappyDecodeError extends Error {}

/** The declared decoded length of a block, or a reason it cannot be read. */
export function snappyDecodedLength(b: Uint8Array): number | string {
  let total = 0;
  for (let i = 0, shift = 0; ; shift += 7) {
    if (i >= b.length) return 'truncated length header';
    if (shift > 28) return 'length header too long';
    const c = b[i++]!;
    total += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return total;
  }
}

const TRUNCATED_LITERAL_LENGTH = 0, LITERAL_PAST_INPUT = 1, MORE_THAN_DECLARED = 2, TRUNCATED_COPY = 3, OFFSET_BEFORE_START = 4;

/**
 * Problems found in the hot loop are worded here, out of its way, from
 * numbers passed in. Not from a closure: a closure over the loop's variables
 * made the engine keep them in a heap context allocated for every element
 * (about 1.5 MB of garbage per remote-write request); nor from template
 * strings in the loop, which made it slower.
 */
function failAt(what: number, a: number, at = 0): never {
  switch (what) {
    case TRUNCATED_LITERAL_LENGTH: throw new SnappyDecodeError(`truncated literal length at byte ${a}`);
    case LITERAL_PAST_INPUT: throw new SnappyDecodeError(`literal of ${a} bytes at byte ${at} runs past the input`);
    case MORE_THAN_DECLARED: throw new SnappyDecodeError(`elements decode to more than the declared ${a} bytes`);
    case TRUNCATED_COPY: throw new SnappyDecodeError(`truncated copy at byte ${a}`);
    default: throw new SnappyDecodeError(`copy offset ${a} at byte ${at} reaches before the start`);
  }
}

function longLiteral(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 2 ** 24 + 1;
}

/**
 * Decodes a snappy block whose declared length is at most `maxLength` bytes;
 * throws SnappyDecodeError saying what and where. With `into` long enough,
 * the bytes land at its start (the result is a view of it) rather than in a
 * new array.
 */
export function snappyDecode(b: Uint8Array, maxLength: number, into?: Uint8Array): Uint8Array {
  const declared = snappyDecodedLength(b);
  if (typeof declared === 'string') throw new SnappyDecodeError(declared);
  const total = declared | 0;
  if (declared > maxLength || declared !== total) throw new SnappyDecodeError(`decoded length ${total} is larger than the limit of ${maxLength} bytes`);
  let i = 0;
  while (b[i]! >= 0x80) i++;
  i++;
  const out = into && into.length >= total ? into.subarray(0, total) : new Uint8Array(total);
  const o = inflate(b, i, out, total);
  if (o !== total) throw new SnappyDecodeError(`elements decode to ${o} bytes, the header declares ${total}`);
  return out;
}

/**
 * The element loop, on its own: a function the engine optimizes as a whole
 * after a few requests. Inside snappyDecode it was only entered by on-stack
 * replacement, whose code gave up at the loop's exit on every call (no type
 * feedback yet for the check after it).
 */
function inflate(b: Uint8Array, start: number, out: Uint8Array, total: number): number {
  let i = start;
  const n = b.length;
  let o = 0;
  while (i < n) {
    const tag = b[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (i + extra > n) return failAt(TRUNCATED_LITERAL_LENGTH, i);
        // Lengths stay small integers (int32 arithmetic throughout keeps the loop fast): a fourth byte
        // of 0x80 or more means 2 GiB or more, longer than any input.
        if (extra === 4 && b[i + 3]! >= 0x80) return failAt(LITERAL_PAST_INPUT, longLiteral(b, i), i + 4);
        len = b[i]!;
        if (extra > 1) len |= b[i + 1]! << 8;
        if (extra > 2) len |= b[i + 2]! << 16;
        if (extra > 3) len |= b[i + 3]! << 24;
        len += 1;
        i += extra;
      }
      if (i + len > n) return failAt(LITERAL_PAST_INPUT, len, i);
      if (o + len > total) return failAt(MORE_THAN_DECLARED, total);
      for (let k = 0; k < len; k++) out[o + k] = b[i + k]!;
      i += len;
      o += len;
      continue;
    }
    let len: number, offset: number;
    if (kind === 1) {
      if (i + 1 > n) return failAt(TRUNCATED_COPY, i);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | b[i]!;
      i += 1;
    } else if (kind === 2) {
      if (i + 2 > n) return failAt(TRUNCATED_COPY, i);
      len = (tag >>> 2) + 1;
      offset = b[i]! | (b[i + 1]! << 8);
      i += 2;
    } else {
      if (i + 4 > n) return failAt(TRUNCATED_COPY, i);
      len = (tag >>> 2) + 1;
      if (b[i + 3]! >= 0x80) return failAt(OFFSET_BEFORE_START, (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 2 ** 24, i + 4);
      offset = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      i += 4;
    }
    if (offset === 0 || offset > o) return failAt(OFFSET_BEFORE_START, offset, i);
    if (o + len > total) return failAt(MORE_THAN_DECLARED, total);
    // An offset shorter than the length repeats the bytes just written: copied forwards one by one.
    for (let k = 0, from = o - offset; k < len; k++) out[o + k] = out[from + k]!;
    o += len;
  }
  return o;
}
