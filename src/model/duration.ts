// Durations as Prometheus's model package reads and writes them
// (model.ParseDuration, model.Duration.String), in milliseconds.

/** A duration string that model.ParseDuration refuses. */
export class DurationError extends Error {}

const UNITS: [string, number][] = [['y', 365 * 86400_000], ['w', 7 * 86400_000], ['d', 86400_000], ['h', 3600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
/** Largest duration model.ParseDuration accepts, in milliseconds (int64 nanoseconds). */
const MAX_DURATION_MS = 9223372036854;

/** model.ParseDuration: "1h30m", "500ms", "0"; returns milliseconds. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const m = text === '' ? null : DURATION_RE.exec(text);
  if (!m) throw new DurationError(`not a valid duration string: ${JSON.stringify(text)}`);
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNITS[i]![1];
  }
  if (ms > MAX_DURATION_MS) throw new DurationError('duration out of range');
  return ms;
}

/** model.Duration(ms).String(): "1h30m", "500ms", "0s"; years and weeks only when exact. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.trunc(ms);
  let out = '';
  for (const [unit, mult] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
