// IndexedDB as promises, and the one database a persistent DB keeps its
// files in: "files" (the head's checkpoint: index, chunk files, records) and
// "blocks" (blocks, when there is no OPFS; see idb-block-backend.ts).

export const HEAD_STORE = 'files';
export const BLOCK_STORE = 'blocks';

export function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Opens (creating or upgrading) IndexedDB database `name` with both stores. */
export function openStores(name: string): Promise<IDBDatabase> {
  // Version 1 had the head's store only; version 2 adds the blocks'.
  const r = indexedDB.open(name, 2);
  r.onupgradeneeded = () => {
    for (const s of [HEAD_STORE, BLOCK_STORE]) if (!r.result.objectStoreNames.contains(s)) r.result.createObjectStore(s);
  };
  return request(r);
}
