// The native histogram samples of one remote-write TimeSeries, appended
// after its float samples. Refusals (out of order, invalid histogram) go to
// `reject` one by one, as float samples' do.

import type { Appender } from '../storage/interfaces.js';
import type { WriteRequestReader } from './write-decoder.js';
import { decodeHistogram } from './histogram-proto.js';

/** Appends the current series' histograms; returns how many were appended, or -1 when the storage takes none. */
export function appendSeriesHistograms(app: Appender, reader: WriteRequestReader, reject: (e: unknown, n: number) => void): number {
  const ranges = reader.histogramRanges;
  if (ranges.length === 0) return 0;
  // Decoded before anything is appended: a malformed message fails the whole request.
  const decoded = [];
  for (let i = 0; i < ranges.length; i += 2) decoded.push(decodeHistogram(reader.buf, ranges[i]!, ranges[i + 1]!));
  if (!app.appendHistogram) return -1;
  const labels = reader.labels();
  let ref: number | undefined;
  let appended = 0;
  for (const { t, h } of decoded) {
    try {
      ref = ref === undefined ? app.appendHistogram(labels, t, h) : app.appendHistogram(ref, t, h);
      appended++;
    } catch (e) {
      reject(e, 1);
    }
  }
  return appended;
}
