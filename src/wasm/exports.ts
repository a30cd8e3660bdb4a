// The typed surface of assembly/index.ts as the host sees it.

export interface CoreExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  chunkLen(): number;
  alloc(size: number): number;
  free(ptr: number): void;
  status(): number;
  chunkNew(enc: number): number;
  chunkFree(ptr: number): void;
  appendBatch(heads: number, recs: number, n: number, enc: number): number;
  createdPtr(): number;
  createdCount(): number;
  encodeSeries(ts: number, vs: number, n: number, enc: number): number;
  chunkSamples(ptr: number, enc: number): number;
  chunkMinTime(ptr: number, enc: number): number;
  chunkMaxTime(ptr: number, enc: number): number;
  decodeRange(list: number, n: number, enc: number, mint: number, maxt: number, skipStale: number): number;
  decodedTimes(): number;
  decodedValues(): number;
  reduceRange(list: number, n: number, enc: number, mint: number, maxt: number, out: number): number;
  histAppendBatch(heads: number, recs: number, n: number): number;
  histDecode(list: number, n: number, mint: number, maxt: number): number;
  histDecoded(): number;
  histFromBytes(src: number, len: number): number;
  histFree(ptr: number): void;
  reduceWindows(list: number, n: number, enc: number, firstMin: number, firstMax: number, step: number, steps: number, out: number): number;
  floatTexts(vals: number, n: number, out: number, ends: number): number;
  columnTexts(vals: number, present: number, steps: number, prefixBytes: number, offsets: number, out: number): number;
}
