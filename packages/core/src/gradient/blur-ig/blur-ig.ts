// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { blurIgAccumulate, blurIgAccumulateRef, releaseBuffer, runKernel, throwIfAborted, uploadBuffer } from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { createTensorBuffer, gpuBufferOf, keepHostCopy, takesHostCopy, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { chooseBatchSize, checkBatchingOptions, type BatchingOptions } from '../shared/batching.js';
import { createPairBlurrer } from '../shared/blur.js';
import { booleanOption, integerOption, numberOption } from '../../api/options.js';
import { classesAhead, forwardOf, gradientAndScores, seededGradients } from '../target-gradients.js';
import { checkTargetClass, givenTargets } from '../../api/targets.js';
import { readChecked, type InputCheck } from '../../api/input-check.js';
import type { OptionNames } from '../../api/option-names.js';
import { checkpoint } from '../../api/abort.js';
import { checkFiniteScores } from '../../model/non-finite-scores.js';

/** Options of `'blur-ig'` (PAIR-code/saliency `BlurIG.GetMask` defaults). */
export interface BlurIgOptions extends BatchingOptions {
  /** Sigma of the most blurred image, in pixels (default 50). */
  readonly maxSigma?: number;
  /** Path steps (default 100). */
  readonly steps?: number;
  /** Sigma step of the forward difference d blur / d sigma (default 0.01). */
  readonly gradStep?: number;
  /** Space sigmas as sqrt(i * maxSigma / steps) instead of linearly (default false). */
  readonly sqrt?: boolean;
}

/** Option names of blur-ig (checked against BlurIgOptions by the compiler; other names are rejected). */
export const BLUR_IG_OPTION_NAMES: OptionNames<BlurIgOptions> = {
  maxSigma: true,
  steps: true,
  gradStep: true,
  sqrt: true,
  batchSize: true,
  memoryBudgetMB: true,
};

/** Result of `'blur-ig'`. */
export interface BlurIgResult extends ExplainResultBase {
  /** [n, h, w, c]; caller disposes. */
  readonly attribution: tf.Tensor4D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'blur-ig': { options: BlurIgOptions; result: BlurIgResult };
  }
}

/** PAIR's sigma schedule: sigmas[0..steps] (linear or sqrt spacing). */
export function blurSigmas(maxSigma: number, steps: number, sqrt: boolean): Float64Array {
  return Float64Array.from({ length: steps + 1 }, (_, i) => (sqrt ? Math.sqrt((i * maxSigma) / steps) : (i * maxSigma) / steps));
}

interface BlurIgSettings {
  readonly maxSigma: number;
  readonly steps: number;
  readonly gradStep: number;
  readonly sqrt: boolean;
}

/**
 * The gradient pass over a batch of path points starting at path point `firstPoint`; row p is a point
 * of image `images[p]`. Returns a new tensor of the points' shape.
 */
type PointGradients = (points: tf.Tensor4D, images: readonly number[], firstPoint: number) => tf.Tensor4D;

async function blurIgOf(
  input: tf.Tensor4D,
  gradientsOf: PointGradients,
  s: BlurIgSettings,
  options: BatchingOptions,
  call: Pick<CallContext, 'signal' | 'onProgress' | 'path'>,
): Promise<tf.Tensor4D> {
  const [n, h, w, c] = input.shape;
  const elementCount = h * w * c;
  const sigmas = blurSigmas(s.maxSigma, s.steps, s.sqrt);
  const total = n * s.steps;
  const stepOf = (t: number) => t % s.steps;
  const sourceRows = Array.from({ length: total }, (_, t) => Math.floor(t / s.steps));
  // PAIR: total += (sigma_{i+1} - sigma_i) * d blur/d sigma * grad, then * -1 (folded into the weight).
  const weights = Float32Array.from({ length: total }, (_, t) => -(sigmas[stepOf(t) + 1]! - sigmas[stepOf(t)]!));
  // Each point and its sigma neighbour in the same passes (gaussian-blur-pair: the same bits as blurring each alone).
  const blurrer = createPairBlurrer(
    {
      sourceRows,
      sigmas: sourceRows.map((_, t) => sigmas[stepOf(t)]!),
      aheadSigmas: sourceRows.map((_, t) => sigmas[stepOf(t)]! + s.gradStep),
    },
    call.path,
  );
  const batchSize = chooseBatchSize(elementCount, total, options);
  const gpu = call.path === 'gpu';
  const device = gpu ? tfjsDevice() : undefined;
  const weightBuffer = device ? uploadBuffer(device, weights, 'blur-ig.weights') : undefined;
  // Not filled: blur-ig-accumulate starts each image from 0 in the batch holding its first point.
  const attribution = gpu ? createTensorBuffer([n, h, w, c]) : undefined;
  const cpuAttribution = gpu ? undefined : new Float32Array(n * elementCount);
  try {
    for (let firstPoint = 0; firstPoint < total; firstPoint += batchSize) {
      await checkpoint(call.signal, 'blur-ig');
      const count = Math.min(batchSize, total - firstPoint);
      const params = { elementCount, pointCount: count, firstPoint, pointsPerImage: s.steps };
      const [points, forward] = await blurrer.blur(input, firstPoint, count);
      try {
        const gradients = gradientsOf(points, sourceRows.slice(firstPoint, firstPoint + count), firstPoint);
        try {
          if (device && attribution && weightBuffer) {
            await runKernel(device, blurIgAccumulate, {
              params: { ...params, invGradStep: 1 / s.gradStep },
              weights: weightBuffer,
              points: gpuBufferOf(points),
              ahead: gpuBufferOf(forward),
              gradients: gpuBufferOf(gradients),
              attribution: attribution.buffer,
            });
          } else {
            blurIgAccumulateRef(
              weights,
              await points.data(),
              await forward.data(),
              await gradients.data(),
              cpuAttribution!,
              1 / s.gradStep,
              params,
            );
          }
        } finally {
          gradients.dispose();
        }
      } finally {
        tf.dispose([points, forward]);
      }
      call.onProgress?.({ done: firstPoint + count, total });
    }
    return attribution ? attribution.tensor : tf.tensor4d(cpuAttribution!, [n, h, w, c]);
  } catch (error) {
    attribution?.tensor.dispose();
    throw error;
  } finally {
    blurrer.dispose();
    if (device) releaseBuffer(device, weightBuffer);
  }
}

/** The scores of a batch of path points, and which of its rows are images' first points (their clean inputs). */
interface CleanScores {
  readonly scores: tf.Tensor2D;
  readonly rows: readonly number[];
}

/**
 * The gradient pass of a batch starting at path point `firstPoint`, keeping its scores when rows of
 * it are first points: sigma 0 blurs with the kernel [1] (gaussianHalfKernel), so a first point is
 * its image value for value, and its scores are the image's.
 */
function gradientKeepingCleanScores(
  model: ModelAdapter,
  points: tf.Tensor4D,
  rowTargets: readonly number[],
  firstPoint: number,
  steps: number,
  clean: CleanScores[],
): tf.Tensor4D {
  const { gradient, scores } = gradientAndScores(forwardOf(model), points, rowTargets);
  const rows = rowTargets.map((_, p) => p).filter((p) => (firstPoint + p) % steps === 0);
  if (rows.length) clean.push({ scores, rows });
  else scores.dispose();
  return gradient;
}

/**
 * The checks classesForTarget makes before a path, made after it from the path's own clean
 * scores, in the same order (the input's values, the scores' finiteness, the class range) and in
 * ONE readback, which also brings a small attribution along as its host copy (a caller reading it
 * then waits no round trip).
 */
async function checkAfterPath(
  model: ModelAdapter,
  clean: readonly CleanScores[],
  given: readonly number[],
  inputCheck: InputCheck | undefined,
  attribution: tf.Tensor4D,
): Promise<void> {
  const hostCopy = takesHostCopy(attribution.size) ? attribution : undefined;
  const read = await readChecked(inputCheck, [...clean.map((c) => c.scores), hostCopy]);
  let offset = 0;
  for (const { scores, rows } of clean) {
    const classes = scores.shape[1];
    for (const row of rows) {
      const values = read.subarray(offset + row * classes, offset + (row + 1) * classes);
      checkFiniteScores(values, model.kind);
    }
    offset += scores.size;
  }
  for (const c of given) checkTargetClass(c, clean[0]!.scores.shape[1]);
  if (hostCopy) keepHostCopy(hostCopy, read.subarray(offset));
}

/** Blur IG for given classes: the path first, then its checks ({@link checkAfterPath}): no forward pass of its own. */
async function blurIgForGiven(
  model: ModelAdapter,
  input: tf.Tensor4D,
  given: readonly number[],
  settings: BlurIgSettings,
  options: BatchingOptions,
  call: CallContext,
): Promise<tf.Tensor4D> {
  const clean: CleanScores[] = [];
  try {
    const gradientsOf: PointGradients = (points, images, firstPoint) =>
      gradientKeepingCleanScores(
        model,
        points,
        images.map((image) => given[image]!),
        firstPoint,
        settings.steps,
        clean,
      );
    const attribution = await blurIgOf(input, gradientsOf, settings, options, call);
    await checkAfterPath(model, clean, given, call.inputCheck, attribution).catch((error: unknown) => {
      attribution.dispose();
      throw error;
    });
    call.markDrained?.(); // the checks' readback came after the whole path
    return attribution;
  } finally {
    tf.dispose(clean.map((c) => c.scores));
  }
}

/**
 * `'blur-ig'` (Xu et al. 2020, "Attribution in Scale and Space"; PAIR-code/saliency `BlurIG`):
 * integrated gradients along a path of ever stronger Gaussian blurs (sigma from 0 to maxSigma),
 * with PAIR's forward-difference estimate of d blur / d sigma. Path points and their sigma
 * neighbours are blurred together on the GPU (gaussian-blur-pair) straight into the batch tensors.
 *
 * @example
 * const r = await explain(model, image, { method: 'blur-ig', steps: 100, maxSigma: 50 });
 */
export const blurIg: MethodDefinition<'blur-ig'> = {
  name: 'blur-ig',
  requires: 'gradients',
  defersInputCheck: true, // read with the clean input's classes (on their way while the path is recorded), or after the path
  optionNames: BLUR_IG_OPTION_NAMES,
  create(model, options) {
    const settings: BlurIgSettings = {
      maxSigma: numberOption('blur-ig', 'maxSigma', options.maxSigma, 50, 0),
      steps: integerOption('blur-ig', 'steps', options.steps, 100, 1, 1 << 20),
      gradStep: numberOption('blur-ig', 'gradStep', options.gradStep, 0.01, 0, Infinity, true),
      sqrt: booleanOption('blur-ig', 'sqrt', options.sqrt, false),
    };
    checkBatchingOptions('blur-ig', options);
    return {
      async explain(input, call) {
        throwIfAborted(call.signal, 'blur-ig');
        const given = givenTargets(call.target, input.shape[0]);
        if (given) return { attribution: await blurIgForGiven(model, input, given, settings, options, call), target: given };
        // One forward of the clean input: its classes, its scores' finiteness and the input check
        // in one readback (was 2-3: the check, predict's NaN check, the argmax), which travels while
        // the path is recorded, seeded on the device by the argmax (classesAhead).
        const ahead = classesAhead(model, input, call.target, call.inputCheck);
        try {
          const gradientsOf: PointGradients = (points, images) => seededGradients(model, points, ahead.seeds(), images);
          const attribution = await blurIgOf(input, gradientsOf, settings, options, call);
          return { attribution, target: await ahead.classesFor(attribution) };
        } finally {
          await ahead.release();
        }
      },
      dispose() {},
    };
  },
};
