// SPDX-License-Identifier: Apache-2.0
// How the page times a row: rounds of the bare passes and the webxai work interleaved on tfjs's
// current backend (the first round a warm-up), and on webgpu the WebGPU calls of one run of each.
import * as tf from '@tensorflow/tfjs';

/** The two sides of a row; each resolves when its work is done (read back or the queue drained). */
export interface Sides {
  readonly bare: () => Promise<void>;
  readonly method: () => Promise<void>;
}

/** The timed rounds of both sides (ms) and, on webgpu, the calls of one run of each. */
export interface Times {
  bare: number[];
  method: number[];
  methodCalls: Record<string, number>;
  bareCalls: Record<string, number>;
}

export { median } from '../src/median.js';

/** Counts WebGPU calls made while `work` runs (prototype wrappers, installed once). */
const calls: Record<string, number> = {};
export function countCalls(): void {
  const wrap = (proto: object, method: string, label: string) => {
    const target = proto as Record<string, (...args: unknown[]) => unknown>;
    const original = target[method]!;
    target[method] = function (this: unknown, ...args: unknown[]) {
      calls[label] = (calls[label] ?? 0) + 1;
      // <xai-heatmap>'s asynchronous read-out (nothing waits for it to draw) is also counted apart.
      if (label === 'mapAsync' && (this as GPUBuffer).label === 'xai-heatmap.readout') calls.readout = (calls.readout ?? 0) + 1;
      return original.apply(this, args);
    };
  };
  wrap(GPUQueue.prototype, 'submit', 'submit');
  wrap(GPUQueue.prototype, 'onSubmittedWorkDone', 'workDone');
  wrap(GPUQueue.prototype, 'writeBuffer', 'writeBuffer');
  wrap(GPUBuffer.prototype, 'mapAsync', 'mapAsync');
  wrap(GPUDevice.prototype, 'createBuffer', 'createBuffer');
  wrap(GPUDevice.prototype, 'createBindGroup', 'createBindGroup');
  wrap(GPUDevice.prototype, 'createComputePipeline', 'createPipeline');
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', 'createPipeline');
}

export async function counted(work: () => Promise<void>): Promise<Record<string, number>> {
  for (const key of Object.keys(calls)) delete calls[key];
  await work();
  return { ...calls };
}

async function timeOnce(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** `rounds` timed rounds of bare then method after a warm-up round, then (on webgpu) one counted run of each. */
export async function measure(sides: Sides, rounds: number): Promise<Times> {
  const times: Times = { bare: [], method: [], methodCalls: {}, bareCalls: {} };
  for (let round = 0; round <= rounds; round++) {
    const bare = await timeOnce(sides.bare);
    const method = await timeOnce(sides.method);
    if (round === 0) continue; // warm-up: pipelines compile, tfjs caches programs
    times.bare.push(bare);
    times.method.push(method);
  }
  if (tf.getBackend() === 'webgpu') {
    times.methodCalls = await counted(sides.method);
    times.bareCalls = await counted(sides.bare);
  }
  return times;
}
