// SPDX-License-Identifier: Apache-2.0
// What every fuzz case must satisfy: success or a typed XaiError (never a generic error), within a
// deadline (never a hang), and afterwards no leaked tensors or GPU buffers and a working device.
import * as tf from '@tensorflow/tfjs';
import { XaiError } from '@webxai/shaders';
import { disposeResult, flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../src/index.js';
import { CASE_DEADLINE_MS } from './config.js';

/** The outcome of one case. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `run` against the hard deadline; a case still running past it is a hang. */
export async function withinDeadline(label: string, run: () => Promise<unknown>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${label} did not settle within ${CASE_DEADLINE_MS} ms`)), CASE_DEADLINE_MS);
  });
  try {
    return { ok: true, value: await Promise.race([run(), hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('HANG:')) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Throws unless `outcome` is a success or a typed XaiError; disposes a successful result. */
export function expectTypedOutcome(label: string, outcome: Outcome): void {
  if (outcome.ok) {
    if (typeof outcome.value === 'object' && outcome.value !== null) disposeResult(outcome.value);
    return;
  }
  const error = outcome.error;
  if (!(error instanceof XaiError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    throw new Error(`GENERIC ERROR from ${label}: ${detail}`);
  }
}

/**
 * Live tensors and tfjs GPU buffers (webgpu only). tfjs releases a disposed tensor's buffer at its
 * next submit, so pending work is submitted and waited for first.
 */
export async function memorySnapshot(): Promise<{ tensors: number; buffers: number }> {
  if (tf.getBackend() !== 'webgpu') return { tensors: tf.memory().numTensors, buffers: 0 };
  flushTfjs();
  await tfjsDevice().queue.onSubmittedWorkDone();
  return { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
}

/** Throws if memory grew since `before`, or the device can no longer compute 1 + 1. */
export async function expectCleanAndWorking(label: string, before: { tensors: number; buffers: number }): Promise<void> {
  const after = await memorySnapshot();
  if (after.tensors !== before.tensors || after.buffers !== before.buffers) {
    throw new Error(
      `LEAK after ${label}: tensors ${before.tensors} -> ${after.tensors}, GPU buffers ${before.buffers} -> ${after.buffers}`,
    );
  }
  const two = tf.tidy(() => tf.add(tf.ones([4]), 1));
  const values = Array.from(await two.data());
  two.dispose();
  if (values.some((v) => v !== 2)) throw new Error(`DEVICE BROKEN after ${label}: 1 + 1 = ${values}`);
}
