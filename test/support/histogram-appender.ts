// An Appendable over a real DB whose appenders also take native histograms,
// kept in a list: scrapes and receivers can be tested before the storage
// keeps histograms itself.

import type { DB } from '../../src/index.js';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { type Labels, labelsFrom, labelsKey } from '../../src/model/labels.js';
import type { Appendable, Appender, SeriesRef } from '../../src/storage/interfaces.js';

export interface RecordedHistogram {
  labels: Record<string, string>;
  t: number;
  h: FloatHistogram;
}

export function recordingAppendable(db: DB): Appendable & { histograms: RecordedHistogram[] } {
  const histograms: RecordedHistogram[] = [];
  const byRef: Labels[] = [];
  const refs = new Map<string, number>();
  return {
    histograms,
    appender(): Appender {
      const app = db.appender();
      const pending: RecordedHistogram[] = [];
      const commit = app.commit.bind(app);
      const rollback = app.rollback.bind(app);
      app.appendHistogram = (series: unknown, t: number, h: FloatHistogram): SeriesRef => {
        let labels: Labels;
        if (typeof series === 'number') labels = byRef[series - 1e9]!;
        else labels = Array.isArray(series) ? (series as Labels) : labelsFrom(series as Record<string, string>);
        const key = labelsKey(labels);
        let ref = refs.get(key);
        if (ref === undefined) {
          byRef.push(labels);
          ref = 1e9 + byRef.length - 1;
          refs.set(key, ref);
        }
        pending.push({ labels: Object.fromEntries(labels.map((l) => [l.name, l.value])), t, h: structuredClone(h) });
        return ref;
      };
      app.commit = async () => {
        histograms.push(...pending);
        pending.length = 0;
        await commit();
      };
      app.rollback = () => {
        pending.length = 0;
        rollback();
      };
      return app;
    },
  } as Appendable & { histograms: RecordedHistogram[] };
}
