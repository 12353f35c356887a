// SPDX-License-Identifier: Apache-2.0
// How the page times a row: warm-up rounds, then rounds of the bare passes and the webxai work
// interleaved on tfjs's current backend, and on webgpu the WebGPU calls of one run of each.
import * as tf from '@tensorflow/tfjs';
import { flushTfjs, tfjsDevice } from '@webxai/core';
import type { BarePasses } from '../src/browser-cases.js';
import { watchModelCalls } from '../src/model-calls.js';
import { timedRoundsAsked } from '../src/round-policy.js';

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

/** Waits for what tfjs and webxai have queued on webgpu; on cpu the ops have run already. */
export async function settleGpu(): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  flushTfjs();
  await tfjsDevice().queue.onSubmittedWorkDone();
}

/** One backend's rounds of a row, the bare passes they ran and the images one run of the method sent through the model. */
export interface MethodTimes extends Times {
  readonly passes: BarePasses;
  readonly methodImages: number;
}

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

/** Batch sizes of the model calls made since the last {@link modelCalls}, recorded by {@link countModelCalls}. */
let modelBatches: number[] = [];

/** Records the batch size of every model call ({@link watchModelCalls}); installed once on the instance. */
export function countModelCalls(model: tf.LayersModel): void {
  watchModelCalls(model, (batch) => modelBatches.push(batch));
}

/** `work`'s model calls (their batch sizes, in order), as {@link countModelCalls} recorded them. */
export async function modelCalls(work: () => Promise<void>): Promise<number[]> {
  modelBatches = [];
  await work();
  return [...modelBatches]; // a copy: later calls (the bare side's) go on recording into modelBatches
}

async function timeOnce(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Short rows run more rounds than asked, up to this many, while their timed rounds add up to less
 * than ROUND_BUDGET_MS: a single-image row (10-30 ms a side) swung +-50% over 2-3 rounds at load 5-8
 * (session 14), and 21 rounds of it cost under 2 s. Rows of seconds keep the rounds asked for.
 */
const MAX_ROUNDS = 21;
const ROUND_BUDGET_MS = 1500;
/**
 * Warm-up rounds (not timed) until this much time has passed, at most MAX_WARMUP_ROUNDS: one round
 * did not warm tfjs-cpu's kernels up (the first row's cpu time read 23-166 ms against 7-45 ms for the
 * same passes one row later, session 14).
 */
const WARMUP_MS = 300;
const MAX_WARMUP_ROUNDS = 5;
/**
 * The warm-up of a row's first block on webgpu, where the row's own host code first runs in the page
 * and reaches its speed only after a few calls (JavaScript and WebAssembly tier-up). Measured for
 * XRAI (session 49): its six segmentations of a digit took 293, 107, 45, 41, 36 ms in its first
 * explanations of a page and 16-50 ms later; with 300 ms of warm-up (one XRAI round) its four timed
 * rounds caught that descent while its bare side's tfjs code was warm from the rows before. Every row
 * gets the same warm-up, so no row's own code is timed colder than another's.
 */
export const FIRST_BLOCK_WARMUP_MS = 1500;

/** Whether the run asked for its rounds (--rounds): then no side times fewer (round-policy.ts). */
let roundsGiven = false;

/** page.ts: whether --rounds was given. */
export function setRoundsGiven(given: boolean): void {
  roundsGiven = given;
}

/** One round: bare then method, each timed. */
async function round(sides: Sides): Promise<{ bare: number; method: number }> {
  const bare = await timeOnce(sides.bare);
  return { bare, method: await timeOnce(sides.method) };
}

/**
 * Warm-up rounds for `warmupMs` (pipelines compile, tfjs caches programs and warms its kernels, the
 * host code tiers up; at least one, at most MAX_WARMUP_ROUNDS), then at least
 * `rounds` timed rounds of bare then method (more for short rows, see MAX_ROUNDS; fewer for long
 * rows on cpu: round-policy.ts), then (on webgpu) one counted run of each.
 */
export async function measure(sides: Sides, rounds: number, warmupMs = WARMUP_MS): Promise<Times> {
  const times: Times = { bare: [], method: [], methodCalls: {}, bareCalls: {} };
  const warmupStart = performance.now();
  for (let warm = 0; warm < MAX_WARMUP_ROUNDS && (warm === 0 || performance.now() - warmupStart < warmupMs); warm++) await round(sides);
  const asked = timedRoundsAsked({ backend: tf.getBackend(), warmupMs: performance.now() - warmupStart, rounds, roundsGiven });
  let spent = 0;
  while (times.bare.length < asked || (times.bare.length < MAX_ROUNDS && spent < ROUND_BUDGET_MS)) {
    const { bare, method } = await round(sides);
    times.bare.push(bare);
    times.method.push(method);
    spent += bare + method;
  }
  if (tf.getBackend() === 'webgpu') {
    times.methodCalls = await counted(sides.method);
    times.bareCalls = await counted(sides.bare);
  }
  return times;
}
