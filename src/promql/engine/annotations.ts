// Warnings and infos returned next to a result (util/annotations in
// Prometheus). Messages carry the position of the sub-expression; the API
// appends it as " (line:col)".

import type { PositionRange } from '../parser/posrange.js';

export interface Annotation {
  level: 'warning' | 'info';
  message: string;
  pos: PositionRange | null;
}

export class Annotations {
  private readonly byKey = new Map<string, Annotation>();

  add(level: Annotation['level'], message: string, pos: PositionRange | null = null): void {
    const full = `PromQL ${level}: ${message}`;
    const key = `${full}@${pos?.start ?? -1}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { level, message: full, pos });
  }

  warn(message: string, pos: PositionRange | null = null): void {
    this.add('warning', message, pos);
  }

  info(message: string, pos: PositionRange | null = null): void {
    this.add('info', message, pos);
  }

  merge(other: Annotations): void {
    for (const [k, v] of other.byKey) if (!this.byKey.has(k)) this.byKey.set(k, v);
  }

  list(level?: Annotation['level']): Annotation[] {
    const all = [...this.byKey.values()];
    return level ? all.filter((a) => a.level === level) : all;
  }
}
