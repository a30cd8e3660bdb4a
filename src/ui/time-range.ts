// A date-time range picker: a range (presets or any duration) ending now or
// at a chosen date and time, with buttons that move the window back and
// forward by its own length. Times are in the reader's time zone.

import { parseDuration } from '../model/duration.js';
import { formatLocalTime } from './format.js';
import { el } from './dom.js';

export interface TimeRange {
  /** A duration such as "1h". */
  range: string;
  /** The range's end in ms; null: now (or the newest sample, where "now" means that). */
  end: number | null;
}

export const RANGE_PRESETS = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '2d', '1w'];

const pad = (n: number) => String(n).padStart(2, '0');
const dateValue = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const timeValue = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** The picker's summary: "Last 1h" or "1h to 2026-12-01 15:04:05". */
export function describeRange(v: TimeRange, nowLabel: string): string {
  return v.end === null ? `Last ${v.range}${nowLabel ? ` (${nowLabel})` : ''}` : `${v.range} to ${formatLocalTime(v.end)}`;
}

export function createTimeRangePicker(initial: TimeRange, onChange: (v: TimeRange) => void, opts: { now: () => number; nowLabel?: string }): HTMLElement {
  let value = { ...initial };
  const summary = el('button', { className: 'range-summary', type: 'button', title: 'Time range' });
  const render = () => {
    summary.replaceChildren(el('span', { className: 'range-icon', textContent: '◷' }), describeRange(value, opts.nowLabel ?? ''));
    summary.dataset.range = value.range;
    summary.dataset.end = value.end === null ? '' : String(value.end);
  };
  const set = (v: TimeRange) => {
    value = v;
    render();
    onChange({ ...v });
  };
  // Moving by a whole range keeps the window's length; reaching the present returns to "now".
  const shift = (dir: -1 | 1) => {
    const len = parseDuration(value.range);
    const end = (value.end ?? opts.now()) + dir * len;
    set({ ...value, end: dir > 0 && end >= opts.now() ? null : end });
  };
  const back = el('button', { className: 'icon range-back', type: 'button', title: 'Earlier by one range', textContent: '‹', onclick: () => shift(-1) });
  const forward = el('button', { className: 'icon range-forward', type: 'button', title: 'Later by one range', textContent: '›', onclick: () => shift(1) });
  const root = el('div', { className: 'time-range' }, back, summary, forward);
  let pop: HTMLElement | null = null;
  const close = () => {
    pop?.remove();
    pop = null;
    document.removeEventListener('mousedown', outside, true);
  };
  const outside = (e: MouseEvent) => {
    if (pop && !root.contains(e.target as Node)) close();
  };
  summary.onclick = () => {
    if (pop) return close();
    pop = popover(value, (v) => {
      close();
      set(v);
    }, close, opts.now);
    root.append(pop);
    document.addEventListener('mousedown', outside, true);
    pop.querySelector<HTMLElement>('.range-custom')?.focus();
  };
  render();
  return root;
}

function popover(value: TimeRange, apply: (v: TimeRange) => void, cancel: () => void, now: () => number): HTMLElement {
  let range = value.range;
  const custom = el('input', { className: 'range-custom', value: range, size: 8, title: 'Any duration: 90m, 2h30m, 3d' });
  const error = el('div', { className: 'error-text small' });
  const presets = el('div', { className: 'range-presets' }, ...RANGE_PRESETS.map((r) => {
    const b = el('button', { type: 'button', textContent: r, className: r === range ? 'active' : '' });
    b.onclick = () => {
      range = r;
      custom.value = r;
      for (const x of Array.from(presets.children)) x.classList.toggle('active', x === b);
    };
    return b;
  }));
  custom.oninput = () => {
    range = custom.value.trim();
    for (const x of Array.from(presets.children)) x.classList.toggle('active', (x as HTMLElement).textContent === range);
  };
  const start = new Date(value.end ?? now());
  const isNow = el('input', { type: 'radio', name: 'range-end', className: 'end-now', checked: value.end === null });
  const isAt = el('input', { type: 'radio', name: 'range-end', className: 'end-at', checked: value.end !== null });
  const date = el('input', { type: 'date', className: 'end-date', value: dateValue(start) });
  const time = el('input', { type: 'time', className: 'end-time', step: 1, value: timeValue(start) });
  const pick = () => (isAt.checked = true);
  date.oninput = pick;
  time.oninput = pick;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const ok = el('button', { type: 'button', className: 'primary range-apply', textContent: 'Apply' });
  ok.onclick = () => {
    try {
      if (parseDuration(range) <= 0) throw new Error();
    } catch {
      error.textContent = `"${range}" is not a duration: use 5m, 1h30m, 2d…`;
      return;
    }
    let end: number | null = null;
    if (isAt.checked) {
      end = new Date(`${date.value}T${time.value || '00:00:00'}`).getTime();
      if (!Number.isFinite(end)) {
        error.textContent = 'Pick a date and a time.';
        return;
      }
    }
    apply({ range, end });
  };
  const pop = el('div', { className: 'popover range-popover' },
    el('h3', { textContent: 'Range' }), presets,
    el('label', { className: 'range-custom-label' }, 'Custom ', custom),
    el('h3', { textContent: 'Ending' }),
    el('div', { className: 'range-end' },
      el('label', {}, isNow, ' now'),
      el('label', {}, isAt, ' at ', date, time),
      el('span', { className: 'muted small', textContent: zone })),
    error,
    el('div', { className: 'toolbar range-actions' }, el('span', { className: 'spacer' }),
      el('button', { type: 'button', className: 'ghost', textContent: 'Cancel', onclick: cancel }), ok));
  pop.onkeydown = (e) => {
    if (e.key === 'Escape') cancel();
    if (e.key === 'Enter') ok.click();
  };
  return pop;
}
