// What a range query cost the last time it was evaluated, by its text, so
// the server cuts only queries that pay for it. Every part of a split query
// repeats a fixed cost (the hand-over, selecting series, opening chunks,
// writing its pieces): about a millisecond, which a query evaluated in 2 ms
// loses to and one evaluated in 40 ms gains from. Dashboards send the same
// texts again and again, so the last evaluations are a good guess at the next.

export interface SplitCosts {
  /** Whether a query of this text over `steps` steps is worth cutting: unknown texts are. */
  worthSplitting(query: string, steps: number): boolean;
  /** Whether this text's last evaluation over `steps` steps would take less than `ms`: unknown and refused texts would not. */
  cheaperThan(query: string, steps: number, ms: number): boolean;
  /**
   * Records that evaluating `query` over `steps` steps took `ms` of worker time, in one piece or summed over its parts.
   * A dearer run than the last counts only a quarter more, unless `believe` says to take it as it is.
   */
  record(query: string, steps: number, ms: number, believe?: boolean): void;
  /**
   * Keeps the text in one piece from now on: its parts could not be joined
   * (their annotations differed, a limit was near) or one failed, and it was
   * evaluated again whole; cutting it again would only repeat that.
   */
  refuse(query: string): void;
}

/** Texts longer than this are not remembered (they are cut as unknown): a memory of them would hold their bytes. */
export const REMEMBERED_TEXT_MAX = 4096;

/**
 * Sets `key` in a memory of at most `capacity` texts, the least recently set dropped first; texts longer than
 * REMEMBERED_TEXT_MAX are not kept.
 */
export function remember<V>(m: Map<string, V>, key: string, v: V, capacity: number): void {
  if (key.length > REMEMBERED_TEXT_MAX) return;
  m.delete(key);
  m.set(key, v);
  if (m.size > capacity) m.delete(m.keys().next().value!);
}

/**
 * A bounded memory of milliseconds per step by query text. `minMs` is the
 * evaluation time below which one piece is faster; `capacity` texts are
 * kept, the least recently recorded dropped first.
 */
export function splitCosts(minMs: number, capacity = 1000): SplitCosts {
  // Milliseconds per step, or -Infinity for a refused text (below any minimum, kept by later records).
  const perStep = new Map<string, number>();
  const set = (query: string, v: number) => remember(perStep, query, v, capacity);
  return {
    worthSplitting(query, steps) {
      const c = perStep.get(query);
      return c === undefined || c * steps >= minMs;
    },
    cheaperThan(query, steps, ms) {
      const c = perStep.get(query);
      return c !== undefined && c !== -Infinity && c * steps < ms;
    },
    record(query, steps, ms, believe = false) {
      if (query.length > REMEMBERED_TEXT_MAX || !(steps > 0) || !Number.isFinite(ms)) return;
      const last = perStep.get(query);
      if (believe && last !== -Infinity) return set(query, ms / steps);
      // A cheaper run is believed at once, a dearer one only a quarter more per run: the first runs of a
      // text, before the code is compiled, and a busy moment would otherwise keep cutting a small query.
      set(query, last === undefined ? ms / steps : last === -Infinity ? -Infinity : Math.min(ms / steps, last * 1.25));
    },
    refuse(query) {
      if (query.length <= REMEMBERED_TEXT_MAX) set(query, -Infinity);
    },
  };
}
