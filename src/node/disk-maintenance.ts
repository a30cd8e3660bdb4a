// The background work of a data directory after commits: cutting blocks
// from the head, merging blocks, retention, and holding committers back
// when the head outgrows its span.
//
// Cutting and merging run as two separate loops, a series at a time between
// other work: a long merge (three 54 h blocks into one of 162 h) never keeps
// the head waiting for its next cut, which is what bounds the head's
// memory. Where commits arrive faster than a cut can write the head's
// oldest range (a backfill through the appender, a writer at many times real
// time), a commit, once logged and applied, waits before it returns until
// the cut under way is done (see `HOLD_RANGES`). At scrape speed a cut takes
// a fraction of a block range and nothing waits.

import type { DB } from '../storage/db.js';
import { DEFAULT_BLOCK_RANGE } from '../storage/compact.js';
import {
  type BlockPolicy, applyBlockSizeRetention, applyBlockTimeRetention, compactBlocksAsync, cutHeadBlocksAsync, headNeedsCut,
} from './disk-blocks.js';

/**
 * Block ranges the head may span before commits wait for the cut under way
 * (a cut starts past 1.5). The head's WebAssembly memory stays within about
 * this span of the active series' data, whatever the writer's speed.
 */
export const HOLD_RANGES = 3;

export interface DiskMaintenanceOptions extends BlockPolicy {
  retentionMs: number;
  retentionSize: number;
  /** Bytes the head's files (chunk files and log) take now, for size retention. */
  headDirBytes: () => number;
  /** After each cut: the head let go of a range, so a checkpoint lets the log before it go. */
  afterCut: () => void;
  warn: (m: string) => void;
}

export class DiskMaintenance {
  private cutting: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private compactAgain = false;
  private stopped = false;
  private readonly pause = () => new Promise<void>((r) => setTimeout(r, 1));
  /** Commits held back, and the milliseconds they waited in all. */
  readonly held = { commits: 0, ms: 0 };

  constructor(private readonly dataDir: string, private readonly db: DB, private readonly opts: DiskMaintenanceOptions) {
    db.onCommitted = () => this.afterCommit();
    db.commitHold = () => this.hold();
  }

  /** Whether a cut or a merge is under way (swaps of the set of blocks must not race them). */
  get busy(): boolean {
    return this.cutting !== null || this.compacting !== null;
  }

  /** Settles when no cut, merge or retention is under way. */
  async settled(): Promise<void> {
    while (this.cutting || this.compacting) await (this.cutting ?? this.compacting);
  }

  /** No new work starts; settles when the work under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.db.onCommitted = null;
    this.db.commitHold = null;
    await this.settled();
  }

  private afterCommit(): void {
    if (this.cutting || this.stopped || !headNeedsCut(this.db, this.opts)) return;
    this.cutting = this.cutLoop()
      // The commits are in the log and the head; cutting is tried again after the next one.
      .catch((e) => this.opts.warn(`cutting a block from the head of ${this.dataDir} failed: ${(e as Error).message}`))
      .finally(() => (this.cutting = null));
  }

  /** What a commit waits for: the cut under way, once the head spans HOLD_RANGES block ranges. */
  private hold(): Promise<void> | null {
    if (!this.cutting) return null;
    const { minTime, maxTime } = this.db.headRange();
    const range = this.opts.blockRange ?? DEFAULT_BLOCK_RANGE;
    if (minTime === null || maxTime === null || maxTime - minTime <= range * HOLD_RANGES) return null;
    const t0 = performance.now();
    this.held.commits++;
    return this.cutting.then(() => {
      this.held.ms += performance.now() - t0;
    });
  }

  private async cutLoop(): Promise<void> {
    await this.pause();
    while (!this.stopped && await cutHeadBlocksAsync(this.dataDir, this.db, this.opts, this.pause, this.opts.warn) > 0) {
      this.opts.afterCut();
      this.compactSoon();
    }
  }

  private compactSoon(): void {
    if (this.compacting) {
      this.compactAgain = true;
      return;
    }
    const run = async () => {
      do {
        this.compactAgain = false;
        await compactBlocksAsync(this.dataDir, this.db, this.opts.retentionMs, this.opts, this.pause, this.opts.warn);
        this.applyRetention();
      } while (this.compactAgain && !this.stopped);
    };
    this.compacting = run()
      .catch((e) => this.opts.warn(`compacting the blocks of ${this.dataDir} failed: ${(e as Error).message}`))
      .finally(() => (this.compacting = null));
  }

  /** Deletes the blocks time and size retention drop, saying which and why. */
  applyRetention(): void {
    const { retentionMs, retentionSize, warn } = this.opts;
    applyBlockTimeRetention(this.dataDir, this.db, retentionMs, warn);
    if (retentionSize > 0) applyBlockSizeRetention(this.dataDir, this.db, retentionSize, this.opts.headDirBytes(), warn);
  }
}
