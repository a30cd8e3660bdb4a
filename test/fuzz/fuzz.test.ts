// The short fuzzing pass CI runs (`npm run fuzz` is the full one): every
// target with a few thousand inputs from a fixed seed and one from this run,
// no crash and no input past its bound; and each crash a full run found,
// kept as a regression test.

import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../fuzz/targets.js';
import { runCampaign } from '../../fuzz/campaign.js';
import { parseRuleFile, RuleFileError } from '../../src/rules/file.js';

const RUNS = 2000;

describe('fuzzing, short pass', () => {
  for (const target of TARGETS) {
    it(`${target.name}: no crash in ${RUNS} inputs`, async () => {
      for (const seed of [15, Date.now() % 2 ** 31]) {
        // The bound is generous: this pass shares the machine with the rest of the suite.
        const r = await runCampaign(target, { runs: RUNS, seed, inputBoundMs: 5000 });
        expect(r.inputs).toBe(RUNS);
        expect(r.crashes, `seed ${seed}`).toEqual([]);
        expect(r.slow, `seed ${seed}`).toEqual([]);
      }
    });
  }
});

describe('crashes the fuzzer found, now rule file errors', () => {
  const rejects = (yaml: string, message: RegExp) => {
    const e = (() => {
      try {
        parseRuleFile(yaml, 'rules.yml');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(RuleFileError);
    expect((e as Error).message).toMatch(message);
  };

  it('an alias to an anchor that is never set', () => {
    rejects('\n *a', /^rules\.yml: Unresolved alias/);
    rejects('*uVG-', /^rules\.yml: Unresolved alias/);
  });

  it('rules that are not a list', () => {
    rejects('apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n  - name: g\n    rules:\n         expr: vector(1)\n', /group "g": rules must be a list/);
  });

  it('an empty rule in the list', () => {
    rejects('groups:\n- name: g\n  rules:\n  -\n  - record: job:up:sum\n    expr: sum by (job) (up)\n', /^rules\.yml:4: group "g", rule "#1": a rule must be a mapping$/);
  });
});

describe('crashes the fuzzer found in remote write', () => {
  it('six bytes declaring a 3 GB literal are refused before decoding (they stalled the decoder for seconds)', async () => {
    const { handleRemoteWrite } = await import('../../src/remote/write-handler.js');
    const { openDB } = await import('../../src/storage/db.js');
    const r = await handleRemoteWrite(await openDB(), new Uint8Array(Buffer.from('I/ydIY/B', 'base64')), new Headers({ 'content-encoding': 'snappy' }));
    expect(r.status).toBe(400);
    expect(r.body).toBe('snappy decode error: literal of 3247382942 bytes at byte 6 runs past the input\n');
  });
});
