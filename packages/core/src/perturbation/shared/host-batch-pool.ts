// SPDX-License-Identifier: Apache-2.0
// Black boxes get their perturbed batches in one host Float32Array per call (tens of MB at 224x224).
// A fresh one per call costs its first-touch page faults every time — 1.5 s for 38 MB on a
// Firecracker VM, where it doubled the metrics' time against the bare forward passes — so the last
// one is kept for the next call and freed once the caller has been idle for a while.
//
// Memory held: at most ONE buffer of at most MAX_KEPT_BYTES (64 MiB; with the default batch size a
// black-box batch is at most 64 MB: 38 MB at 224x224x3 x 64 images), for KEEP_MS after the last
// black-box batch loop ends; then nothing. Buffers in use belong to their caller only.

/**
 * How long a released batch buffer is kept for the next call: long enough to span what a caller
 * typically does between black-box calls (a trust report explains between metrics; a benchmark
 * runs the bare model), short enough not to pin tens of MB in an idle page.
 */
const KEEP_MS = 10_000;

/** The largest buffer kept between calls (bytes); a larger one (a user's big batchSize) is left to GC at once. */
export const MAX_KEPT_BYTES = 64 * 2 ** 20;

let free: Float32Array<ArrayBuffer> | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
/** The WebAssembly.Memory of every buffer acquired in one (see {@link acquireHostBatch}). */
const memories = new WeakMap<ArrayBuffer, WebAssembly.Memory>();
const WASM_PAGE_BYTES = 65_536;

/**
 * A host batch of `length` floats for one call's exclusive use (contents undefined): the kept
 * buffer when it is free and large enough, else a new one. Give it back with {@link releaseHostBatch}.
 * `inWasmMemory`: the buffer is a WebAssembly.Memory's ({@link wasmMemoryOf}) where this engine
 * has WebAssembly (a writer's module can then write the batch in place), a plain one elsewhere.
 */
export function acquireHostBatch(length: number, inWasmMemory = false): Float32Array<ArrayBuffer> {
  const kept = free;
  const wasm = inWasmMemory && typeof WebAssembly === 'object';
  if (kept && kept.length >= length && (!wasm || memories.has(kept.buffer))) {
    free = undefined;
    return kept.length === length ? kept : kept.subarray(0, length);
  }
  return (wasm && memoryBacked(length)) || new Float32Array(length);
}

/** `length` floats in a new WebAssembly.Memory, or undefined where the engine refuses one (address space). */
function memoryBacked(length: number): Float32Array<ArrayBuffer> | undefined {
  let memory: WebAssembly.Memory;
  try {
    // Never grown, so its buffer (and every view of it) stays valid for the memory's lifetime.
    memory = new WebAssembly.Memory({ initial: Math.ceil((length * 4) / WASM_PAGE_BYTES) });
  } catch {
    return undefined; // a plain buffer: its writer falls back to JS (same bits)
  }
  memories.set(memory.buffer, memory);
  return new Float32Array(memory.buffer, 0, length);
}

/** The WebAssembly.Memory `batch` lives in, when {@link acquireHostBatch} made it in one. */
export function wasmMemoryOf(batch: Float32Array): WebAssembly.Memory | undefined {
  return batch.buffer instanceof ArrayBuffer ? memories.get(batch.buffer) : undefined;
}

/**
 * Returns a buffer from {@link acquireHostBatch}; it is kept for {@link KEEP_MS} when it is at most
 * {@link MAX_KEPT_BYTES} (a WebAssembly.Memory's is whole pages, and MAX_KEPT_BYTES is too) and
 * larger than the one kept already, or as large and in a WebAssembly.Memory where that one is not
 * (a memory's buffer serves both kinds of caller). One buffer at most.
 */
export function releaseHostBatch(batch: Float32Array<ArrayBuffer>): void {
  const whole = new Float32Array(batch.buffer);
  if (whole.byteLength > MAX_KEPT_BYTES || (free && !keepsOver(whole, free))) return;
  free = whole;
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => {
    free = undefined;
    timer = undefined;
  }, KEEP_MS);
  // Node: the kept buffer must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
}

/**
 * Whether a batch of `batchLength` floats gets `room` more floats beside it (a writer's staging,
 * see evaluateBatches): only while the whole stays keepable, so a batch the pool kept before keeps
 * being kept (and a batch too large for it grows by nothing).
 */
export function roomFits(batchLength: number, room: number): boolean {
  return (batchLength + room) * 4 <= MAX_KEPT_BYTES;
}

function keepsOver(candidate: Float32Array<ArrayBuffer>, kept: Float32Array<ArrayBuffer>): boolean {
  if (candidate.length !== kept.length) return candidate.length > kept.length;
  return memories.has(candidate.buffer) && !memories.has(kept.buffer);
}

/** Bytes the pool holds between calls right now (0 or one buffer's size): for tests and diagnostics. */
export function keptHostBatchBytes(): number {
  return free?.byteLength ?? 0;
}
