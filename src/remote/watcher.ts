// Reads the write-ahead log's records as they are written and hands them to
// the remote_write queues (Prometheus's WAL watcher). When a queue is full
// the watcher waits, so it lags behind the log instead of dropping samples.

import { decodeRecord } from '../storage/wal-records.js';
import type { QueueManager } from './queue-manager.js';
import type { Labels } from '../model/labels.js';

/** A reader of log records from some position onwards. */
export interface RecordTail {
  /** The next record, or null when none is there yet. */
  next(): Uint8Array | null;
  /** Resolves when new records may be there (or after a poll interval). */
  wait(): Promise<void>;
  close(): void;
}

export class WalWatcher {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  /** Series read so far, so a queue added later (a reload) learns them too. */
  private readonly series = new Map<number, Labels>();
  records = 0;

  constructor(private readonly tail: RecordTail, private queues: QueueManager[]) {}

  /**
   * Series the log already named before this watcher's starting point (a
   * reader that starts at the end of the log never sees their records).
   */
  knowSeries(series: Iterable<[number, Labels]>): void {
    for (const [id, labels] of series) {
      this.series.set(id, labels);
      for (const q of this.queues) q.setSeries(id, labels);
    }
  }

  /** Replaces the queues fed from here on; new ones are told every series read so far. */
  setQueues(queues: QueueManager[]): void {
    for (const q of queues) {
      if (this.queues.includes(q)) continue;
      for (const [id, labels] of this.series) q.setSeries(id, labels);
    }
    this.queues = queues;
  }

  start(): void {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const rec = this.tail.next();
      if (rec === null) {
        await this.tail.wait();
        continue;
      }
      this.records++;
      const r = decodeRecord(rec);
      if (r.kind === 'series') {
        this.series.set(r.id, r.labels);
        for (const q of this.queues) q.setSeries(r.id, r.labels);
      }
      // Deletions are not sent: remote write 1.0 has no way to say them.
      else if (r.kind === 'samples') for (const q of this.queues) await q.append(r.ids, r.ts, r.vs, r.sts);
      else if (r.kind === 'histograms') for (const q of this.queues) await q.appendHistograms(Uint32Array.from(r.ids), Float64Array.from(r.ts), r.hs);
    }
  }

  /** Stops reading, gives the queues `timeout` ms to send what they hold, and stops them. */
  async stop(timeout = 5000): Promise<void> {
    this.stopped = true;
    this.tail.close();
    await Promise.all(this.queues.map((q) => q.stop(timeout)));
    await this.done;
  }

  get current(): readonly QueueManager[] {
    return this.queues;
  }
}

/**
 * A log kept in memory for remote write when the database has no data
 * directory: commits write their records here and the watcher takes them.
 * Bounded: past maxBytes the oldest records are dropped, and counted.
 */
export class MemoryWal implements RecordTail {
  private readonly records: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  private wakers: (() => void)[] = [];
  dropped = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  write(records: Uint8Array[]): void {
    for (const r of records) {
      this.records.push(r);
      this.bytes += r.length;
    }
    while (this.bytes > this.maxBytes && this.head < this.records.length) {
      this.bytes -= this.records[this.head++]!.length;
      this.dropped++;
    }
    this.compact();
    for (const w of this.wakers.splice(0)) w();
  }

  next(): Uint8Array | null {
    if (this.head >= this.records.length) return null;
    const r = this.records[this.head++]!;
    this.bytes -= r.length;
    this.compact();
    return r;
  }

  /** Lets go of records already taken or dropped, once they are most of the array. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
  }

  wait(): Promise<void> {
    return new Promise((r) => {
      this.wakers.push(r);
      setTimeout(r, 1000);
    });
  }

  close(): void {
    for (const w of this.wakers.splice(0)) w();
  }
}
