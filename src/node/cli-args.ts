// The command line's argument helpers and its usage error, in a module of
// their own so a command (`promlet import`) can use them without loading
// every other command (the PromQL engine, the server) first.

export class UsageError extends Error {}

/** --name value, --name=value; flags may repeat their Prometheus spelling (aliases). */
export function flagValue(args: string[], ...names: string[]): string | undefined {
  for (const name of names) {
    const i = args.findIndex((a) => a === name || a.startsWith(name + '='));
    if (i < 0) continue;
    const a = args[i]!;
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  }
  return undefined;
}

/** Positional arguments: what is not a flag or a flag's value. */
export function positional(args: string[], valueFlags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      if (!a.includes('=') && valueFlags.includes(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}
