// The in-memory tree of files and directories the browser block backends
// keep (src/browser/opfs-block-backend.ts, src/browser/idb-block-backend.ts):
// their stores' directory operations are asynchronous and the block code
// calls synchronously, so each backend answers from this mirror and
// reaches its store at flush(), flushes running one after another. Paths are relative to the backend's root,
// "/"-separated, "" being the root itself. Generic over the file node: each
// backend keeps what it needs to read a file (pending bytes, a handle, pages).

/** What the tree needs of a backend's file node. */
export interface FileLeaf {
  kind: 'file';
  size: number;
}
export interface DirNode { kind: 'dir' }

/** The directory holding `p` ("" for a name at the root). */
export const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
/** Whether `p` is `dir` or lies under it. */
export const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

/** The tree part of a BlockBackend (list, isDir, exists, size, mkdirs) and its serial flush, which the browser backends extend. */
export abstract class FileTree<F extends FileLeaf> {
  /** Every file and directory by path. */
  protected readonly nodes = new Map<string, F | DirNode>();
  /** Paths whose stored copies go at the next flush. */
  protected removals: string[] = [];
  /** The last flush (settled, whether or not it failed). */
  protected flushing: Promise<void> = Promise.resolve();

  /** `root` names the backend's store in messages. */
  constructor(readonly root: string) {}

  /** The file at `p`, or an error naming it. */
  protected file(p: string): F {
    const n = this.nodes.get(p);
    if (!n || n.kind !== 'file') throw new Error(`${this.root}/${p}: no such file`);
    return n as F;
  }

  list(dir: string): string[] {
    const out: string[] = [];
    for (const p of this.nodes.keys()) if (parentOf(p) === dir && p !== dir) out.push(dir === '' ? p : p.slice(dir.length + 1));
    return out;
  }

  isDir(p: string): boolean { return this.nodes.get(p)?.kind === 'dir'; }
  exists(p: string): boolean { return this.nodes.has(p); }
  size(p: string): number { return this.file(p).size; }

  mkdirs(p: string): void {
    for (let at = p; at !== '' && !this.nodes.has(at); at = parentOf(at)) this.nodes.set(at, { kind: 'dir' });
  }

  /** Durability comes at flush(). */
  syncDir(): void {}

  /** Makes every change so far durable in the store; flushes run one after another. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => {});
    return next;
  }

  /** Takes the changes since the last flush to the store. */
  protected abstract flushNow(): Promise<void>;

  /**
   * What a write of `bytes` to `p` leaves there: a copy of them, after the
   * file's current bytes (read by `current`) when appending. Makes `p`'s
   * directory; `replaced` is the file node the write replaces, if any.
   */
  protected toWrite(p: string, bytes: Uint8Array, append: boolean, current: (n: F) => Uint8Array): { replaced: F | null; next: Uint8Array } {
    this.mkdirs(parentOf(p));
    const n = this.nodes.get(p);
    const replaced = n?.kind === 'file' ? (n as F) : null;
    if (!append || !replaced) return { replaced, next: bytes.slice() };
    const before = current(replaced);
    const next = new Uint8Array(before.length + bytes.length);
    next.set(before);
    next.set(bytes, before.length);
    return { replaced, next };
  }

  /** Moves `from` and everything under it to `to`, calling `each` with every node (and its old path) before it moves. */
  protected moveTree(from: string, to: string, each: (p: string, n: F | DirNode) => void = () => {}): void {
    for (const [p, n] of [...this.nodes]) {
      if (!under(p, from)) continue;
      each(p, n);
      this.nodes.delete(p);
      this.nodes.set(to + p.slice(from.length), n);
    }
  }

  /** Removes `p` and everything under it, calling `each` with every node before it goes. */
  protected removeTree(p: string, each: (n: F | DirNode) => void = () => {}): void {
    for (const [q, n] of [...this.nodes]) {
      if (!under(q, p)) continue;
      each(n);
      this.nodes.delete(q);
    }
  }
}
