// SPDX-License-Identifier: Apache-2.0
import { vi } from 'vitest';

/** What {@link countSubmits} returns: the work's own result and how many queue.submit calls it made. */
export interface Submitted<T> {
  readonly result: T;
  readonly submits: number;
}

/**
 * Runs `work` with GPUQueue.prototype.submit spied on (calls go through to the real submit) and
 * returns its result with the number of submits it made, on any queue; the spy is removed even when
 * `work` throws. For tests that pin how many times a pipeline goes to the GPU (e.g. "all passes in
 * one submit").
 */
export async function countSubmits<T>(work: () => Promise<T>): Promise<Submitted<T>> {
  const submit = vi.spyOn(GPUQueue.prototype, 'submit');
  try {
    const result = await work();
    return { result, submits: submit.mock.calls.length };
  } finally {
    submit.mockRestore();
  }
}

/** What {@link countReadbacks} returns: the work's own result and how many GPUBuffer.mapAsync calls it made. */
export interface ReadBack<T> {
  readonly result: T;
  readonly readbacks: number;
}

/**
 * Runs `work` with GPUBuffer.prototype.mapAsync spied on (calls go through) and returns its result
 * with the number of readbacks it made (each a GPU round trip, a GPU-process one on Chromium); the
 * spy is removed even when `work` throws.
 */
export async function countReadbacks<T>(work: () => Promise<T>): Promise<ReadBack<T>> {
  const mapAsync = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
  try {
    const result = await work();
    return { result, readbacks: mapAsync.mock.calls.length };
  } finally {
    mapAsync.mockRestore();
  }
}
