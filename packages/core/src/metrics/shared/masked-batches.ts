// SPDX-License-Identifier: Apache-2.0
import { invariant, throwIfAborted } from '@webxai/shaders';
import {
  evaluateBatches,
  hostBatches,
  type BatchHandler,
  type BatchWriter,
  type PerturbationEnv,
} from '../../perturbation/shared/evaluate.js';
import { GpuScope } from '../../perturbation/shared/gpu-scope.js';
import { originalScoresOf } from '../../perturbation/shared/host-input.js';
import { GpuMaskBatches } from '../../perturbation/shared/mask-methods.js';
import { CpuPerturber } from '../../perturbation/shared/perturb-cpu.js';
import { tfjsDevice } from '../../interop/tfjs-webgpu.js';
import * as tf from '@tensorflow/tfjs';
import type { MetricInputsBase } from '../types.js';
import type { HostImageWriter } from './host-batches.js';

/** Keep-masks (1 = the image's pixel, 0 = the fill's; one value per pixel) of samples first .. first + count - 1. */
export interface MaskSource {
  /**
   * GPU path: writes the masks into `masks` (count * pixels f32) with kernels or a queue write;
   * buffers it needs come from `scope` (released after the image).
   */
  gpu(scope: GpuScope, masks: GPUBuffer, first: number, count: number): Promise<void>;
  /** CPU path and black boxes: the same masks into `out`. */
  cpu(out: Float32Array, first: number, count: number): void;
  /**
   * Optional CPU-path shortcut: writes the perturbed images themselves (the values the masks would
   * give), when the source knows a faster way than a mask per image through the generic perturber.
   */
  readonly hostImages?: HostImageWriter;
}

/**
 * One image of the batch: [1, h, w, c] on the model's device and its HWC values (needed where the
 * batches are written on the host; the GPU path builds them from the tensor).
 */
export interface MetricImage {
  readonly tensor: tf.Tensor4D;
  readonly values: Float32Array | undefined;
}

/** The perturbation environment of a metric's model calls. */
export function metricEnv(method: string, inputs: MetricInputsBase): PerturbationEnv {
  const { model, height, width, channels, batchSize, path, signal, preprocess } = inputs;
  return { method, model, geometry: { height, width, channels }, batchSize, path, signal, preprocess };
}

/**
 * The model's scores for the unperturbed images and the resolved targets: for a black box from the
 * input's host values through the pooled host batch (no readback, see originalScoresOf), else as
 * originalScores.
 */
export function metricOriginalScores(
  method: string,
  inputs: MetricInputsBase,
): Promise<{ scores: Float32Array; classes: number; targets: number[] }> {
  return originalScoresOf(metricEnv(method, inputs), inputs.input, inputs.hostValues, inputs.target);
}

/**
 * The model's scores of every image of the input, recorded (not read), forward in batches of at most
 * the call's batchSize images: the front of deletion's first readback (recorded-batches.ts) and
 * ROAD's leading rows (host-batches.ts). A new tensor the caller disposes.
 */
export function recordOriginalScores(inputs: Pick<MetricInputsBase, 'model' | 'input' | 'signal' | 'batchSize'>): tf.Tensor2D {
  throwIfAborted(inputs.signal, 'predict');
  const { input, batchSize } = inputs;
  const forward = inputs.model.forward!;
  const [n, h, w, c] = input.shape;
  if (n <= batchSize) return tf.tidy(() => forward(input));
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let first = 0; first < n; first += batchSize) {
      parts.push(forward(tf.slice(input, [first, 0, 0, 0], [Math.min(batchSize, n - first), h, w, c])));
    }
    return tf.concat(parts);
  });
}

/** What {@link evaluateMaskedImages} and {@link scoreMaskedImages} take: the metric, its inputs, the image, the fill, how many masked copies, their masks. */
type MaskedImages = [
  method: string,
  inputs: MetricInputsBase,
  image: MetricImage,
  fill: Float32Array<ArrayBuffer>,
  total: number,
  source: MaskSource,
];

/**
 * Feeds `total` masked copies of one image (fill where the mask is 0) to the model and hands each
 * batch's scores to `onBatch` (a reducer that keeps what it needs: no copy of every row is made).
 * Reuses the perturbation methods' batch machinery: on the GPU path the masks are built on the GPU
 * and perturb-batch writes every batch straight into the model's input buffer (GpuMaskBatches, as
 * occlusion and RISE); a black box gets its batch written on the host (NCHW for a planar ONNX
 * model), with no readback.
 */
export async function evaluateMaskedImages(
  ...[method, inputs, image, fill, total, source, onBatch]: [...MaskedImages, BatchHandler]
): Promise<void> {
  const env = metricEnv(method, inputs);
  if (inputs.path === 'gpu' && !hostBatches(env)) {
    const scope = new GpuScope(tfjsDevice());
    try {
      const batches = new GpuMaskBatches(scope, image.tensor, scope.upload(fill, `${method}.fill`), Math.min(env.batchSize, total), method);
      await evaluateBatches(
        env,
        total,
        batches.writer((first, count) => source.gpu(scope, batches.masks, first, count)),
        onBatch,
      );
    } finally {
      scope.release();
    }
  } else {
    await evaluateBatches(
      env,
      total,
      { on: 'host', write: source.hostImages ?? maskedHostWriter(method, inputs, image, fill, source) },
      onBatch,
    );
  }
}

/** {@link evaluateMaskedImages}, collecting every row: the scores of all `total` images, `classes` per row. */
export function scoreMaskedImages(...job: MaskedImages): Promise<{ scores: Float32Array; classes: number }> {
  return collectScores(job[4], (keep) => evaluateMaskedImages(...job, keep));
}

/** Every batch's score rows of `run` (which passes `keep` as its batch handler), as one array of `total` rows. */
export async function collectScores(
  total: number,
  run: (keep: BatchHandler) => Promise<void>,
): Promise<{ scores: Float32Array; classes: number }> {
  const rows: Float32Array[] = [];
  let classes = 0;
  await run((_first, _count, scores, k) => {
    rows.push(scores.slice());
    classes = k;
  });
  const scores = new Float32Array(total * classes);
  rows.reduce((offset, r) => (scores.set(r, offset), offset + r.length), 0);
  return { scores, classes };
}

/** The generic host writer: the source's masks, then the CPU perturber (the perturbation methods' writer). */
function maskedHostWriter(
  method: string,
  inputs: MetricInputsBase,
  image: MetricImage,
  fill: Float32Array,
  source: MaskSource,
): Extract<BatchWriter, { on: 'host' }>['write'] {
  const pixels = inputs.height * inputs.width;
  invariant(image.values !== undefined, `${method}: the host path writes its batches from the image's values`);
  const perturber = new CpuPerturber(image.values, fill, undefined, pixels, inputs.channels, inputs.width);
  let masks = new Float32Array(0);
  return (out, first, count, layout) => {
    if (masks.length < count * pixels) masks = new Float32Array(count * pixels);
    source.cpu(masks, first, count);
    perturber.write(out, masks, pixels, count, 0, layout);
  };
}

/** A mask source from host masks (random subsets): the GPU path uploads each batch's rows. */
export function hostMaskSource(masks: Float32Array<ArrayBuffer>, pixels: number): MaskSource {
  return {
    gpu(scope, buffer, first, count) {
      scope.device.queue.writeBuffer(buffer, 0, masks, first * pixels, count * pixels);
      return Promise.resolve();
    },
    cpu(out, first, count) {
      out.set(masks.subarray(first * pixels, (first + count) * pixels));
    },
  };
}
