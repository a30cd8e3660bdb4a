// Command-line argument helpers shared by every `promlet` command: flag
// values in Prometheus's spellings, positional arguments, and the check that
// refuses flags and arguments a command does not take (exit code 2).

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A mistake in how a command was called: reported with exit code 2. */
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

/** A boolean flag as kingpin spells it: --flag, --flag=true|false, --no-flag; `dflt` when absent. */
export function booleanFlag(args: string[], flag: string, dflt: boolean): boolean {
  if (args.includes(`--no-${flag}`)) return false;
  if (args.includes(`--${flag}`)) return true;
  const v = args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  if (v === undefined) return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`--${flag}: want true or false, got ${JSON.stringify(v)}`);
}

/** Every value of a repeatable flag (--run a --run=b). */
export function flagValues(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === name) {
      if (args[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
      out.push(args[i + 1]!);
    } else if (a.startsWith(`${name}=`)) out.push(a.slice(name.length + 1));
  });
  return out;
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

export interface ArgSpec {
  /** The command as users type it, for messages: "serve", "check config". */
  command: string;
  /** Flags that take a value (--name V or --name=V). */
  values?: string[];
  /** Flags that take none. */
  switches?: string[];
  /** Boolean flags as kingpin spells them: --flag, --flag=true|false, --no-flag. */
  booleans?: string[];
  /** How many positional arguments the command takes at most. */
  maxPositional?: number;
}

/**
 * Refuses what a command does not take: an unknown flag, a value given to a
 * switch, or more positional arguments than it reads. Silently ignoring them
 * is how `npm start 127.0.0.1:20093` came to serve on 9090.
 */
export function checkArgs(args: string[], spec: ArgSpec): void {
  const values = new Set(spec.values ?? []);
  const switches = new Set([...(spec.switches ?? []), '--help']);
  const booleans = new Set(spec.booleans ?? []);
  const help = `(promlet ${spec.command} --help lists its flags)`;
  let stray: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      stray.push(a);
      continue;
    }
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (values.has(name)) {
      if (!a.includes('=')) {
        if (args[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
        i++;
      }
    } else if (booleans.has(name) || (name.startsWith('--no-') && booleans.has(`--${name.slice(5)}`) && !a.includes('='))) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true';
      if (v !== 'true' && v !== 'false') throw new UsageError(`${name}: want true or false, got ${JSON.stringify(v)}`);
    } else if (switches.has(name)) {
      if (a.includes('=')) throw new UsageError(`${name} takes no value ${help}`);
    } else {
      throw new UsageError(`unknown flag ${name} ${help}`);
    }
  }
  stray = stray.slice(spec.maxPositional ?? 0);
  if (stray.length > 0) {
    const hint = /^[\w.-]*:\d+$/.test(stray[0]!) ? `; to listen elsewhere: --listen ${stray[0]} (with npm: npm start -- --listen ${stray[0]})` : '';
    throw new UsageError(`unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((s) => JSON.stringify(s)).join(' ')}${hint} ${help}`);
  }
}
