// Block files written through FileHandle (libuv's thread pool): a block cut
// or merged in the background writes its chunk files, index and meta.json
// and syncs them without the event loop waiting for the disk, so scrapes,
// remote-write requests and health checks are answered meanwhile. The
// order of durability is the synchronous one's: every file synced, then
// the directories, then the rename that publishes the block.

import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { AsyncBlockWrites, AsyncFileWriter } from '../storage/block-backend.js';

class QueuedFile implements AsyncFileWriter {
  private chain: Promise<void>;
  private failure: Error | null = null;
  private readonly handle: Promise<FileHandle | null>;
  queuedBytes = 0;

  constructor(path: string) {
    // Every step runs after the last and none rejects: the first failure is kept for syncAndClose.
    const handle = open(path, 'w');
    this.chain = handle.then(() => {}, (e: Error) => void (this.failure = e));
    this.handle = handle.catch(() => null);
  }

  write(bytes: Uint8Array): void {
    this.queuedBytes += bytes.length;
    this.chain = this.chain.then(async () => {
      try {
        const h = await this.handle;
        if (!h || this.failure) return;
        for (let done = 0; done < bytes.length;) done += (await h.write(bytes, done, bytes.length - done)).bytesWritten;
      } catch (e) {
        this.failure ??= e as Error;
      } finally {
        this.queuedBytes -= bytes.length;
      }
    });
  }

  written(): Promise<void> {
    return this.chain;
  }

  async syncAndClose(): Promise<void> {
    await this.chain;
    const h = await this.handle;
    try {
      if (h && !this.failure) await h.sync();
    } catch (e) {
      this.failure ??= e as Error;
    } finally {
      await h?.close().catch(() => {});
    }
    if (this.failure) throw this.failure;
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Asynchronous block writes under a data directory (`at` maps a block path to a file path). */
export function asyncBlockWrites(at: (p: string) => string): AsyncBlockWrites {
  return {
    create: (p) => new QueuedFile(at(p)),
    writeFile: async (p, bytes) => {
      const f = new QueuedFile(at(p));
      f.write(bytes);
      await f.syncAndClose();
    },
    syncDir: (p) => syncDir(at(p)),
    rename: (from, to) => rename(at(from), at(to)),
    remove: (p) => rm(at(p), { recursive: true, force: true }),
  };
}
