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
