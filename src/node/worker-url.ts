// Where a worker thread's script is: the built .js next to the calling
// module, or, when running from the TypeScript sources (tests, tsx), a
// bootstrap that registers tsx inside the worker before importing the .ts
// file (loader flags are not inherited by workers on every Node version).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The URL to start a Worker with, for the module `name` (without extension) beside `from` (import.meta.url). */
export function workerURL(from: string, name: string): URL {
  if (!from.endsWith('.ts')) return new URL(`./${name}.js`, from);
  const tsxApi = pathToFileURL(join(dirname(createRequire(from).resolve('tsx/esm/api')), 'index.mjs')).href;
  const source = new URL(`./${name}.ts`, from).href;
  const code = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
