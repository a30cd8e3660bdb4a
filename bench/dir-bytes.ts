// Bytes a directory holds on disk, counting every file under it.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const dirBytes = (dir: string): number => readdirSync(dir, { withFileTypes: true })
  .reduce((n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
