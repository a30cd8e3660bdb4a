// An upper estimate of the program RE2 compiles a pattern into, read from the
// pattern text in one pass: atoms count one, a group its contents, and a
// counted repetition multiplies what it repeats ({n,m} by m). RE2 itself only
// refuses programs of millions of instructions, which re2js takes tens of
// seconds to build; estimating first lets a caller refuse such a pattern
// before spending that time (a 2 KB PromQL query held the event loop 2 s).

/** The estimate for `pattern`, stopping early once it passes `limit`. */
export function regexSize(pattern: string, limit = Infinity): number {
  let i = 0;
  const n = pattern.length;
  // Per open group: the total of finished alternatives, the current alternative, and the last unit's size.
  const stack: { done: number; current: number; last: number }[] = [];
  let done = 0, current = 0, last = 0;
  const unit = (size: number) => {
    current += size;
    last = size;
  };
  const repeat = (times: number) => {
    current += last * Math.max(times, 1) - last + 1;
    last = last * Math.max(times, 1) + 1;
  };
  while (i < n) {
    if (done + current > limit) return done + current;
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? n : end;
        for (let k = i + 2; k < stop; k++) unit(1);
        i = end < 0 ? n : end + 2;
        continue;
      }
      if ((e === 'p' || e === 'P' || e === 'x') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? n : close + 1;
      } else i += e === 'p' || e === 'P' ? 3 : e === 'x' ? 4 : 2;
      unit(1);
      continue;
    }
    if (c === '[') {
      let k = i + 1;
      if (pattern[k] === '^') k++;
      if (pattern[k] === ']') k++;
      while (k < n && pattern[k] !== ']') {
        if (pattern[k] === '\\') k += 2;
        else if (pattern[k] === '[' && pattern[k + 1] === ':') {
          const close = pattern.indexOf(':]', k + 2);
          k = close < 0 ? k + 1 : close + 2;
        } else k++;
      }
      i = k + 1;
      unit(1);
      continue;
    }
    if (c === '(') {
      // (?flags) alone sets flags and is no unit; every other parenthesis opens a group.
      const flagsOnly = /^\(\?[a-zA-Z-]*\)/.exec(pattern.slice(i, i + 12));
      if (flagsOnly) {
        i += flagsOnly[0].length;
        continue;
      }
      stack.push({ done, current, last });
      done = 0;
      current = 0;
      last = 0;
      i++;
      continue;
    }
    if (c === ')') {
      const inner = done + current;
      const outer = stack.pop();
      if (outer) ({ done, current } = outer);
      unit(inner + 1);
      i++;
      continue;
    }
    if (c === '|') {
      done += current + 1;
      current = 0;
      last = 0;
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      repeat(1);
      i++;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? min : Number(m[3]);
        repeat(Math.max(min, max));
        i += m[0].length;
        continue;
      }
    }
    unit(1);
    i++;
  }
  while (stack.length > 0) {
    const inner = done + current;
    ({ done, current } = stack.pop()!);
    current += inner;
  }
  return done + current;
}
