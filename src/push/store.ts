// The Pushgateway API (PUT/POST/DELETE /metrics/job/<job>{/<label>/<value>}):
// pushed groups are kept and recorded into the database at push time and
// at every recording interval, as Prometheus scraping a Pushgateway would
// see them; replaced or deleted series end with staleness markers.

import type { Appendable, Appender } from '../storage/interfaces.js';
import { UnknownSeriesError } from '../storage/errors.js';
import { type Label, type Labels, compareStrings, labelsKey } from '../model/labels.js';
import { appendStaleMarkers, vanished } from '../storage/staleness.js';
import { parseExposition } from '../exposition/parse.js';

export class PushError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'PushError';
  }
}

interface PushedSeries {
  /** Labels without the metric name. */
  labels: Labels;
  value: number;
  /** The labels with __name__, once built. */
  named?: Labels;
  /** Series ref once recorded, so recording every interval appends by ref. */
  ref: number;
}

interface Group {
  key: Labels;
  /** Series by metric name, each with its labels and value. */
  families: Map<string, PushedSeries[]>;
  pushTime: number;
  failureTime: number;
}

function b64url(s: string): string {
  if (s === '=') return '';
  const norm = s.replace(/-/g, '+').replace(/_/g, '/');
  try {
    const bin = atob(norm + '='.repeat((4 - (norm.length % 4)) % 4));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw new PushError(400, `invalid base64 encoding in label value ${JSON.stringify(s)}`);
  }
}

/** The grouping key of a push path (after /metrics/). */
export function groupingKey(path: string): Labels {
  const parts = path.split('/').filter((p, i, a) => p !== '' || i < a.length - 1).map((p) => decodeURIComponent(p));
  if (parts.length < 2 || parts.length % 2 !== 0) throw new PushError(400, `invalid grouping path ${JSON.stringify(path)}: want job/<job>{/<label>/<value>}`);
  const out: Label[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    let name = parts[i]!;
    let value = parts[i + 1]!;
    if (name.endsWith('@base64')) {
      name = name.slice(0, -7);
      value = b64url(value);
    }
    if (i === 0 && name !== 'job') throw new PushError(400, 'the grouping key must start with job');
    if (name.startsWith('__')) throw new PushError(400, `label name ${JSON.stringify(name)} is reserved`);
    if (name === 'job' && value === '') throw new PushError(400, 'job name is required');
    out.push({ name, value });
  }
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

const withName = (name: string, ls: Labels): Labels =>
  [{ name: '__name__', value: name }, ...ls].sort((a, b) => compareStrings(a.name, b.name));

export class PushStore {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly db: Appendable) {}

  /** PUT (replace the group) or POST (replace the pushed metric names) at time t. */
  async push(path: string, body: string, replaceAll: boolean, t: number): Promise<void> {
    const key = groupingKey(path);
    const gk = labelsKey(key);
    let group = this.groups.get(gk);
    if (!group) {
      group = { key, families: new Map(), pushTime: 0, failureTime: 0 };
      this.groups.set(gk, group);
    }
    let parsed;
    try {
      parsed = parseExposition(body, 'text');
      const stamped = parsed.samples.find((s) => s.timestamp !== undefined);
      if (stamped) throw new PushError(400, `pushed metrics must not have timestamps (line ${stamped.line})`);
    } catch (e) {
      group.failureTime = t;
      await this.record(t, [group]);
      if (e instanceof PushError) throw e;
      throw new PushError(400, (e as Error).message);
    }
    const pushed = new Map<string, PushedSeries[]>();
    for (const s of parsed.samples) {
      const name = s.labels.find((l) => l.name === '__name__')!.value;
      // Grouping labels override the pushed ones; a missing instance stays empty, so a scrape does not add one.
      const m = new Map(s.labels.filter((l) => l.name !== '__name__').map((l) => [l.name, l.value]));
      for (const l of key) m.set(l.name, l.value);
      const labels = [...m].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value })).sort((a, b) => compareStrings(a.name, b.name));
      // Grouped in one pass: appending to the name's array, never copying it.
      let family = pushed.get(name);
      if (!family) pushed.set(name, (family = []));
      family.push({ labels, value: s.value, ref: -1 });
    }
    const before = this.seriesOf(group);
    if (replaceAll) group.families = pushed;
    else for (const [name, series] of pushed) group.families.set(name, series);
    group.families.delete('push_time_seconds');
    group.families.delete('push_failure_time_seconds');
    group.pushTime = t;
    await this.record(t, [group], before);
  }

  /** DELETE: the group's series end now. */
  async delete(path: string, t: number): Promise<void> {
    const gk = labelsKey(groupingKey(path));
    const group = this.groups.get(gk);
    if (!group) return;
    this.groups.delete(gk);
    const app = this.db.appender();
    appendStaleMarkers(app, this.seriesOf(group, true).values(), t);
    await app.commit();
  }

  private seriesOf(group: Group, withPushTimes = false): Map<string, Labels> {
    const out = new Map<string, Labels>();
    for (const [name, series] of group.families) for (const s of series) {
      const ls = (s.named ??= withName(name, s.labels));
      out.set(labelsKey(ls), ls);
    }
    if (withPushTimes) {
      for (const n of ['push_time_seconds', 'push_failure_time_seconds']) {
        const ls = withName(n, group.key);
        out.set(labelsKey(ls), ls);
      }
    }
    return out;
  }

  /** Appends every group's current values at t (what a scrape of the gateway would store). */
  async record(t: number, groups: Iterable<Group> = this.groups.values(), before?: Map<string, Labels>): Promise<void> {
    const app = this.db.appender();
    const now = new Set<string>();
    for (const g of groups) {
      for (const [name, series] of g.families) {
        for (const s of series) {
          const ls = (s.named ??= withName(name, s.labels));
          if (before) now.add(labelsKey(ls));
          try {
            s.ref = appendPushed(app, s, ls, t);
          } catch {
            // A second push within the same millisecond keeps the first value.
          }
        }
      }
      for (const [n, v] of [['push_time_seconds', g.pushTime / 1000], ['push_failure_time_seconds', g.failureTime / 1000]] as const) {
        try {
          app.append(withName(n, g.key), t, v);
        } catch {
          // Same millisecond as the last record.
        }
      }
    }
    if (before) appendStaleMarkers(app, vanished(before, now), t);
    await app.commit();
  }
}

/** Appends by the series' ref, or by labels before it has one or once its series is gone. */
function appendPushed(app: Appender, s: PushedSeries, labels: Labels, t: number): number {
  if (s.ref >= 0) {
    try {
      return app.append(s.ref, t, s.value);
    } catch (e) {
      if (!(e instanceof UnknownSeriesError)) throw e;
    }
  }
  return app.append(labels, t, s.value);
}
