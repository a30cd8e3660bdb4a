// Replacement templates as Go's regexp.Expand reads them ($1, ${1}, $name,
// ${name}, $$), for label_replace and relabeling.

const WORD = /[\p{L}\p{Nd}_]/u;

/** Go's regexp extract(): the name after '$' and the rest, or null when malformed. */
function extract(str: string): { name: string; num: number; rest: string } | null {
  if (str === '') return null;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  let i = 0;
  for (const ch of str) {
    if (!WORD.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null;
  const name = str.slice(0, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return null;
    i++;
  }
  let num = 0;
  for (const c of name) {
    if (c < '0' || c > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c.charCodeAt(0) - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

/** regexp.ExpandString with the groups of one match. */
export function expandTemplate(template: string, groups: (string | null)[], named: Record<string, number>): string {
  let out = '';
  for (;;) {
    const at = template.indexOf('$');
    if (at < 0) break;
    out += template.slice(0, at);
    template = template.slice(at + 1);
    if (template.startsWith('$')) {
      out += '$';
      template = template.slice(1);
      continue;
    }
    const x = extract(template);
    if (!x) {
      out += '$';
      continue;
    }
    template = x.rest;
    const idx = x.num >= 0 ? x.num : named[x.name];
    if (idx !== undefined && idx < groups.length) out += groups[idx] ?? '';
  }
  return out + template;
}
