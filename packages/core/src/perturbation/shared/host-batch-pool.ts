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

/**
 * A host batch of `length` floats for one call's exclusive use (contents undefined): the kept
 * buffer when it is free and large enough, else a new one. Give it back with {@link releaseHostBatch}.
 */
export function acquireHostBatch(length: number): Float32Array<ArrayBuffer> {
  const kept = free;
  if (kept && kept.length >= length) {
    free = undefined;
    return kept.length === length ? kept : kept.subarray(0, length);
  }
  return new Float32Array(length);
}

/**
 * Returns a buffer from {@link acquireHostBatch}; it is kept for {@link KEEP_MS} when it is at most
 * {@link MAX_KEPT_BYTES} and larger than the one kept already (one buffer at most).
 */
export function releaseHostBatch(batch: Float32Array<ArrayBuffer>): void {
  const whole = new Float32Array(batch.buffer);
  if (whole.byteLength > MAX_KEPT_BYTES || (free && free.length >= whole.length)) return;
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

/** Bytes the pool holds between calls right now (0 or one buffer's size): for tests and diagnostics. */
export function keptHostBatchBytes(): number {
  return free?.byteLength ?? 0;
}
