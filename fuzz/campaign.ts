// One fuzzing campaign over one target, in the calling thread: fast-check
// generates the inputs from a seed, each input's outcome and time are
// recorded, and crashes (distinct messages) and slow inputs are kept with the
// input that caused them. Used by the worker of `npm run fuzz` and by the
// short pass in the test suite.

import fc from 'fast-check';
import type { FuzzTarget } from './targets.js';

export interface Finding {
  input: string;
  problem: string;
}

export interface CampaignResult {
  target: string;
  seed: number;
  inputs: number;
  crashes: Finding[];
  /** Inputs that took longer than the per-input bound. */
  slow: Finding[];
  slowestMs: number;
  seconds: number;
}

/** An input as text for a report or a regression test (bytes as base64). */
export function describeInput(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? `base64:${Buffer.from(v).toString('base64')}` : v));
}

export interface CampaignOptions {
  runs: number;
  seed: number;
  /** An input taking longer than this (ms) is reported as slow. */
  inputBoundMs: number;
  /** Called before each input (the worker publishes it for its watchdog) and after every 1,000. */
  onInput?: (input: unknown) => void;
  onProgress?: (done: number) => void;
}

export async function runCampaign(target: FuzzTarget, o: CampaignOptions): Promise<CampaignResult> {
  await target.setup?.();
  const started = performance.now();
  const crashes = new Map<string, Finding>();
  const slow: Finding[] = [];
  let inputs = 0;
  let slowestMs = 0;
  await fc.check(
    fc.asyncProperty(target.input, async (input) => {
      o.onInput?.(input);
      const t0 = performance.now();
      const outcome = await target.run(input);
      const ms = performance.now() - t0;
      inputs++;
      if (ms > slowestMs) slowestMs = ms;
      if (ms > o.inputBoundMs && slow.length < 20) slow.push({ input: describeInput(input), problem: `took ${Math.round(ms)} ms` });
      if (!outcome.ok) {
        // Distinct by message with digits and quoted text blurred, so one bug is reported once.
        const key = outcome.crash.replace(/"[^"]*"/g, '""').replace(/\d+/g, 'N').slice(0, 200);
        if (!crashes.has(key)) crashes.set(key, { input: describeInput(input), problem: outcome.crash });
      }
      if (inputs % 1000 === 0) o.onProgress?.(inputs);
      return true;
    }),
    { numRuns: o.runs, seed: o.seed, endOnFailure: true },
  );
  return {
    target: target.name, seed: o.seed, inputs, crashes: [...crashes.values()], slow, slowestMs: Math.round(slowestMs),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
