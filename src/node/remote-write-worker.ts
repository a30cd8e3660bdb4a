// The worker thread that inflates and reads remote-write 1.0 requests ahead
// of the main thread appending them (remote-write-decoder.ts posts the jobs).
// Buffers come back with later jobs once the main thread is done with them,
// so a stream of requests reuses a few of them instead of allocating each.

import { parentPort } from 'node:worker_threads';
import { readAhead, readAheadBuffers } from '../remote/write-read-ahead.js';
import type { DecodeJob, DecodeReply } from './remote-write-decoder.js';

/** Idle buffers given back, at most this many kept. */
const KEEP = 64;
const free: ArrayBuffer[] = [];

function alloc(bytes: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) if (free[i]!.byteLength >= bytes && (best < 0 || free[i]!.byteLength < free[best]!.byteLength)) best = i;
  if (best < 0) return new ArrayBuffer(bytes);
  const b = free[best]!;
  free[best] = free[free.length - 1]!;
  free.pop();
  return b;
}

parentPort!.on('message', (job: DecodeJob) => {
  for (const b of job.giveBack) if (free.length < KEEP) free.push(b);
  let reply: DecodeReply;
  try {
    const r = readAhead(job.body, job.limit, alloc);
    reply = { id: job.id, body: job.body, result: r };
  } catch (e) {
    reply = { id: job.id, body: job.body, error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
  const transfer: ArrayBuffer[] = [job.body.buffer as ArrayBuffer];
  if (reply.result && 'raw' in reply.result) for (const b of readAheadBuffers(reply.result)) if (!transfer.includes(b)) transfer.push(b);
  parentPort!.postMessage(reply, transfer);
});
