// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { bernoulliRef, riseMasks, uniformRef, type RiseGeometry } from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { tfjsDevice } from '../../interop/tfjs-webgpu.js';
import type { ModelAdapter } from '../../model/types.js';
import { evaluateBatches, gpuBatches, hostBatches, imageTensorAt, imageValuesAt } from '../shared/evaluate.js';
import { hostInputValues, originalScoresOf } from '../shared/host-input.js';
import { accumulateOnHost, GpuMaskBatches, sampleWeights, type MaskRun } from '../shared/mask-methods.js';
import { RiseHost } from './rise-cpu.js';
import { GpuScope } from '../shared/gpu-scope.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { ProgressReporter } from '../shared/progress.js';
import { stackMaps } from '../shared/stack.js';
import type { OptionNames } from '../../api/option-names.js';
import { fitBatchToModel } from '../../api/batch-limit.js';

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

/** Option names of rise (checked against RiseOptions by the compiler; other names are rejected). */
export const RISE_OPTION_NAMES: OptionNames<RiseOptions> = { masks: true, cellSize: true, probability: true, seed: true, batchSize: true };

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
export function riseSamples(
  seed: number,
  n: number,
  g: RiseGeometry,
  probability: number,
): { grids: Float32Array<ArrayBuffer>; shifts: Uint32Array<ArrayBuffer> } {
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
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
  optionNames: RISE_OPTION_NAMES,
  create(model, options) {
    const masks = integerOption(NAME, 'masks', options.masks, 4000, 1, 2 ** 24);
    const probability = numberOption(NAME, 'probability', options.probability, 0.5, 0, 1, true);
    const seed = seedOption(NAME, options.seed);
    if (options.cellSize !== undefined) integerOption(NAME, 'cellSize', options.cellSize, 1);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 1);
    return {
      explain: (input, call) =>
        explainRise(model, input, call, {
          masks,
          probability,
          seed,
          cellSize: options.cellSize,
          batchSize: options.batchSize,
          preprocess: !!options.preprocess,
        }),
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

/** One image's RISE run: the mask geometry and samples shared by every image. */
interface RiseRun extends MaskRun {
  readonly g: RiseGeometry;
  readonly grids: Float32Array<ArrayBuffer>;
  readonly shifts: Uint32Array<ArrayBuffer>;
  /** The saliency of `done` masks' weighted sums: acc / (done * p). */
  readonly scale: (done: number, acc: Float32Array) => Float32Array;
}

async function explainRise(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: Resolved) {
  const [n, height, width, channels] = input.shape;
  const cell = o.cellSize ?? Math.ceil(Math.min(height, width) / 7);
  const g: RiseGeometry = { height, width, cell, gridH: Math.ceil(height / cell), gridW: Math.ceil(width / cell) };
  const total = o.masks;
  const batchSize = await fitBatchToModel(NAME, model, { height, width, channels }, o.batchSize);
  const { grids, shifts } = riseSamples(o.seed, total, g, o.probability);
  const env = {
    method: NAME,
    model,
    geometry: { height, width, channels },
    batchSize,
    path: call.path,
    signal: call.signal,
    preprocess: o.preprocess,
  };
  // A black box's input is read once (inputValues): the clean scores and the batches come from it.
  const inputValues = await hostInputValues(env, input, call.inputCheck);
  const { classes, targets } = await originalScoresOf(env, input, inputValues, call.target);
  const scale = (done: number, acc: Float32Array) => acc.map((v) => v / (done * o.probability));
  const maps: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const progress = new ProgressReporter(call.onProgress, [1, height, width]);
    const run: RiseRun = { env, total, classes, target: targets[i]!, progress, g, grids, shifts, scale };
    // The GPU path builds its batches from the image's tensor: its values are read only for the host's.
    if (gpuBatches(env)) {
      const image = imageTensorAt(input, i);
      try {
        maps.push(scale(total, await riseGpu(run, image)));
      } finally {
        image.dispose();
      }
    } else maps.push(scale(total, await riseCpu(run, await imageValuesAt(input, i, inputValues))));
  }
  // A black box's batches are host-built, so the whole method ran as CPU references.
  return { attribution: stackMaps(maps, height, width), target: targets, path: hostBatches(env) ? 'cpu' : call.path };
}

/** RiseHost: masks interpolated straight into the batch, weighted sums kept in grid-row space. */
async function riseCpu(run: RiseRun, values: Float32Array): Promise<Float32Array> {
  const { g } = run;
  const host = new RiseHost(g, run.grids, run.shifts, values, run.env.geometry.channels, Math.min(run.env.batchSize, run.total));
  await accumulateOnHost(
    run,
    host.writer(),
    (score) => score,
    (first, weights) => host.accumulate(first, weights),
    (done) => run.scale(done, Float32Array.from(host.sum())),
  );
  return Float32Array.from(host.sum());
}

/** rise-masks -> perturb-batch (fill 0: RISE multiplies by the mask) -> mask-accumulate of the scores. */
async function riseGpu(run: RiseRun, image: tf.Tensor4D): Promise<Float32Array> {
  const device = tfjsDevice();
  const scope = new GpuScope(device);
  const { env, g, total, progress } = run;
  const pixels = g.height * g.width;
  try {
    const fill = scope.create(pixels * env.geometry.channels * 4, 'rise.fill'); // zeros
    const batches = new GpuMaskBatches(scope, image, fill, env.batchSize, 'rise');
    const grids = scope.upload(run.grids, 'rise.grids');
    const shifts = scope.upload(run.shifts, 'rise.shifts');
    const acc = scope.create(pixels * 4, 'rise.acc');
    const writer = batches.recordingWriter((batch, first, count) =>
      batch.dispatch(riseMasks, { params: { count, ...g, sampleOffset: first }, grids, shifts, masks: batches.masks }),
    );
    await evaluateBatches(env, total, writer, async (first, count, scores) => {
      const weights = sampleWeights(scores, run.classes, count, run.target, (score) => score);
      await batches.accumulate([{ kind: 'keep', weights, acc }], count);
      if (progress.active) progress.report(first + count, total, run.scale(first + count, await batches.read(acc)));
    });
    return await batches.read(acc);
  } finally {
    scope.release();
  }
}
