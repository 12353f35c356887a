// SPDX-License-Identifier: Apache-2.0
import type { BatchLayout } from '../../perturbation/shared/perturb-cpu.js';
import {
  evaluateBatches,
  evaluateGpuBatchesAfter,
  gpuBatches,
  type BatchWriter,
  type PerturbationEnv,
} from '../../perturbation/shared/evaluate.js';
import { flushTfjs, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { invariant } from '@webxai/shaders';
import { resolveTargetsOnHost } from '../../api/targets.js';
import type { MetricInputs, MetricInputsBase, ReadingMetricInputs } from '../types.js';
import { readInputs } from './attribution.js';
import { collectScores, metricEnv, recordOriginalScores } from './masked-batches.js';

/**
 * On the GPU path the images are scored in at least this many batches with one readback at the
 * end, so the host writes (solves) batch k + 1 while the GPU runs batch k (ROAD on MobileNetV2-224,
 * lavapipe, under load: 3.54 -> 3.27 s for its 10 images).
 */
const PIPELINE_BATCHES = 3;

/** Writes images first .. first + count - 1 into `out` (count * H * W * C values) in `layout`. */
export type HostImageWriter = (out: Float32Array, first: number, count: number, layout: BatchLayout) => void;

/**
 * The model's scores for `total` images written on the host (noise perturbations, ROAD's
 * imputations: a few images whose values need host-side solves or must match a host-side dot
 * product). A black box receives them directly; a tfjs model on the GPU path gets each batch
 * uploaded once into the buffer that becomes its input tensor (no readback), pipelined (above).
 */
async function scoreHostImages(
  method: string,
  inputs: MetricInputs,
  total: number,
  write: HostImageWriter,
): Promise<{ scores: Float32Array; classes: number }> {
  const env = metricEnv(method, inputs);
  if (gpuBatches(env)) return scorePipelined(env, total, uploadWriter(inputs, write));
  return collectScores(total, (keep) => evaluateBatches(env, total, { on: 'host', write }, keep));
}

/** A GPU batch writer that writes each batch on the host with `write` and uploads it once into the model's input. */
function uploadWriter(inputs: MetricInputsBase, write: HostImageWriter): Extract<BatchWriter, { on: 'gpu' }> {
  const perImage = inputs.height * inputs.width * inputs.channels;
  let staging = new Float32Array(0);
  return {
    on: 'gpu',
    write(output, first, count) {
      if (staging.length < count * perImage) staging = new Float32Array(count * perImage);
      const batch = staging.subarray(0, count * perImage);
      write(batch, first, count, 'nhwc');
      tfjsDevice().queue.writeBuffer(output, 0, batch);
      return Promise.resolve();
    },
  };
}

/**
 * `total` images from a GPU `writer` whose batches take host work (solves, noise draws), scored in at
 * least PIPELINE_BATCHES batches with one readback at the end: the host writes batch k + 1 while the
 * GPU runs batch k.
 */
export function scorePipelined(
  env: PerturbationEnv,
  total: number,
  writer: Extract<BatchWriter, { on: 'gpu' }>,
): Promise<{ scores: Float32Array; classes: number }> {
  const batchEnv = { ...env, batchSize: Math.min(env.batchSize, Math.ceil(total / PIPELINE_BATCHES)) };
  return collectScores(total, (keep) => evaluateBatches(batchEnv, total, writer, keep, 'once'));
}

/** Copies an HWC image into slot `b` of a batch in `layout`. */
function putImage(out: Float32Array, b: number, image: Float32Array, pixels: number, channels: number, layout: BatchLayout): void {
  const base = b * pixels * channels;
  if (layout === 'nhwc' || channels === 1) {
    out.set(image, base);
    return;
  }
  for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) out[base + c * pixels + p] = image[p * channels + c]!;
}

/** Image `image`'s derived image `derived` (H * W * C values, HWC; read before the next call). */
export type DeriveImage = (image: number, derived: number) => Float32Array;

/** What {@link scoreWithOriginals} returns: scores rows of `classes` values. */
export interface ScoresWithOriginals {
  /** Each image's original scores (n rows). */
  readonly original: Float32Array;
  /** Image i's derived image d at row i * perImage + d. */
  readonly derived: Float32Array;
  readonly classes: number;
  readonly targets: number[];
}

/**
 * Every image's original and `perImage` images derived from it on the host (ROAD's imputations,
 * infidelity's perturbations) scored in one {@link scoreHostImages} call, the original first: its
 * scores come back in the same readback as the derived images', and the targets resolve from them.
 * `derive(i, d)` returns image i's derived image d (H * W * C values, HWC; read before the next call).
 * Needs the metric's `hostInput`.
 */
export async function scoreWithOriginals(
  method: string,
  inputs: MetricInputs,
  perImage: number,
  derive: DeriveImage,
): Promise<ScoresWithOriginals> {
  const { inputValues, height, width, channels } = inputs;
  invariant(inputValues !== undefined, `${method}: scoreWithOriginals needs the metric's hostInput`);
  const [n, pixels, size, slots] = [inputs.input.shape[0], height * width, height * width * channels, 1 + perImage];
  const { scores, classes } = await scoreHostImages(method, inputs, n * slots, (out, first, count, layout) => {
    for (let b = 0; b < count; b++) {
      const [i, d] = [Math.floor((first + b) / slots), (first + b) % slots];
      const image = d === 0 ? inputValues.subarray(i * size, (i + 1) * size) : derive(i, d - 1);
      putImage(out, b, image, pixels, channels, layout);
    }
  });
  const original = new Float32Array(n * classes);
  const derived = new Float32Array(n * perImage * classes);
  for (let i = 0; i < n; i++) {
    const row = i * slots * classes;
    original.set(scores.subarray(row, row + classes), i * classes);
    derived.set(scores.subarray(row + classes, row + slots * classes), i * perImage * classes);
  }
  return { original, derived, classes, targets: resolveTargetsOnHost(inputs.target, original, n, classes) };
}

/**
 * {@link scoreWithOriginals} for a metric that runs while the attribution's readback travels and
 * derives its images from what it reads (ROAD's imputations follow the map's order): on the GPU path
 * the originals go forward from the input tensor at once, so the GPU runs them while the readback
 * crosses (on Chromium a readback takes ~2.6 ms; behind a real GPU a frame or more), then the
 * derived images in pipelined batches (the originals' pass is the pipeline's first), and every
 * score comes back in one readback. Elsewhere it waits for the read and runs scoreWithOriginals.
 * `deriver(read)` gives the images' {@link DeriveImage}.
 */
export async function scoreWithOriginalsWhileReading(
  method: string,
  inputs: ReadingMetricInputs,
  perImage: number,
  deriver: (read: MetricInputs) => DeriveImage,
): Promise<ScoresWithOriginals> {
  const env = metricEnv(method, inputs);
  if (!gpuBatches(env) || !inputs.model.forward) {
    const read = readInputs(inputs, await inputs.reading, true);
    return scoreWithOriginals(method, read, perImage, deriver(read));
  }
  const originals = recordOriginalScores(inputs);
  flushTfjs();
  let read: MetricInputs;
  try {
    read = readInputs(inputs, await inputs.reading, true);
  } catch (error) {
    originals.dispose();
    throw error;
  }
  const derive = deriver(read);
  const { height, width, channels } = inputs;
  const [n, pixels] = [inputs.input.shape[0], height * width];
  const total = n * perImage;
  const writer = uploadWriter(inputs, (out, first, count, layout) => {
    for (let b = 0; b < count; b++) {
      const slot = first + b;
      putImage(out, b, derive(Math.floor(slot / perImage), slot % perImage), pixels, channels, layout);
    }
  });
  const batchSize = Math.min(env.batchSize, Math.ceil(total / (PIPELINE_BATCHES - 1)));
  let original: Float32Array = new Float32Array(0);
  const { scores: derived, classes } = await collectScores(total, async (keep) => {
    original = await evaluateGpuBatchesAfter({ ...env, batchSize }, originals, total, writer, keep);
  });
  return { original, derived, classes, targets: resolveTargetsOnHost(inputs.target, original, n, classes) };
}
