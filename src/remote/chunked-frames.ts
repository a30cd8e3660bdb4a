// The framing of STREAMED_XOR_CHUNKS responses (storage/remote/chunked.go):
// each message is a uvarint size, a big-endian CRC-32 (Castagnoli) of the
// message, then the message.

import CRC32C from 'crc-32/crc32c.js';

const crc32c = (b: Uint8Array): number => CRC32C.buf(b) >>> 0;

export function frame(msg: Uint8Array): Uint8Array {
  const head: number[] = [];
  let n = msg.length;
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  head.push(n);
  const out = new Uint8Array(head.length + 4 + msg.length);
  out.set(head);
  new DataView(out.buffer).setUint32(head.length, crc32c(msg), false);
  out.set(msg, head.length + 4);
  return out;
}

/** Splits a stream's bytes into messages, checking sizes against `sizeLimit` and every checksum. */
export function* readFrames(buf: Uint8Array, sizeLimit: number): Generator<Uint8Array> {
  let o = 0;
  while (o < buf.length) {
    let size = 0, mul = 1, b: number;
    do {
      if (o >= buf.length) throw new Error('chunked read response: truncated frame size');
      b = buf[o++]!;
      size += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    if (size > sizeLimit) throw new Error(`chunkedReader: message size exceeded the limit ${sizeLimit} bytes; got: ${size} bytes`);
    if (o + 4 + size > buf.length) throw new Error('chunked read response: truncated frame');
    const want = new DataView(buf.buffer, buf.byteOffset + o, 4).getUint32(0, false);
    const msg = buf.subarray(o + 4, o + 4 + size);
    if (crc32c(msg) !== want) throw new Error('chunkedReader: corrupted frame; checksum mismatch');
    yield msg;
    o += 4 + size;
  }
}
