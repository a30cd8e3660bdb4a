// Remote-write 1.0 requests inflated and read in a worker thread, so the
// main thread only appends: the body goes over and the read-ahead arrays
// come back without copying (transferred), and their buffers go back to the
// worker with the next job. A worker that fails answers its jobs' requests
// with an error (500, the sender retries) and is started again for the next.

import { Worker } from 'node:worker_threads';
import type { ReadAhead, ReadAheadFailure } from '../remote/write-read-ahead.js';
import { readAheadBuffers } from '../remote/write-read-ahead.js';
import { workerURL } from './worker-url.js';

export interface DecodeJob {
  id: number;
  body: Uint8Array;
  limit: number;
  giveBack: ArrayBuffer[];
}

export interface DecodeReply {
  id: number;
  /** The job's body, handed back. */
  body: Uint8Array;
  result?: ReadAhead | ReadAheadFailure;
  error?: string;
}

interface Pending {
  worker: Worker;
  resolve: (r: { result: ReadAhead | ReadAheadFailure; body: Uint8Array }) => void;
  reject: (e: Error) => void;
}

export class RemoteWriteDecoder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private giveBack: ArrayBuffer[] = [];

  /** Starts the worker now, so its start-up is not paid by the first request. */
  warm(): void {
    this.worker ??= this.start();
  }

  /**
   * Inflates and reads `body` in the worker. The body's buffer is handed
   * over: it must be a whole ArrayBuffer of its own, and comes back as `body`.
   */
  decode(body: Uint8Array, limit: number): Promise<{ result: ReadAhead | ReadAheadFailure; body: Uint8Array }> {
    const w = this.worker ??= this.start();
    const id = this.nextId++;
    const job: DecodeJob = { id, body, limit, giveBack: this.giveBack };
    this.giveBack = [];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker: w, resolve, reject });
      w.postMessage(job, [body.buffer as ArrayBuffer, ...job.giveBack]);
    });
  }

  /** Hands a read-ahead's buffers back to the worker (with the next job) once nothing refers to them. */
  recycle(a: ReadAhead): void {
    // Bounded: without jobs to carry them they would only pile up here.
    if (this.giveBack.length < 32) this.giveBack.push(...readAheadBuffers(a));
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private start(): Worker {
    const w = new Worker(workerURL(import.meta.url, 'remote-write-worker'));
    // An idle decoder does not keep the process alive.
    w.unref();
    w.on('message', (m: DecodeReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined || !m.result) p.reject(new Error(`remote write decoder: ${m.error ?? 'no result'}`));
      else p.resolve({ result: m.result, body: m.body });
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = null;
      for (const [id, p] of this.pending) {
        if (p.worker !== w) continue;
        this.pending.delete(id);
        p.reject(new Error(`remote write decoder worker failed: ${e.message}`));
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return w;
  }
}
