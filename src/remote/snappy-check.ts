// A linear pass over a snappy block (the raw format remote write uses)
// checking every element against the input and the declared length, before
// the decoder runs: snappyjs trusts a literal's length, so six bytes that
// declare a 3 GB literal keep it copying for seconds.

/** Why the block is malformed, or null when every element fits. */
export function snappyBlockProblem(b: Uint8Array, maxLength: number): string | null {
  let i = 0;
  let total = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= b.length) return 'truncated length header';
    if (shift > 28) return 'length header too long';
    const c = b[i++]!;
    total += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
  }
  if (total > maxLength) return `decoded length ${total} is larger than the limit of ${maxLength} bytes`;
  let out = 0;
  while (i < b.length) {
    const tag = b[i++]!;
    let len: number;
    let offset = 0;
    switch (tag & 3) {
      case 0: {
        len = (tag >> 2) + 1;
        if (len > 60) {
          const extra = len - 60;
          if (i + extra > b.length) return `truncated literal length at byte ${i}`;
          len = 0;
          for (let k = 0; k < extra; k++) len += b[i + k]! * 2 ** (8 * k);
          len += 1;
          i += extra;
        }
        if (i + len > b.length) return `literal of ${len} bytes at byte ${i} runs past the input`;
        i += len;
        break;
      }
      case 1:
        if (i + 1 > b.length) return `truncated copy at byte ${i}`;
        len = ((tag >> 2) & 7) + 4;
        offset = ((tag >> 5) << 8) | b[i]!;
        i += 1;
        break;
      case 2:
        if (i + 2 > b.length) return `truncated copy at byte ${i}`;
        len = (tag >> 2) + 1;
        offset = b[i]! | (b[i + 1]! << 8);
        i += 2;
        break;
      default:
        if (i + 4 > b.length) return `truncated copy at byte ${i}`;
        len = (tag >> 2) + 1;
        offset = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 2 ** 24;
        i += 4;
    }
    if ((tag & 3) !== 0 && (offset === 0 || offset > out)) return `copy offset ${offset} at byte ${i} reaches before the start`;
    out += len;
    if (out > total) return `elements decode to more than the declared ${total} bytes`;
  }
  return out === total ? null : `elements decode to ${out} bytes, the header declares ${total}`;
}
