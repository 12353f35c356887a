// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import {
  bernoulliRef,
  maskAccumulate,
  perturbBatch,
  readFloat32,
  riseMasks,
  runKernel,
  uniformRef,
  type RiseGeometry,
} from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import type { ModelAdapter } from '../../model/types.js';
import { evaluateBatches, hostBatches, imageAt, originalScores, type BatchWriter } from '../shared/evaluate.js';
import { CpuPerturber } from '../shared/perturb-cpu.js';
import { riseMasksFast } from './rise-cpu.js';
import { GpuScope } from '../shared/gpu-scope.js';
import { defaultBatchSize, intOption, numberOption, seedOption } from '../shared/options.js';
import { ProgressReporter } from '../shared/progress.js';
import { stackMaps } from '../shared/stack.js';

/** Options of `'rise'` (Petsiuk, Das, Saenko, BMVC 2018). */
export interface RiseOptions {
  /** Number of random masks N. Default 4000 (the paper's ResNet-50 setting). */
  readonly masks?: number;
  /** Pixels per grid cell (the paper's cell size C = ceil(H / s)). Default ceil(min(H, W) / 7), i.e. s = 7. */
  readonly cellSize?: number;
  /** Probability p that a cell is kept. Default 0.5. */
  readonly probability?: number;
  /** Seed of the mask stream (Threefry, counter-based): same seed, same masks on GPU and CPU. Default 0. */
  readonly seed?: number;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
}

/** Result of `'rise'`. */
export interface RiseResult extends ExplainResultBase {
  /** [n, h, w]: sum_i f(x . M_i) M_i / (N p), the expected score given that a pixel is kept. */
  readonly attribution: tf.Tensor3D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    rise: { options: RiseOptions; result: RiseResult };
  }
}

const NAME = 'rise';

/**
 * The random samples of RISE for `n` masks of `g`: binary grids (Bernoulli(p) from the uniform
 * stream at offsets 0 ..) and shifts in [0, cell) per axis (the same stream, after the grids).
 * Identical on every path: the masks themselves are then made by rise-masks (GPU) or riseMasksRef.
 */
export function riseSamples(seed: number, n: number, g: RiseGeometry, probability: number): { grids: Float32Array<ArrayBuffer>; shifts: Uint32Array<ArrayBuffer> } {
  const cells = n * g.gridH * g.gridW;
  const grids = bernoulliRef(seed, 0, cells, probability);
  const u = uniformRef(seed, cells, 2 * n);
  const shifts = new Uint32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) shifts[i] = Math.min(g.cell - 1, Math.floor(u[i]! * g.cell));
  return { grids, shifts };
}

/**
 * RISE: random low-resolution binary masks, bilinearly upsampled with random shifts, weight the
 * model's score; the saliency of a pixel is the score's expectation over masks that keep it.
 * Uses the model's output as given (the paper uses probabilities).
 *
 * @example
 * const r = await explain(model, image, { method: 'rise', masks: 2000, seed: 1 });
 * r.attribution.shape; // [1, h, w]
 */
export const rise: MethodDefinition<'rise'> = {
  name: NAME,
  requires: 'predictions',
  create(model, options) {
    const masks = intOption(NAME, 'masks', options.masks, 4000, 1, 2 ** 24);
    const probability = numberOption(NAME, 'probability', options.probability, 0.5, 0, 1, true);
    const seed = seedOption(NAME, options.seed);
    if (options.cellSize !== undefined) intOption(NAME, 'cellSize', options.cellSize, 1);
    if (options.batchSize !== undefined) intOption(NAME, 'batchSize', options.batchSize, 1);
    return {
      explain: (input, call) =>
        explainRise(model, input, call, { masks, probability, seed, cellSize: options.cellSize, batchSize: options.batchSize, preprocess: !!options.preprocess }),
      dispose() {},
    };
  },
};

interface Resolved {
  readonly masks: number;
  readonly probability: number;
  readonly seed: number;
  readonly cellSize: number | undefined;
  readonly batchSize: number | undefined;
  readonly preprocess: boolean;
}

async function explainRise(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: Resolved) {
  const [n, height, width, channels] = input.shape;
  const cell = o.cellSize ?? Math.ceil(Math.min(height, width) / 7);
  const g: RiseGeometry = { height, width, cell, gridH: Math.ceil(height / cell), gridW: Math.ceil(width / cell) };
  const total = o.masks;
  const batchSize = o.batchSize ?? defaultBatchSize(height, width, channels);
  const pixels = height * width;
  const { grids, shifts } = riseSamples(o.seed, total, g, o.probability);
  const { classes, targets } = await originalScores(model, input, call.target, call.signal);
  const env = { method: NAME, model, geometry: { height, width, channels }, batchSize, path: call.path, signal: call.signal, preprocess: o.preprocess };
  const scale = (done: number, acc: Float32Array) => acc.map((v) => v / (done * o.probability));
  const maps: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const target = targets[i]!;
    const progress = new ProgressReporter(call.onProgress, [1, height, width]);
    const { tensor: image, values } = await imageAt(input, i);
    try {
      maps.push(scale(total, call.path === 'gpu' && !hostBatches(env) ? await riseGpu(image, target, progress) : await riseCpu(values, target, progress)));
    } finally {
      image.dispose();
    }
  }
  // A black box's batches are host-built, so the whole method ran as CPU references.
  return { attribution: stackMaps(maps, height, width), target: targets, path: hostBatches(env) ? 'cpu' : call.path };

  async function riseCpu(values: Float32Array, target: number, progress: ProgressReporter): Promise<Float32Array> {
    const fill = new Float32Array(pixels * channels);
    const masks = new Float32Array(batchSize * pixels);
    const acc = new Float64Array(pixels);
    const perturber = new CpuPerturber(values, fill, undefined, pixels, channels, width);
    const writer: BatchWriter = {
      gpu: () => Promise.reject(new Error('unreachable')),
      cpu(out, first, count, layout) {
        riseMasksFast(g, grids, shifts, first, count, masks);
        perturber.write(out, masks, pixels, count, 0, layout);
      },
    };
    await evaluateBatches(env, total, writer, (first, count, scores) => {
      const w = new Float32Array(count);
      for (let b = 0; b < count; b++) w[b] = scores[b * classes + target]!;
      // maskAccumulateRef's sum, as a tight loop over the batch's masks.
      for (let b = 0; b < count; b++) {
        const wb = w[b]!;
        const row = b * pixels;
        for (let p = 0; p < pixels; p++) acc[p] = acc[p]! + wb * masks[row + p]!;
      }
      if (progress.active) progress.report(first + count, total, scale(first + count, Float32Array.from(acc)));
    });
    return Float32Array.from(acc);
  }

  async function riseGpu(image: tf.Tensor4D, target: number, progress: ProgressReporter): Promise<Float32Array> {
    const device = tfjsDevice();
    const scope = new GpuScope(device);
    try {
      const imageBuffer = gpuBufferOf(image);
      const fill = scope.create(pixels * channels * 4, 'rise.fill'); // zeros: RISE multiplies by the mask
      const unused = scope.create(16, 'rise.segments');
      const gridBuffer = scope.upload(grids, 'rise.grids');
      const shiftBuffer = scope.upload(shifts, 'rise.shifts');
      const masks = scope.create(batchSize * pixels * 4, 'rise.masks');
      const weights = scope.create(batchSize * 4, 'rise.scores');
      const acc = scope.create(pixels * 4, 'rise.acc');
      const writer: BatchWriter = {
        async gpu(output, first, count) {
          await runKernel(device, riseMasks, { params: { count, ...g, sampleOffset: first }, grids: gridBuffer, shifts: shiftBuffer, masks });
          await runKernel(device, perturbBatch.pixels, {
            params: { count, pixels, channels, maskStride: pixels, sampleOffset: 0, outOffset: 0 },
            image: imageBuffer,
            fillImage: fill,
            segments: unused,
            masks,
            output,
          });
        },
        cpu: () => {
          throw new Error('unreachable');
        },
      };
      await evaluateBatches(env, total, writer, async (first, count, scores) => {
        const w = new Float32Array(count);
        for (let b = 0; b < count; b++) w[b] = scores[b * classes + target]!;
        scope.write(weights, w);
        await runKernel(device, maskAccumulate.keep, { params: { count, pixels }, weights, masks, acc });
        if (progress.active) progress.report(first + count, total, scale(first + count, await readFloat32(device, acc, pixels)));
      });
      return await readFloat32(device, acc, pixels);
    } finally {
      scope.release();
    }
  }
}
