// The same synthetic data in Debian's Prometheus (via promtool
// create-blocks-from openmetrics) and in a promlet database.

import { loadPeers as loadBoth, type Peers } from '../support/prometheus.js';
import { synthetic } from '../../bench/synthetic.js';

export type { Peers };

export const START = Date.UTC(2026, 0, 1);
export const HOURS = 3;

export function loadPeers(): Promise<Peers> {
  return loadBoth(synthetic(START, HOURS));
}
