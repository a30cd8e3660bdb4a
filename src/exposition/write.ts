// The text exposition format (0.0.4) writer, for /metrics and /federate.

import { goFormatG } from '../model/float.js';

export interface WriteSample {
  /** Labels other than the name. */
  labels: Record<string, string> | readonly { name: string; value: string }[];
  value: number;
  /** ms; written when present (federation). */
  timestamp?: number;
}

export interface WriteFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: WriteSample[];
  /** Sample names other than the family's (histogram _bucket, _sum...), by sample index. */
  sampleName?: (i: number) => string;
}

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function writeText(families: readonly WriteFamily[]): string {
  let out = '';
  for (const f of families) {
    const family = LEGACY_NAME.test(f.name) ? f.name : `"${escapeValue(f.name)}"`;
    if (f.help !== undefined) out += `# HELP ${family} ${escapeHelp(f.help)}\n`;
    out += `# TYPE ${family} ${f.type}\n`;
    f.samples.forEach((s, i) => {
      const name = f.sampleName?.(i) ?? f.name;
      const pairs = Array.isArray(s.labels) ? s.labels.map((l) => [l.name, l.value] as const) : Object.entries(s.labels as Record<string, string>);
      const ls = pairs.map(([k, v]) => `${LEGACY_LABEL.test(k) ? k : `"${escapeValue(k)}"`}="${escapeValue(v)}"`);
      // Names outside the legacy character set are written quoted inside the braces (text format 1.0.0).
      const head = LEGACY_NAME.test(name) ? `${name}${ls.length ? `{${ls.join(',')}}` : ''}` : `{"${escapeValue(name)}"${ls.length ? `,${ls.join(',')}` : ''}}`;
      out += `${head} ${goFormatG(s.value)}${s.timestamp !== undefined ? ` ${s.timestamp}` : ''}\n`;
    });
  }
  return out;
}
