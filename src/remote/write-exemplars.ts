// Exemplars of a remote-write 1.0 request (Prometheus sends them with
// send_exemplars: true) into the exemplar store of the database written to.
// Refused ones (out of order, too long, invalid labels) are counted by the
// store and otherwise dropped, as Prometheus does.

import { InvalidLabelsError, labelsFrom } from '../model/labels.js';
import { addExemplar } from '../storage/exemplars.js';

type Pairs = { name: string; value: string }[] | undefined;
type Int64 = number | { toNumber(): number } | undefined;

export interface SeriesWithExemplars {
  labels?: Pairs;
  exemplars?: { labels?: Pairs; value?: number; timestamp?: Int64 }[];
}

const record = (ls: Pairs) => Object.fromEntries((ls ?? []).map((l) => [l.name, l.value ?? '']));

export function addRemoteWriteExemplars(db: object, timeseries: readonly SeriesWithExemplars[]): void {
  for (const ts of timeseries) {
    if (!ts.exemplars?.length) continue;
    let series;
    try {
      series = labelsFrom(record(ts.labels));
    } catch (e) {
      if (e instanceof InvalidLabelsError) continue;
      throw e;
    }
    for (const ex of ts.exemplars) {
      try {
        const timestamp = typeof ex.timestamp === 'object' ? ex.timestamp.toNumber() : (ex.timestamp ?? 0);
        addExemplar(db, series, { labels: labelsFrom(record(ex.labels)), value: ex.value ?? 0, timestamp });
      } catch (e) {
        if (!(e instanceof InvalidLabelsError)) throw e;
      }
    }
  }
}
