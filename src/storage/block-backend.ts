// Where blocks are kept: a tree of files by name ("ULID/index",
// "ULID/chunks/000001"), read at positions, published by renaming a
// temporary directory. Node implements it over a data directory
// (src/node/node-block-backend.ts), browsers over the origin private file
// system (src/browser/opfs-block-backend.ts); the block code above it
// (block-store.ts, block-lifecycle.ts) is the same for both. Every call is
// synchronous because the query engine reads blocks synchronously.

/** A file opened for positional reads. */
export interface RandomAccessFile {
  readonly size: number;
  /** `len` bytes from `off` (fewer at the end); valid until the next read of any file. */
  read(off: number, len: number): Uint8Array;
  close(): void;
}

export interface BlockBackend {
  /** For messages: the data directory or store name. */
  readonly root: string;
  /**
   * Chunk files are read in pages the backend keeps itself, loaded ahead of
   * the reads (IndexedDB): blocks then read each chunk exactly where it
   * lies, not in pages of their own.
   */
  readonly readsInPages?: boolean;
  /** Names in directory `dir` ("" is the root); [] when it does not exist. */
  list(dir: string): string[];
  isDir(path: string): boolean;
  exists(path: string): boolean;
  size(path: string): number;
  /** The whole file, or null when it does not exist. */
  readFile(path: string): Uint8Array | null;
  open(path: string): RandomAccessFile;
  mkdirs(path: string): void;
  /** Writes (or appends to) a file; durable once the backend says its writes are (see syncDir). */
  writeFile(path: string, bytes: Uint8Array, append?: boolean): void;
  /** Makes what was written under `dir` (names included) durable. */
  syncDir(dir: string): void;
  /** Renames a file or directory; the commit point of a block write. */
  rename(from: string, to: string): void;
  /** Removes a file or a directory with everything under it. */
  remove(path: string): void;
  /**
   * Writes that leave the caller's thread free while the disk works (Node's
   * FileHandle): blocks written in the background go through these when the
   * backend has them, so a server's event loop never waits for an fsync.
   */
  readonly writes?: AsyncBlockWrites;
}

/** A file written from its start, piece by piece, in order. */
export interface AsyncFileWriter {
  /** Queues `bytes` (the writer keeps them: pass bytes nobody changes). */
  write(bytes: Uint8Array): void;
  /** Bytes queued and not yet written. */
  readonly queuedBytes: number;
  /** Settles when what is queued now is written (never rejects; failures surface in syncAndClose). */
  written(): Promise<void>;
  /** Writes what is queued, syncs the file and closes it; rejects with the first failure. */
  syncAndClose(): Promise<void>;
}

export interface AsyncBlockWrites {
  create(path: string): AsyncFileWriter;
  /** Writes a whole file and syncs it. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  syncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export const joinPath = (...parts: string[]) => parts.filter((p) => p !== '').join('/');
