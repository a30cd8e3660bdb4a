// Chevrotain, loaded as a single file where the host allows it. The
// package's entry point imports lodash-es, about 640 modules that Node's
// module loader resolves, reads and compiles one at a time: some 0.4 s of a
// server's start, and again in every query worker. The package also ships the
// same version bundled into one file (lib/chevrotain.mjs) that its exports
// map does not name, so it is found beside the resolved entry point. Where
// modules are not files (bundlers, browsers) or that file is missing, the
// entry point is used: the same API either way.

import type * as Chevrotain from 'chevrotain';

/** Which copy was loaded: 'bundle' (the single file) or 'entry' (the package's entry point). */
export let chevrotainSource: 'bundle' | 'entry' = 'entry';

async function load(): Promise<typeof Chevrotain> {
  let bundle: string | undefined;
  try {
    const entry = import.meta.resolve?.('chevrotain');
    // The entry point is lib/src/api.js; the bundle is lib/chevrotain.mjs.
    if (entry?.startsWith('file:') && entry.endsWith('/lib/src/api.js')) bundle = new URL('../chevrotain.mjs', entry).href;
  } catch {
    // Not resolvable from here (a bundler's module graph): the entry point below.
  }
  if (bundle) {
    try {
      const mod = (await import(/* @vite-ignore */ bundle)) as typeof Chevrotain;
      chevrotainSource = 'bundle';
      return mod;
    } catch {
      // A package laid out otherwise: the entry point below.
    }
  }
  return import('chevrotain');
}

const chevrotain = await load();

export const { createToken, createTokenInstance, EmbeddedActionsParser, Lexer, tokenMatcher, VERSION } = chevrotain;
