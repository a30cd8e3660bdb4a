// Native histogram chunks (encodings 3 = integer, 4 = float histogram), in
// the spirit of Prometheus's tsdb/chunkenc/histogram.go and
// float_histogram.go: the layout (schema, zero threshold, spans, custom
// bounds) once per chunk, then per sample the time as delta of delta and
// every count as delta of delta (integer) or XOR (float), the sum always XOR.
// Layout and bit codes: FORMAT.md §3. A sample whose layout differs from the
// chunk's starts a new chunk (the host decides that; no recoding).
//
// A chunk is one allocation: [header | payload] up to `cap` bytes, 32 bytes
// of read slack, then the appender's state (previous values, deltas, XOR
// windows) so that appending needs no decoding. Only [0, used bytes) is ever
// copied out; a chunk loaded from bytes gets its state back by decoding.

import {
  CHUNK_LEN, ENC_HISTOGRAM, ENC_FLOAT_HISTOGRAM, STATUS_CORRUPT, STATUS_BAD_ENCODING, STATUS_OUT_OF_ORDER, STATUS_CAPACITY,
  H_T, H_COUNT, H_ZERO_COUNT, H_SUM, H_ZERO_THRESHOLD, H_SCHEMA, H_HINT, H_POS_SPANS, H_NEG_SPANS, H_POS_BUCKETS,
  H_NEG_BUCKETS, H_CUSTOM, H_INTEGER, H_FIXED, HIST_HEADER, HIST_MAX_SAMPLES,
} from "./layout";
import { orBits, readBits, clearBits } from "./bits";
import { noteCreated, fail, resetCreated, clearStatus } from "./alloc";

// Header, little-endian.
const HD_ENC = 0;
const HD_HINT = 1;
const HD_SAMPLES = 2;
const HD_CAP = 4;
const HD_END_BIT = 8;
const HD_FIRST_T = 16;
const HD_LAST_T = 24;

const SLACK = 32;
/** Per field of the appender's state: previous value bits, previous delta, XOR leading and trailing zeros. */
const FIELD = 24;
/** State: previous time, previous time delta, then the fields (count, zero count, sum, buckets). */
const STATE_FIXED = 16;
const HINT_NOT_RESET: u8 = 2;
const HINT_GAUGE: u8 = 3;
const CUSTOM_SCHEMA: i32 = -53;

// @ts-ignore: decorator
@inline export function histEncoding(c: usize): i32 { return <i32>load<u8>(c + HD_ENC); }
// @ts-ignore: decorator
@inline export function histSamples(c: usize): i32 { return <i32>load<u16>(c + HD_SAMPLES); }
// @ts-ignore: decorator
@inline export function histCap(c: usize): i32 { return <i32>load<u32>(c + HD_CAP); }
// @ts-ignore: decorator
@inline export function histEndBit(c: usize): i32 { return <i32>load<u32>(c + HD_END_BIT); }
// @ts-ignore: decorator
@inline export function histFirstTime(c: usize): i64 { return load<i64>(c + HD_FIRST_T); }
// @ts-ignore: decorator
@inline export function histLastTime(c: usize): i64 { return load<i64>(c + HD_LAST_T); }

/** Bytes of a chunk that hold data (header and payload). */
export function histUsedBytes(c: usize): i32 {
  return (histEndBit(c) + 7) >>> 3;
}

// ---- bit writer (one chunk at a time; refuses to pass `wlimit`) ----

let wc: usize = 0;
let wpos: i32 = 0;
let wlimit: i32 = 0;
let wover: bool = false;

function put(bits: u64, n: i32): void {
  if (wover) return;
  if (wpos + n > wlimit) {
    wover = true;
    return;
  }
  const v = n == 64 ? bits : bits & ((<u64>1 << <u64>n) - 1);
  wpos = orBits(wc, wpos, v, n);
}

function putUvarint(x: u64): void {
  while (x >= 0x80) {
    put((x & 0x7f) | 0x80, 8);
    x >>= 7;
  }
  put(x, 8);
}

function putVarint(x: i64): void {
  putUvarint(<u64>((x << 1) ^ (x >> 63)));
}

// @ts-ignore: decorator
@inline function bitRange(x: i64, n: i32): bool {
  return -((<i64>1 << <i64>(n - 1)) - 1) <= x && x <= (<i64>1 << <i64>(n - 1));
}

/** Prometheus's putVarbitInt: 0 in one bit, larger magnitudes in wider buckets. */
function putVarbitInt(x: i64): void {
  if (x == 0) put(0, 1);
  else if (bitRange(x, 3)) { put(0b10, 2); put(<u64>x, 3); }
  else if (bitRange(x, 6)) { put(0b110, 3); put(<u64>x, 6); }
  else if (bitRange(x, 9)) { put(0b1110, 4); put(<u64>x, 9); }
  else if (bitRange(x, 12)) { put(0b11110, 5); put(<u64>x, 12); }
  else if (bitRange(x, 18)) { put(0b111110, 6); put(<u64>x, 18); }
  else if (bitRange(x, 25)) { put(0b1111110, 7); put(<u64>x, 25); }
  else if (bitRange(x, 56)) { put(0b11111110, 8); put(<u64>x, 56); }
  else { put(0b11111111, 8); put(<u64>x, 64); }
}

/** Gorilla XOR of the value bits against the field's previous ones (Prometheus's xorWrite). */
function putXor(st: usize, bits: u64): void {
  const delta = bits ^ load<u64>(st);
  store<u64>(st, bits);
  if (delta == 0) {
    put(0, 1);
    return;
  }
  put(1, 1);
  let lead = <u32>clz<u64>(delta);
  const trail = <u32>ctz<u64>(delta);
  if (lead >= 32) lead = 31;
  const curLead = <u32>load<u8>(st + 16), curTrail = <u32>load<u8>(st + 17);
  if (curLead != 0xff && lead >= curLead && trail >= curTrail) {
    put(0, 1);
    put(delta >> <u64>curTrail, 64 - <i32>curLead - <i32>curTrail);
    return;
  }
  store<u8>(st + 16, <u8>lead);
  store<u8>(st + 17, <u8>trail);
  put(1, 1);
  put(<u64>lead, 5);
  const sig = 64 - lead - trail;
  put(<u64>(sig & 63), 6);
  put(delta >> <u64>trail, <i32>sig);
}

// ---- bit reader ----

let rc: usize = 0;
let rpos: i32 = 0;
let rend: i32 = 0;
let rbad: bool = false;

function get(n: i32): u64 {
  if (rbad || rpos + n > rend) {
    rbad = true;
    return 0;
  }
  const v = readBits(rc, rpos, n);
  rpos += n;
  return v;
}

function getUvarint(): u64 {
  let x: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < 10; i++) {
    const b = get(8);
    if (rbad) return 0;
    x |= (b & 0x7f) << shift;
    if (b < 0x80) return x;
    shift += 7;
  }
  rbad = true;
  return 0;
}

function getVarint(): i64 {
  const u = getUvarint();
  return <i64>(u >> 1) ^ -(<i64>(u & 1));
}

function getVarbitInt(): i64 {
  let n = 0;
  while (n < 8 && get(1) == 1) n++;
  if (rbad) return 0;
  let sz = 0;
  switch (n) {
    case 0: return 0;
    case 1: sz = 3; break;
    case 2: sz = 6; break;
    case 3: sz = 9; break;
    case 4: sz = 12; break;
    case 5: sz = 18; break;
    case 6: sz = 25; break;
    case 7: sz = 56; break;
    default: sz = 64;
  }
  const bits = get(sz);
  if (sz == 64) return <i64>bits;
  let v = <i64>bits;
  if (bits > (<u64>1 << <u64>(sz - 1))) v -= <i64>1 << <i64>sz;
  return v;
}

function getXor(st: usize): u64 {
  const prev = load<u64>(st);
  if (get(1) == 0) return prev;
  let lead: u32, trail: u32;
  if (get(1) == 0) {
    lead = <u32>load<u8>(st + 16);
    trail = <u32>load<u8>(st + 17);
    if (lead == 0xff) {
      rbad = true;
      return 0;
    }
  } else {
    lead = <u32>get(5);
    let sig = <u32>get(6);
    if (sig == 0) sig = 64;
    if (lead + sig > 64) {
      rbad = true;
      return 0;
    }
    trail = 64 - lead - sig;
    store<u8>(st + 16, <u8>lead);
    store<u8>(st + 17, <u8>trail);
  }
  const sig = 64 - <i32>lead - <i32>trail;
  const bits = prev ^ (get(sig) << <u64>trail);
  store<u64>(st, bits);
  return bits;
}

// ---- records: the host's flat form of one histogram (see layout.ts H_*) ----

// @ts-ignore: decorator
@inline function rf(r: usize, i: i32): f64 { return load<f64>(r + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function ri(r: usize, i: i32): i32 { return <i32>load<f64>(r + (<usize>i << 3)); }

/** f64 slots of a record. */
export function recordLen(r: usize): i32 {
  return H_FIXED + 2 * (ri(r, H_POS_SPANS) + ri(r, H_NEG_SPANS)) + ri(r, H_POS_BUCKETS) + ri(r, H_NEG_BUCKETS) + ri(r, H_CUSTOM);
}

function bucketCount(r: usize): i32 {
  return ri(r, H_POS_BUCKETS) + ri(r, H_NEG_BUCKETS);
}

/** Slot of the first bucket count in a record. */
function bucketsAt(r: usize): i32 {
  return H_FIXED + 2 * (ri(r, H_POS_SPANS) + ri(r, H_NEG_SPANS));
}

/** Worst-case bytes of a fresh chunk holding just this record. */
function worstBytes(r: usize): i32 {
  const spans = ri(r, H_POS_SPANS) + ri(r, H_NEG_SPANS);
  return HIST_HEADER + 2 + 8 + 20 + spans * 20 + 10 + ri(r, H_CUSTOM) * 8 + 10 + 3 * 10 + 8 + bucketCount(r) * 10 + 16;
}

function stateAt(c: usize): usize {
  return c + <usize>histCap(c) + SLACK;
}

/** A zeroed chunk of `cap` bytes (at least CHUNK_LEN) with room for the state of `fields` fields. */
function histAlloc(cap: i32, fields: i32): usize {
  const total = <usize>cap + SLACK + <usize>(STATE_FIXED + fields * FIELD);
  const c = heap.alloc(total);
  memory.fill(c, 0, total);
  store<u32>(c + HD_CAP, <u32>cap);
  return c;
}

function initState(c: usize, fields: i32): void {
  const st = stateAt(c) + STATE_FIXED;
  for (let k = 0; k < fields; k++) store<u8>(st + <usize>k * FIELD + 16, 0xff);
}

/** Writes the layout of record r at the start of the payload. */
function putLayout(r: usize): void {
  putVarint(<i64>ri(r, H_SCHEMA));
  put(reinterpret<u64>(rf(r, H_ZERO_THRESHOLD)), 64);
  const np = ri(r, H_POS_SPANS), nn = ri(r, H_NEG_SPANS);
  putUvarint(<u64>np);
  for (let k = 0; k < np; k++) {
    putVarint(<i64>ri(r, H_FIXED + 2 * k));
    putUvarint(<u64>ri(r, H_FIXED + 2 * k + 1));
  }
  putUvarint(<u64>nn);
  for (let k = 0; k < nn; k++) {
    putVarint(<i64>ri(r, H_FIXED + 2 * (np + k)));
    putUvarint(<u64>ri(r, H_FIXED + 2 * (np + k) + 1));
  }
  if (ri(r, H_SCHEMA) == CUSTOM_SCHEMA) {
    const nc = ri(r, H_CUSTOM);
    putUvarint(<u64>nc);
    const at = bucketsAt(r) + bucketCount(r);
    for (let k = 0; k < nc; k++) put(reinterpret<u64>(rf(r, at + k)), 64);
  }
}

/** A new chunk holding record r first, its counter-reset header `hint`. 0 when it cannot be allocated. */
function newChunkWith(r: usize, enc: i32, hint: i32): usize {
  const fields = 3 + bucketCount(r);
  let cap = worstBytes(r);
  if (cap < CHUNK_LEN) cap = CHUNK_LEN;
  const c = histAlloc(cap, fields);
  store<u8>(c + HD_ENC, <u8>enc);
  store<u8>(c + HD_HINT, <u8>hint);
  initState(c, fields);
  wc = c;
  wpos = HIST_HEADER * 8;
  wlimit = cap * 8;
  wover = false;
  putLayout(r);
  if (!appendSample(c, r, enc)) {
    heap.free(c);
    return 0;
  }
  return c;
}

/**
 * Encodes sample r at the chunk's end. The writer must be set to the chunk.
 * On running out of room nothing changes (bits cleared, state restored).
 */
function appendSample(c: usize, r: usize, enc: i32): bool {
  const n = histSamples(c);
  const st = stateAt(c);
  const fields = 3 + bucketCount(r);
  const stateBytes = <usize>(STATE_FIXED + fields * FIELD);
  // Backup of the state, for a sample that does not fit.
  const backup = backupFor(<i32>stateBytes);
  memory.copy(backup, st, stateBytes);
  const start = wpos;
  const t = <i64>rf(r, H_T);
  const f = st + STATE_FIXED;
  const b0 = bucketsAt(r);
  const nb = bucketCount(r);
  if (n == 0) {
    putVarint(t);
  } else {
    const dt = t - load<i64>(st);
    if (n == 1) putVarbitInt(dt);
    else putVarbitInt(dt - load<i64>(st + 8));
    store<i64>(st + 8, dt);
  }
  store<i64>(st, t);
  if (enc == ENC_HISTOGRAM) {
    putInt(f, <i64>rf(r, H_COUNT), n, true);
    putInt(f + FIELD, <i64>rf(r, H_ZERO_COUNT), n, true);
    if (n == 0) {
      put(reinterpret<u64>(rf(r, H_SUM)), 64);
      store<u64>(f + 2 * FIELD, reinterpret<u64>(rf(r, H_SUM)));
    } else {
      putXor(f + 2 * FIELD, reinterpret<u64>(rf(r, H_SUM)));
    }
    let prev: i64 = 0;
    for (let k = 0; k < nb; k++) {
      const v = <i64>rf(r, b0 + k);
      const fk = f + <usize>(3 + k) * FIELD;
      if (n == 0) {
        // The first sample's buckets as deltas between neighbours, as Prometheus writes them.
        putVarint(v - prev);
        prev = v;
        store<i64>(fk, v);
      } else {
        putInt(fk, v, n, false);
      }
    }
  } else {
    for (let k = 0; k < 3 + nb; k++) {
      const slot = k == 0 ? H_COUNT : k == 1 ? H_ZERO_COUNT : k == 2 ? H_SUM : b0 + k - 3;
      const bits = reinterpret<u64>(rf(r, slot));
      const fk = f + <usize>k * FIELD;
      if (n == 0) {
        put(bits, 64);
        store<u64>(fk, bits);
      } else {
        putXor(fk, bits);
      }
    }
  }
  if (wover) {
    // Clear what was written and restore the state.
    clearBits(c, start, wpos - start);
    memory.copy(st, backup, stateBytes);
    wpos = start;
    wover = false;
    return false;
  }
  store<u32>(c + HD_END_BIT, <u32>wpos);
  store<u16>(c + HD_SAMPLES, <u16>(n + 1));
  if (n == 0) store<i64>(c + HD_FIRST_T, t);
  store<i64>(c + HD_LAST_T, t);
  return true;
}

let backupBuf: usize = 0;
let backupCap: i32 = 0;

function backupFor(bytes: i32): usize {
  if (bytes > backupCap) {
    if (backupBuf != 0) heap.free(backupBuf);
    backupBuf = heap.alloc(<usize>bytes);
    backupCap = bytes;
  }
  return backupBuf;
}

/** An integer count: uvarint first, then delta, then delta of deltas (varbit). */
function putInt(fk: usize, v: i64, n: i32, first: bool): void {
  const prev = load<i64>(fk);
  if (n == 0) {
    if (first) putUvarint(<u64>v);
    store<i64>(fk, v);
    return;
  }
  const d = v - prev;
  if (n == 1) putVarbitInt(d);
  else putVarbitInt(d - load<i64>(fk + 8));
  store<i64>(fk, v);
  store<i64>(fk + 8, d);
}

// ---- appending ----

/**
 * Appends record r to chunk c (0 = none yet). `cut` >= 0 starts a new chunk
 * with that counter-reset header; a full chunk starts one too (header "not
 * a reset", or gauge for a gauge chunk). Returns the chunk that took the
 * sample (c or a new one, noted as created for `slot`), 0 on failure.
 */
export function histAppend(c: usize, r: usize, enc: i32, cut: i32, slot: i32): usize {
  if (enc != ENC_HISTOGRAM && enc != ENC_FLOAT_HISTOGRAM) return fail(STATUS_BAD_ENCODING);
  const t = <i64>rf(r, H_T);
  if (c != 0 && cut < 0) {
    if (histEncoding(c) != enc) return fail(STATUS_BAD_ENCODING);
    if (t <= histLastTime(c)) return fail(STATUS_OUT_OF_ORDER);
    if (histSamples(c) < HIST_MAX_SAMPLES) {
      wc = c;
      wpos = histEndBit(c);
      wlimit = histCap(c) * 8;
      wover = false;
      if (appendSample(c, r, enc)) return c;
    }
    cut = <i32>load<u8>(c + HD_HINT) == HINT_GAUGE ? HINT_GAUGE : HINT_NOT_RESET;
  }
  const fresh = newChunkWith(r, enc, cut < 0 ? 0 : cut);
  if (fresh == 0) return fail(STATUS_CAPACITY);
  noteCreated(slot, fresh);
  return fresh;
}

/**
 * Appends a batch: n records, each [slot, cut, enc] then a histogram record,
 * back to back at recs. `heads` is a u32 table of each slot's open
 * histogram chunk. Created chunks are listed at createdPtr(). Returns how
 * many records were appended (fewer than n: see status()).
 */
export function histAppendBatch(heads: usize, recs: usize, n: i32): i32 {
  resetCreated();
  clearStatus();
  let r = recs;
  for (let i = 0; i < n; i++) {
    const slot = <i32>load<f64>(r);
    const cut = <i32>load<f64>(r + 8);
    const enc = <i32>load<f64>(r + 16);
    const rec = r + 24;
    const hp = heads + (<usize>slot << 2);
    const c = <usize>load<u32>(hp);
    const got = histAppend(c, rec, enc, cut, slot);
    if (got == 0) return i;
    store<u32>(hp, <u32>got);
    r = rec + (<usize>recordLen(rec) << 3);
  }
  return n;
}

// ---- decoding ----

let out: usize = 0;
let outCap: i32 = 0;
let outLen: i32 = 0;

function reserve(k: i32): bool {
  if (outLen + k <= outCap) return true;
  let cap = outCap == 0 ? 4096 : outCap * 2;
  while (cap < outLen + k) cap *= 2;
  out = out == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(out, <usize>cap << 3);
  outCap = cap;
  return true;
}

// @ts-ignore: decorator
@inline function emit(v: f64): void {
  store<f64>(out + (<usize>outLen << 3), v);
  outLen++;
}

/** Layout read from a chunk: spans and custom bounds, kept for its samples' records. */
let layoutAt: usize = 0;
let layoutCap: i32 = 0;
let nPosSpans = 0;
let nNegSpans = 0;
let nPos = 0;
let nNeg = 0;
let nCustom = 0;
let schema = 0;
let zeroThreshold: f64 = 0;

function layoutSlot(k: i32): usize {
  if (k >= layoutCap) {
    let cap = layoutCap == 0 ? 256 : layoutCap * 2;
    while (cap <= k) cap *= 2;
    layoutAt = layoutAt == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(layoutAt, <usize>cap << 3);
    layoutCap = cap;
  }
  return layoutAt + (<usize>k << 3);
}

const MAX_BUCKETS = 1 << 20;

/** A count from the layout: a uvarint no larger than MAX_BUCKETS (else the chunk is corrupt). */
function count(): i32 {
  const u = getUvarint();
  if (u > <u64>MAX_BUCKETS) {
    rbad = true;
    return 0;
  }
  return <i32>u;
}

function readLayout(): bool {
  schema = <i32>getVarint();
  zeroThreshold = reinterpret<f64>(get(64));
  nPosSpans = count();
  if (rbad) return false;
  nPos = 0;
  for (let k = 0; k < nPosSpans; k++) {
    store<f64>(layoutSlot(2 * k), <f64><i32>getVarint());
    const len = count();
    store<f64>(layoutSlot(2 * k + 1), <f64>len);
    nPos += len;
    if (rbad || nPos > MAX_BUCKETS) return false;
  }
  nNegSpans = count();
  if (rbad) return false;
  nNeg = 0;
  for (let k = 0; k < nNegSpans; k++) {
    store<f64>(layoutSlot(2 * (nPosSpans + k)), <f64><i32>getVarint());
    const len = count();
    store<f64>(layoutSlot(2 * (nPosSpans + k) + 1), <f64>len);
    nNeg += len;
    if (rbad || nNeg > MAX_BUCKETS) return false;
  }
  nCustom = 0;
  if (schema == CUSTOM_SCHEMA) {
    nCustom = count();
    if (rbad) return false;
    const at = 2 * (nPosSpans + nNegSpans);
    for (let k = 0; k < nCustom; k++) store<f64>(layoutSlot(at + k), reinterpret<f64>(get(64)));
  }
  return !rbad;
}

/** Scratch state for decoding (same shape as a chunk's appender state). */
let dstate: usize = 0;
let dstateCap: i32 = 0;

function decodeState(fields: i32): usize {
  const bytes = STATE_FIXED + fields * FIELD;
  if (bytes > dstateCap) {
    if (dstate != 0) heap.free(dstate);
    dstate = heap.alloc(<usize>bytes);
    dstateCap = bytes;
  }
  memory.fill(dstate, 0, <usize>bytes);
  for (let k = 0; k < fields; k++) store<u8>(dstate + STATE_FIXED + <usize>k * FIELD + 16, 0xff);
  return dstate;
}

/**
 * Decodes chunk c into state `st`, emitting records of samples within
 * [mint, maxt] when `emitting`. Returns 0 or a negative status.
 */
function decodeChunk(c: usize, st: usize, mint: i64, maxt: i64, emitting: bool): i32 {
  const enc = histEncoding(c);
  if (enc != ENC_HISTOGRAM && enc != ENC_FLOAT_HISTOGRAM) return STATUS_CORRUPT;
  const cap = histCap(c);
  const end = histEndBit(c);
  const n = histSamples(c);
  if (cap < CHUNK_LEN || end > cap * 8 || end < HIST_HEADER * 8) return STATUS_CORRUPT;
  rc = c;
  rpos = HIST_HEADER * 8;
  rend = end;
  rbad = false;
  if (!readLayout()) return STATUS_CORRUPT;
  const nb = nPos + nNeg;
  // The state was sized by this bound before the layout was known.
  if (3 + nb > fieldsBound(c)) return STATUS_CORRUPT;
  const f = st + STATE_FIXED;
  const hint = <i32>load<u8>(c + HD_HINT);
  for (let i = 0; i < n; i++) {
    let t: i64;
    if (i == 0) t = getVarint();
    else {
      let dt = getVarbitInt();
      if (i > 1) dt += load<i64>(st + 8);
      store<i64>(st + 8, dt);
      t = load<i64>(st) + dt;
    }
    store<i64>(st, t);
    if (enc == ENC_HISTOGRAM) {
      getInt(f, i, true);
      getInt(f + FIELD, i, true);
      if (i == 0) store<u64>(f + 2 * FIELD, get(64));
      else getXor(f + 2 * FIELD);
      let prev: i64 = 0;
      for (let k = 0; k < nb; k++) {
        const fk = f + <usize>(3 + k) * FIELD;
        if (i == 0) {
          prev += getVarint();
          store<i64>(fk, prev);
        } else {
          getInt(fk, i, false);
        }
      }
    } else {
      for (let k = 0; k < 3 + nb; k++) {
        const fk = f + <usize>k * FIELD;
        if (i == 0) store<u64>(fk, get(64));
        else getXor(fk);
      }
    }
    if (rbad) return STATUS_CORRUPT;
    if (!emitting || t < mint) continue;
    if (t > maxt) return 1;
    reserve(H_FIXED + 2 * (nPosSpans + nNegSpans) + nb + nCustom);
    emit(<f64>t);
    if (enc == ENC_HISTOGRAM) {
      emit(<f64>load<i64>(f));
      emit(<f64>load<i64>(f + FIELD));
    } else {
      emit(reinterpret<f64>(load<u64>(f)));
      emit(reinterpret<f64>(load<u64>(f + FIELD)));
    }
    emit(reinterpret<f64>(load<u64>(f + 2 * FIELD)));
    emit(zeroThreshold);
    emit(<f64>schema);
    // Inside a chunk there is no counter reset after the first sample.
    emit(<f64>(hint == HINT_GAUGE ? HINT_GAUGE : i == 0 ? hint : HINT_NOT_RESET));
    emit(<f64>nPosSpans);
    emit(<f64>nNegSpans);
    emit(<f64>nPos);
    emit(<f64>nNeg);
    emit(<f64>nCustom);
    emit(enc == ENC_HISTOGRAM ? 1 : 0);
    for (let k = 0; k < 2 * (nPosSpans + nNegSpans); k++) emit(load<f64>(layoutAt + (<usize>k << 3)));
    for (let k = 0; k < nb; k++) {
      const fk = f + <usize>(3 + k) * FIELD;
      emit(enc == ENC_HISTOGRAM ? <f64>load<i64>(fk) : reinterpret<f64>(load<u64>(fk)));
    }
    const at = 2 * (nPosSpans + nNegSpans);
    for (let k = 0; k < nCustom; k++) emit(load<f64>(layoutAt + (<usize>(at + k) << 3)));
  }
  return rpos == end ? 0 : STATUS_CORRUPT;
}

function getInt(fk: usize, i: i32, first: bool): void {
  if (i == 0) {
    if (first) store<i64>(fk, <i64>getUvarint());
    return;
  }
  let d = getVarbitInt();
  if (i > 1) d += load<i64>(fk + 8);
  store<i64>(fk + 8, d);
  store<i64>(fk, load<i64>(fk) + d);
}

/**
 * Decodes the samples within [mint, maxt] of a list of histogram chunks (u32
 * pointers, time order) into records at histDecoded(). Returns the number of
 * f64 slots written, or a negative status.
 */
export function histDecode(list: usize, n: i32, mint: f64, maxt: f64): i32 {
  outLen = 0;
  reserve(64);
  const lo = <i64>mint, hi = <i64>maxt;
  for (let k = 0; k < n; k++) {
    const c = <usize>load<u32>(list + (<usize>k << 2));
    if (histLastTime(c) < lo && histSamples(c) > 0) continue;
    if (histFirstTime(c) > hi) break;
    const st = decodeState(fieldsBound(c));
    const r = decodeChunk(c, st, lo, hi, true);
    if (r < 0) return r;
    if (r == 1) break;
  }
  return outLen;
}

/** Fields a chunk can have, known before its layout is read: each bucket takes at least a byte in the first sample. */
function fieldsBound(c: usize): i32 {
  return 3 + (histEndBit(c) >>> 3);
}

export function histDecoded(): usize {
  return out;
}

/**
 * A chunk in new memory from `len` stored bytes at src, with its appender
 * state rebuilt, so appending can continue. 0 (status CORRUPT) for bytes
 * that do not decode.
 */
export function histFromBytes(src: usize, len: i32): usize {
  clearStatus();
  if (len < HIST_HEADER) return fail(STATUS_CORRUPT);
  const cap = <i32>load<u32>(src + HD_CAP);
  const end = <i32>load<u32>(src + HD_END_BIT);
  if (cap < CHUNK_LEN || cap > (1 << 26) || end > cap * 8 || (end + 7) >>> 3 != len) return fail(STATUS_CORRUPT);
  // The bucket count is known only after reading the layout: decode into scratch state first.
  const tmp = heap.alloc(<usize>cap + SLACK);
  memory.fill(tmp, 0, <usize>cap + SLACK);
  memory.copy(tmp, src, <usize>len);
  const st0 = decodeState(fieldsBound(tmp));
  const r0 = decodeChunk(tmp, st0, i64.MIN_VALUE, i64.MAX_VALUE, false);
  if (r0 < 0) {
    heap.free(tmp);
    return fail(STATUS_CORRUPT);
  }
  const fields = 3 + nPos + nNeg;
  const c = histAlloc(cap, fields);
  memory.copy(c, tmp, <usize>len);
  heap.free(tmp);
  memory.copy(stateAt(c), st0, <usize>(STATE_FIXED + fields * FIELD));
  return c;
}

/** Frees a histogram chunk. */
export function histFree(c: usize): void {
  heap.free(c);
}
