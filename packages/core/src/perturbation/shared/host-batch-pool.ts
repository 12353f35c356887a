// SPDX-License-Identifier: Apache-2.0
// Black boxes get their perturbed batches in one host Float32Array per call (tens of MB at 224x224).
// A fresh one per call costs its first-touch page faults every time — 1.5 s for 38 MB on a
// Firecracker VM, where it doubled the metrics' time against the bare forward passes — so the last
// one is kept for the next call and freed once the caller has been idle for a while.

/**
 * How long a released batch buffer is kept for the next call: long enough to span what a caller
 * typically does between black-box calls (a trust report explains between metrics; a benchmark
 * runs the bare model), short enough not to pin tens of MB in an idle page.
 */
const KEEP_MS = 10_000;

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

/** Returns a buffer from {@link acquireHostBatch}; it is kept (the largest one) for {@link KEEP_MS}. */
export function releaseHostBatch(batch: Float32Array<ArrayBuffer>): void {
  const whole = new Float32Array(batch.buffer);
  if (free && free.length >= whole.length) return;
  free = whole;
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => {
    free = undefined;
    timer = undefined;
  }, KEEP_MS);
  // Node: the kept buffer must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
}
