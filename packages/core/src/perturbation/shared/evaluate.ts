// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { AbortedError, invariant, ModelError } from '@webxai/shaders';
import { resolveTargetsOnHost, type Target } from '../../api/targets.js';
import type { ExecutionPath } from '../../api/types.js';
import { kernelToTensor } from '../../interop/tfjs-webgpu.js';
import { checkBlackBoxScores, checkClassCount } from '../../model/adapt.js';
import { checkFiniteScores } from '../../model/non-finite-scores.js';
import { raceAbort } from '../../api/abort.js';
import type { BlackBoxModel, ModelAdapter } from '../../model/types.js';
import type { BatchLayout } from './perturb-cpu.js';
import { checkpoint } from '../../api/abort.js';
import { acquireHostBatch, releaseHostBatch, roomFits, wasmMemoryOf } from './host-batch-pool.js';

/**
 * A black box that also takes NCHW batches (fromOnnx with layout 'nchw'): the CPU path then
 * writes perturbed images planar, straight into the model's input, with no transpose.
 */
export interface PlanarBlackBox extends BlackBoxModel {
  /** Same as predict, for an NCHW batch; `shape` stays [n, h, w, c]. */
  predictNchw(batch: Float32Array, shape: [n: number, h: number, w: number, c: number]): Promise<Float32Array>;
}

function isPlanar(model: BlackBoxModel): model is PlanarBlackBox {
  return typeof (model as Partial<PlanarBlackBox>).predictNchw === 'function';
}

/**
 * True when perturbed batches are made on the host: a black box (without preprocess) reads host
 * memory, so its batches are written there by the CPU code whatever the path (a GPU batch would
 * only be read back); webxai's other kernels (regression, scatter) still follow the path.
 */
export function hostBatches(env: Pick<PerturbationEnv, 'model' | 'preprocess'>): boolean {
  return env.model.kind === 'black-box' && !env.preprocess;
}

/**
 * True when perturbed batches are made by kernels on the GPU, straight into the model's input
 * tensor: a tfjs model (or a preprocessed black box) on the GPU path. Pick the {@link BatchWriter}
 * with it.
 */
export function gpuBatches(env: Pick<PerturbationEnv, 'model' | 'preprocess' | 'path'>): boolean {
  return env.path === 'gpu' && !hostBatches(env);
}

/** Height, width and channels of the images being perturbed. */
export interface ImageGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Everything the batch loop needs to know about the model and the call. */
export interface PerturbationEnv {
  readonly method: string;
  readonly model: ModelAdapter;
  readonly geometry: ImageGeometry;
  /** Images per model call. */
  readonly batchSize: number;
  readonly path: ExecutionPath;
  readonly signal: AbortSignal | undefined;
  /** The user's preprocess option is set (black boxes then go through tfjs). */
  readonly preprocess: boolean;
}

/**
 * Writes perturbed images `first .. first + count - 1`, on the GPU when {@link gpuBatches} says so
 * and on the host otherwise.
 */
export type BatchWriter =
  | {
      readonly on: 'gpu';
      /** Into `output`, a buffer that becomes the model's input tensor (NHWC, no readback). */
      write(output: GPUBuffer, first: number, count: number): Promise<void>;
    }
  | {
      readonly on: 'host';
      /**
       * Floats of room the writer wants after the batch in the batch's own buffer (see
       * {@link HostStaging}); given only where the batch goes straight to a black box and batch
       * and room together stay within what the host batch pool keeps (roomFits).
       */
      readonly staging?: number;
      /**
       * The batch and its room in one WebAssembly.Memory ({@link HostStaging}'s `memory`) where
       * the engine has WebAssembly: for a writer that writes with a WebAssembly module.
       */
      readonly wasmMemory?: boolean;
      /** Into `output` (count * H * W * C values) in `layout` (NCHW only for a planar black box). */
      write(output: Float32Array, first: number, count: number, layout: BatchLayout, staging?: HostStaging): void;
    };

/**
 * The room a host writer asked for ({@link BatchWriter}'s `staging`) after the batch, in the same
 * buffer: `whole` covers the batch (output index i is whole index i) and the room from `offset`.
 * What the writer leaves there stays for the rest of the batch loop (one object per loop, so a
 * writer can tell a new loop, whose room holds anything, by identity). Sources kept there are
 * copied into the batch with `whole.copyWithin`: no subarray per span, unlike `set`.
 */
export interface HostStaging {
  readonly whole: Float32Array;
  readonly offset: number;
  /** The WebAssembly.Memory `whole` lives in, when the writer asked for one and the engine has WebAssembly. */
  readonly memory?: WebAssembly.Memory;
  /**
   * Between the writer's calls of one loop the batch holds exactly what the writer left there: the
   * box declares that it never writes into its input ({@link BlackBoxModel.readsInputOnly}), and
   * nothing else writes into the batch. A writer may then rewrite only what changed per image.
   */
  readonly batchKept?: boolean;
}

/** A {@link BatchWriter} that writes on the host. */
export type HostBatchWriter = Extract<BatchWriter, { on: 'host' }>;

/** Scores of one batch: `count` rows of `classes` values. */
export type BatchHandler = (first: number, count: number, scores: Float32Array, classes: number) => void | Promise<void>;

/**
 * Feeds `total` perturbed images to the model in batches and hands every batch's scores to
 * `onBatch`. tfjs model on the GPU path: each batch is written by kernels straight into a tfjs
 * tensor's buffer (`createTensorBuffer`), read by the model without a copy. Black box: the batch is
 * written on the host, straight into the Float32Array the model receives (NCHW for a planar
 * black box such as fromOnnx's), so nothing is read back from the GPU (see blackBoxBatches). tfjs
 * model on the CPU path: a host batch becomes a tensor. Checks the signal before every batch and
 * releases each batch's tensors whatever happens.
 */
export async function evaluateBatches(
  env: PerturbationEnv,
  total: number,
  writer: BatchWriter,
  onBatch: BatchHandler,
  readback: ScoreReadback = 'per-batch',
): Promise<void> {
  const { model, geometry, signal } = env;
  const { height, width, channels } = geometry;
  const limit = model.kind === 'black-box' ? Math.min(env.batchSize, (model.source as BlackBoxModel).maxBatch ?? Infinity) : env.batchSize;
  invariant(writer.on === (gpuBatches(env) ? 'gpu' : 'host'), `${env.method}: a ${writer.on} batch writer on the ${env.path} path`);
  if (total <= 0) return;
  if (writer.on === 'host' && hostBatches(env)) return blackBoxBatches(env, total, limit, writer, onBatch);
  if (writer.on === 'gpu' && readback === 'once' && total > limit && model.forward) {
    await gpuBatchesReadOnce(env, total, limit, writer, onBatch, model.forward, []);
    return;
  }
  for (let first = 0; first < total; first += limit) {
    await checkpoint(signal, env.method);
    const count = Math.min(limit, total - first);
    let input: tf.Tensor4D;
    if (writer.on === 'gpu') {
      input = await kernelToTensor([count, height, width, channels], (target) => writer.write(target, first, count));
    } else {
      const batch = new Float32Array(count * height * width * channels);
      writer.write(batch, first, count, 'nhwc');
      input = tf.tensor4d(batch, [count, height, width, channels]);
    }
    // One readback per batch: the scores, checked for NaN/Inf on the host.
    const scores = (await model.predictValues(input, signal).finally(() => input.dispose())).values;
    await onBatch(first, count, scores, scores.length / count);
  }
}

/**
 * When a GPU batch loop reads the model's scores back: after every batch (a NaN in batch k stops the
 * loop before batch k + 1 runs; progress per batch), or `'once'` after the last batch, for callers
 * that need every score of the call before they go on (anchors' draws): the GPU runs the batches back
 * to back instead of waiting for a round trip between them (on Chromium each is an IPC to the GPU
 * process).
 */
export type ScoreReadback = 'per-batch' | 'once';

/**
 * evaluateBatches on the GPU path with one readback, after score rows the caller has already sent
 * forward (`leading`, which it owns from here: disposed whatever happens). A tfjs model on the GPU
 * path only ({@link gpuBatches}). The leading rows come back first in the same readback and are
 * returned; the batches' rows go to `onBatch`.
 */
export async function evaluateGpuBatchesAfter(
  env: PerturbationEnv,
  leading: tf.Tensor2D,
  total: number,
  writer: Extract<BatchWriter, { on: 'gpu' }>,
  onBatch: BatchHandler,
): Promise<Float32Array> {
  const forward = env.model.forward;
  if (!gpuBatches(env) || !forward) {
    leading.dispose();
    invariant(false, `${env.method}: evaluateGpuBatchesAfter needs a tfjs model on the GPU path`);
  }
  return gpuBatchesReadOnce(env, total, env.batchSize, writer, onBatch, forward, [leading]);
}

/**
 * evaluateBatches on the GPU path with one readback: every batch is written and run forward, then
 * all scores come back in one readback (a Concat after the `leading` rows, which it disposes), are
 * checked for NaN / Inf on the host as predictValues checks them, and go to `onBatch` batch by
 * batch. Same scores as per-batch reads. Returns the leading rows' values.
 */
async function gpuBatchesReadOnce(
  env: PerturbationEnv,
  total: number,
  limit: number,
  writer: Extract<BatchWriter, { on: 'gpu' }>,
  onBatch: BatchHandler,
  forward: (x: tf.Tensor4D) => tf.Tensor2D,
  leading: readonly tf.Tensor2D[],
): Promise<Float32Array> {
  const outputs: tf.Tensor2D[] = [...leading];
  let values: Float32Array;
  try {
    outputs.push(...(await recordGpuBatches(env, total, limit, writer, forward)));
    const all = tf.concat(outputs);
    values = (await all.data().finally(() => all.dispose())) as Float32Array;
  } finally {
    tf.dispose(outputs);
  }
  checkFiniteScores(values, env.model.kind);
  const leadingRows = leading.reduce((rows, t) => rows + t.shape[0], 0);
  const classes = values.length / (leadingRows + total);
  const after = values.subarray(leadingRows * classes);
  for (let first = 0; first < total; first += limit) {
    const count = Math.min(limit, total - first);
    await onBatch(first, count, after.subarray(first * classes, (first + count) * classes), classes);
  }
  return values.subarray(0, leadingRows * classes);
}

/**
 * Writes every batch of `total` perturbed images (`limit` a batch) and sends it forward on the GPU
 * path, reading nothing back: the batches' scores, in order, still on the device (the caller
 * disposes them; on an error they are disposed here).
 */
export async function recordGpuBatches(
  env: Pick<PerturbationEnv, 'method' | 'geometry' | 'signal'>,
  total: number,
  limit: number,
  writer: Extract<BatchWriter, { on: 'gpu' }>,
  forward: (x: tf.Tensor4D) => tf.Tensor2D,
): Promise<tf.Tensor2D[]> {
  const { height, width, channels } = env.geometry;
  const outputs: tf.Tensor2D[] = [];
  try {
    for (let first = 0; first < total; first += limit) {
      await checkpoint(env.signal, env.method);
      const count = Math.min(limit, total - first);
      const input = await kernelToTensor([count, height, width, channels], (target) => writer.write(target, first, count));
      outputs.push(tf.tidy(() => forward(input)));
      input.dispose();
    }
    return outputs;
  } catch (error) {
    tf.dispose(outputs);
    throw error;
  }
}

/**
 * evaluateBatches for a black box: every batch is written on the host into one pooled buffer
 * (host-batch-pool.ts; on an error it is left to GC, since the box may still read it) and handed
 * to the box as is; batch k + 1 is written into the same memory once batch k's scores are back.
 * Writing it into a second buffer while onnxruntime-node ran batch k was measured and dropped
 * (session 26): on 2 cores ORT's threads lost more than the gaps between runs saved (anchors ~10 ms
 * slower per explanation).
 */
async function blackBoxBatches(
  env: PerturbationEnv,
  total: number,
  limit: number,
  writer: HostBatchWriter,
  onBatch: BatchHandler,
): Promise<void> {
  const { height, width, channels } = env.geometry;
  const perImage = height * width * channels;
  const box = env.model.source as BlackBoxModel;
  const planar = isPlanar(box);
  const batchLength = Math.min(limit, total) * perImage;
  const room = writer.staging && roomFits(batchLength, writer.staging) ? writer.staging : 0;
  const buffer = acquireHostBatch(batchLength + room, room > 0 && writer.wasmMemory === true);
  const memory = wasmMemoryOf(buffer);
  const kept = box.readsInputOnly === true;
  const staging: HostStaging | undefined = room
    ? { whole: buffer, offset: batchLength, ...(memory && { memory }), batchKept: kept }
    : undefined;
  for (let first = 0; first < total; first += limit) {
    await checkpoint(env.signal, env.method);
    const count = Math.min(limit, total - first);
    const batch = buffer.subarray(0, count * perImage);
    writer.write(batch, first, count, planar ? 'nchw' : 'nhwc', staging);
    const scores = await predictBlackBox(box, batch, [count, height, width, channels], planar, env.signal);
    await onBatch(first, count, scores, scores.length / count);
  }
  releaseHostBatch(buffer);
}

/** Calls a black box's predict directly with the same checks as the model adapter's. */
async function predictBlackBox(
  model: BlackBoxModel,
  batch: Float32Array,
  shape: [number, number, number, number],
  planar: boolean,
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  let scores: unknown;
  try {
    scores = await raceAbort(
      Promise.resolve(planar ? (model as PlanarBlackBox).predictNchw(batch, shape) : model.predict(batch, shape)),
      signal,
      'predict',
    );
  } catch (cause) {
    if (cause instanceof AbortedError) throw cause;
    throw new ModelError(`the black-box model's predict() rejected: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  const checked = checkBlackBoxScores(scores, shape[0], model.numClasses);
  checkClassCount(model, checked.length / shape[0]);
  return checked;
}

/** Column `target` of `count` rows of `classes` scores, as f64. */
export function targetColumn(scores: Float32Array, classes: number, count: number, target: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = scores[i * classes + target]!;
  return out;
}

/**
 * The model's scores for the unperturbed images ([n, classes] as f32) and the resolved targets, in
 * one readback ('predicted' is each row's first maximum, found on the host).
 */
export async function originalScores(
  model: ModelAdapter,
  input: tf.Tensor4D,
  target: Target | undefined,
  signal: AbortSignal | undefined,
): Promise<{ scores: Float32Array; classes: number; targets: number[] }> {
  const { values: scores, classes } = await model.predictValues(input, signal);
  return { scores, classes, targets: resolveTargetsOnHost(target, scores, input.shape[0], classes) };
}

/**
 * The image `index` of a batch as [1, h, w, c] (caller disposes), for the GPU paths that build
 * their batches from the tensor alone (no host values, so no readback).
 */
export function imageTensorAt(input: tf.Tensor4D, index: number): tf.Tensor4D {
  const [, h, w, c] = input.shape;
  // A batch of one image is its own image: a clone shares its data, where a slice copies it (a
  // kernel and a submit: ~2 ms of the set-up at 224x224 on lavapipe). The callers only read it.
  return input.shape[0] === 1 && index === 0 ? tf.clone(input) : tf.slice(input, [index, 0, 0, 0], [1, h, w, c]);
}

/**
 * The image `index` of a batch, as [1, h, w, c] (caller disposes) and as HWC host values: a view
 * of the batch's host `values` when the caller has them (no readback), else read back.
 */
export async function imageAt(
  input: tf.Tensor4D,
  index: number,
  values?: Float32Array,
): Promise<{ tensor: tf.Tensor4D; values: Float32Array }> {
  const tensor = imageTensorAt(input, index);
  return { tensor, values: values ? imageView(input, index, values) : ((await tensor.data()) as Float32Array) };
}

/** Image `index`'s HWC host values alone: a view of the batch's `values` when given, else read back. */
export async function imageValuesAt(input: tf.Tensor4D, index: number, values?: Float32Array): Promise<Float32Array> {
  if (values) return imageView(input, index, values);
  const tensor = imageTensorAt(input, index);
  try {
    return (await tensor.data()) as Float32Array;
  } finally {
    tensor.dispose();
  }
}

function imageView(input: tf.Tensor4D, index: number, values: Float32Array): Float32Array {
  const [, h, w, c] = input.shape;
  return values.subarray(index * h * w * c, (index + 1) * h * w * c);
}
