// The BlockBackend of a browser: blocks in the origin private file system
// (OPFS), read through sync access handles, which only a dedicated worker
// has. The block code is synchronous and OPFS's directory operations are
// not, so this backend keeps a mirror of its directory tree: reads of
// stored files go straight to their sync access handles (positional, nothing
// loaded whole); writes, renames and removals change the mirror at once (a
// new block's bytes wait in JavaScript memory, not WebAssembly memory) and
// reach OPFS at flush(). A flush writes each block's files with meta.json
// last, and a block directory without meta.json is a half-written one,
// removed at open: meta.json is the commit point here, where a Node data
// directory uses a rename. A removed block loses its meta.json first.

import type { BlockBackend, RandomAccessFile } from '../storage/block-backend.js';
import { isULID } from '../storage/block-format.js';
import { FileTree, parentOf } from './file-tree.js';

/** The parts of OPFS's sync access handle used here (lib.dom lacks them). */
interface SyncHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
type DirHandle = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
type FileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncHandle> };

interface FileNode {
  kind: 'file';
  /** Bytes not yet in OPFS (a new or rewritten file). */
  pending: Uint8Array | null;
  /** The stored file's handle, once it is in OPFS. */
  handle: SyncHandle | null;
  size: number;
}

let scratch = new Uint8Array(128 * 1024);
const READ_AHEAD = 64 * 1024;

/** Whether this context can keep blocks in OPFS (a dedicated worker of a browser that has it). */
export function opfsAvailable(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' &&
    typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle !== 'undefined';
}

export class OpfsBlockBackend extends FileTree<FileNode> implements BlockBackend {

  private constructor(root: string, private readonly dir: DirHandle) {
    super(root);
  }

  /** Opens (creating) OPFS directory `name` and its tree, removing half-written blocks. */
  static async open(name: string, warn: (m: string) => void = () => {}): Promise<OpfsBlockBackend> {
    const top = (await navigator.storage.getDirectory()) as DirHandle;
    const dir = (await top.getDirectoryHandle(name, { create: true })) as DirHandle;
    const b = new OpfsBlockBackend(`OPFS ${name}`, dir);
    for await (const [entry, h] of dir.entries()) {
      if (h.kind === 'directory' && isULID(entry)) {
        const d = h as DirHandle;
        let whole = false;
        try {
          await d.getFileHandle('meta.json');
          whole = true;
        } catch { /* no meta.json */ }
        if (!whole) {
          warn(`removing ${b.root}/${entry}, left by an interrupted block write or deletion`);
          await dir.removeEntry(entry, { recursive: true });
          continue;
        }
      }
      await b.load(entry, h);
    }
    return b;
  }

  private async load(path: string, h: FileSystemHandle): Promise<void> {
    if (h.kind === 'directory') {
      this.nodes.set(path, { kind: 'dir' });
      for await (const [name, c] of (h as DirHandle).entries()) await this.load(`${path}/${name}`, c);
      return;
    }
    let handle: SyncHandle;
    try {
      handle = await (h as FileHandle).createSyncAccessHandle();
    } catch (e) {
      // A sync access handle is exclusive: another worker (another tab) has this database open.
      if ((e as DOMException).name === 'NoModificationAllowedError') throw new Error(`${this.root}/${path}: in use by another worker or tab that has this database open`);
      throw e;
    }
    this.nodes.set(path, { kind: 'file', pending: null, handle, size: handle.getSize() });
  }

  readFile(p: string): Uint8Array | null {
    const n = this.nodes.get(p);
    if (!n || n.kind !== 'file') return null;
    if (n.pending) return n.pending.slice();
    const out = new Uint8Array(n.size);
    n.handle!.read(out, { at: 0 });
    return out;
  }

  open(p: string): RandomAccessFile {
    // Holds the node, not the path: a flush swaps its pending bytes for a handle underneath.
    const n = this.file(p);
    // Each sync read costs far more than a positional read in Node, and a query
    // reads a series' chunks, and series in postings order, forward through a
    // chunk file: one read-ahead window per open file serves most reads.
    let window: Uint8Array | null = null, windowOff = 0, windowLen = 0;
    return {
      size: n.size,
      read(off: number, len: number): Uint8Array {
        len = Math.max(0, Math.min(len, n.size - off));
        if (n.pending) return n.pending.subarray(off, off + len);
        if (!n.handle) throw new Error(`${p}: read after removal`);
        if (window && off >= windowOff && off + len <= windowOff + windowLen) return window.subarray(off - windowOff, off - windowOff + len);
        if (len <= READ_AHEAD / 4) {
          window ??= new Uint8Array(READ_AHEAD);
          const got = n.handle.read(window.subarray(0, Math.min(READ_AHEAD, n.size - off)), { at: off });
          windowOff = off;
          windowLen = got;
          return window.subarray(0, Math.min(got, len));
        }
        if (len > scratch.length) scratch = new Uint8Array(Math.max(len, scratch.length * 2));
        const buf = scratch.subarray(0, len);
        const got = n.handle.read(buf, { at: off });
        return buf.subarray(0, got);
      },
      close() {},
    };
  }

  writeFile(p: string, bytes: Uint8Array, append = false): void {
    const { replaced, next } = this.toWrite(p, bytes, append, () => this.readFile(p)!);
    if (replaced?.handle) {
      replaced.handle.close();
      this.removals.push(p);
    }
    this.nodes.set(p, { kind: 'file', pending: next, handle: null, size: next.length });
  }

  rename(from: string, to: string): void {
    // Node's rename before a deletion guards against half-deleted blocks; here meta.json going first does.
    if (to.endsWith('.tmp-for-deletion')) return this.remove(from);
    const old = this.nodes.get(to);
    if (old?.kind === 'file' && old.handle) old.handle.close();
    this.moveTree(from, to, (_, n) => {
      if (n.kind === 'file' && n.handle) {
        // Stored files move by being written again under the new name.
        const bytes = new Uint8Array(n.size);
        n.handle.read(bytes, { at: 0 });
        n.handle.close();
        n.handle = null;
        n.pending = bytes;
      }
    });
    this.removals.push(from);
  }

  remove(p: string): void {
    this.removeTree(p, (n) => {
      if (n.kind === 'file' && n.handle) {
        n.handle.close();
        n.handle = null;
      }
    });
    this.removals.push(p);
  }

  /** Bytes of new blocks still waiting for flush(), held in JavaScript memory. */
  get pendingBytes(): number {
    let n = 0;
    for (const node of this.nodes.values()) if (node.kind === 'file' && node.pending) n += node.pending.length;
    return n;
  }

  protected async flushNow(): Promise<void> {
    const removals = this.removals;
    this.removals = [];
    for (const p of removals) {
      if (this.nodes.has(p)) continue;
      // A block loses its meta.json first, so a crash mid-removal leaves no block that looks whole.
      await this.removeEntry(`${p}/meta.json`);
      await this.removeEntry(p);
    }
    const pending = [...this.nodes].filter((e): e is [string, FileNode] => e[1].kind === 'file' && e[1].pending !== null);
    const isMeta = (p: string) => p.endsWith('/meta.json');
    pending.sort(([a], [b]) => Number(isMeta(a)) - Number(isMeta(b)) || (a < b ? -1 : a > b ? 1 : 0));
    for (const [p, n] of pending) {
      if (/\.tmp-for-(creation|deletion)(\/|$)/.test(p)) continue;
      const bytes = n.pending!;
      const handle = await this.create(p);
      handle.truncate(0);
      for (let at = 0; at < bytes.length;) at += handle.write(bytes.subarray(at), { at });
      handle.flush();
      if (this.nodes.get(p) === n && n.pending === bytes) {
        n.handle = handle;
        n.pending = null;
      } else {
        // Replaced or removed while this flush waited: the next flush settles it.
        handle.close();
        if (!this.nodes.has(p)) this.removals.push(p);
      }
    }
  }

  private async dirHandle(path: string, create: boolean): Promise<DirHandle | null> {
    let d = this.dir;
    for (const part of path.split('/').filter((s) => s !== '')) {
      try {
        d = (await d.getDirectoryHandle(part, { create })) as DirHandle;
      } catch (e) {
        if ((e as DOMException).name === 'NotFoundError' || (e as DOMException).name === 'TypeMismatchError') return null;
        throw e;
      }
    }
    return d;
  }

  private async create(p: string): Promise<SyncHandle> {
    const d = (await this.dirHandle(parentOf(p), true))!;
    const f = (await d.getFileHandle(p.slice(p.lastIndexOf('/') + 1), { create: true })) as FileHandle;
    return f.createSyncAccessHandle();
  }

  private async removeEntry(p: string): Promise<void> {
    const d = await this.dirHandle(parentOf(p), false);
    try {
      await d?.removeEntry(p.slice(p.lastIndexOf('/') + 1), { recursive: true });
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError' && (e as DOMException).name !== 'TypeMismatchError') throw e;
    }
  }

  /** Closes every handle (the backend must not be used afterwards). */
  close(): void {
    for (const n of this.nodes.values()) if (n.kind === 'file' && n.handle) n.handle.close();
  }

  /** Removes everything stored under this backend's directory. */
  async clear(): Promise<void> {
    await this.flushing;
    this.close();
    this.nodes.clear();
    this.removals = [];
    for await (const [name] of this.dir.entries()) await this.dir.removeEntry(name, { recursive: true });
  }
}
