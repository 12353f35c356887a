// SPDX-License-Identifier: Apache-2.0
import { vi } from 'vitest';

/** Runs `work` with `proto[method]` spied on (calls go through) and returns its result and the call count; the spy is removed even when `work` throws. */
async function countCalls<P extends object, T>(
  proto: P,
  method: keyof P & string,
  work: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const spy = vi.spyOn(proto, method as never);
  try {
    const result = await work();
    return { result, calls: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

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
  const { result, calls } = await countCalls(GPUQueue.prototype, 'submit', work);
  return { result, submits: calls };
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
  const { result, calls } = await countCalls(GPUBuffer.prototype, 'mapAsync', work);
  return { result, readbacks: calls };
}

/** What {@link countQueueWaits} returns: the work's own result and how many onSubmittedWorkDone calls it made. */
export interface QueueWaited<T> {
  readonly result: T;
  readonly waits: number;
}

/**
 * Runs `work` with GPUQueue.prototype.onSubmittedWorkDone spied on (calls go through) and returns its
 * result with the number of queue waits it made (each a round trip of its own on Chromium); the spy
 * is removed even when `work` throws.
 */
export async function countQueueWaits<T>(work: () => Promise<T>): Promise<QueueWaited<T>> {
  const { result, calls } = await countCalls(GPUQueue.prototype, 'onSubmittedWorkDone', work);
  return { result, waits: calls };
}
