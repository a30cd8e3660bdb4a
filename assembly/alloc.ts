// Chunk allocation and the list of chunks created by the last append call.
// Chunks are raw fixed-size blocks from the TLSF heap; nothing here is
// garbage collected, the host frees chunks explicitly (retention).

import { CHUNK_ALLOC } from "./layout";

let created: usize = 0;
let createdCap: i32 = 0;
let createdLen: i32 = 0;

/** A zeroed chunk block. */
export function allocChunk(): usize {
  const p = heap.alloc(<usize>CHUNK_ALLOC);
  memory.fill(p, 0, <usize>CHUNK_ALLOC);
  return p;
}

export function freeChunk(p: usize): void {
  heap.free(p);
}

/** Records a chunk created by an overflow, tagged with the caller's series slot. */
export function noteCreated(slot: i32, chunk: usize): void {
  if (createdLen == createdCap) {
    createdCap = createdCap == 0 ? 64 : createdCap * 2;
    created = created == 0 ? heap.alloc(<usize>createdCap * 8) : heap.realloc(created, <usize>createdCap * 8);
  }
  store<u32>(created + <usize>createdLen * 8, <u32>slot);
  store<u32>(created + <usize>createdLen * 8 + 4, <u32>chunk);
  createdLen++;
}

export function resetCreated(): void {
  createdLen = 0;
}

/** Pointer to (slot u32, chunk u32) pairs; valid until the next append call. */
export function createdPtr(): usize {
  return created;
}

export function createdCount(): i32 {
  return createdLen;
}

/** Slot tag applied to chunks created during the current append. */
export let currentSlot: i32 = 0;
export function setCurrentSlot(s: i32): void {
  currentSlot = s;
}

/** Status of the last failing operation (see layout.ts STATUS_*). */
export let lastStatus: i32 = 0;
export function fail(status: i32): usize {
  lastStatus = status;
  return 0;
}
export function clearStatus(): void {
  lastStatus = 0;
}
