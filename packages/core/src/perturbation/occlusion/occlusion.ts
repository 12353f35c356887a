// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { occlusionMasks, occlusionWindowCounts, type OcclusionGeometry } from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { tfjsDevice } from '../../interop/tfjs-webgpu.js';
import type { ModelAdapter } from '../../model/types.js';
import {
  evaluateBatches,
  gpuBatches,
  hostBatches,
  imageTensorAt,
  imageValuesAt,
  type BatchWriter,
  type ImageGeometry,
} from '../shared/evaluate.js';
import { hostInputValues, originalScoresOf } from '../shared/host-input.js';
import { accumulateOnHost, GpuMaskBatches, sampleWeights, type MaskRun } from '../shared/mask-methods.js';
import { CpuPerturber } from '../shared/perturb-cpu.js';
import { GpuScope } from '../shared/gpu-scope.js';
import { integerOption, numberOption, pairOption, rejectOption } from '../../api/options.js';
import { ProgressReporter } from '../shared/progress.js';
import { stackMaps } from '../shared/stack.js';
import type { OptionNames } from '../../api/option-names.js';
import { fitBatchToModel } from '../../api/batch-limit.js';

/** Options of `'occlusion'` (Captum `Occlusion` over height and width, every channel at once). */
export interface OcclusionOptions {
  /** Window size in pixels: one number or [height, width]. Default 16 (Captum has no default). */
  readonly window?: number | readonly [number, number];
  /** Step between windows: one number or [y, x]. Default: half the window (Captum's default is 1). */
  readonly stride?: number | readonly [number, number];
  /** Value written into the occluded window (Captum `baselines`, scalar). Default 0. */
  readonly baselineValue?: number;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
}

/** Option names of occlusion (checked against OcclusionOptions by the compiler; other names are rejected). */
export const OCCLUSION_OPTION_NAMES: OptionNames<OcclusionOptions> = { window: true, stride: true, baselineValue: true, batchSize: true };

/** Result of `'occlusion'`. */
export interface OcclusionResult extends ExplainResultBase {
  /**
   * [n, h, w]: for each pixel, the mean over the windows covering it of f(x) - f(x with the window
   * occluded), for the target class (Captum semantics). Pixels no window covers (the remainder at
   * the bottom/right edge when the stride does not divide) are 0 (Captum divides 0 by 0 there).
   */
  readonly attribution: tf.Tensor3D;
  /** Number of windows evaluated per image. */
  readonly windows: number;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    occlusion: { options: OcclusionOptions; result: OcclusionResult };
  }
}

const NAME = 'occlusion';

/**
 * Sliding-window occlusion (Zeiler & Fergus 2014), as Captum's `Occlusion`: every window position
 * is replaced by `baselineValue` and the drop in the target score is spread over the window.
 *
 * @example
 * const r = await explain(model, image, { method: 'occlusion', window: 16, stride: 8 });
 * r.attribution.shape; // [1, 224, 224]; r.windows === 729
 */
export const occlusion: MethodDefinition<'occlusion'> = {
  name: NAME,
  requires: 'predictions',
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
  optionNames: OCCLUSION_OPTION_NAMES,
  create(model, options) {
    const window = pairOption(NAME, 'window', options.window, [16, 16]);
    const stride = pairOption(NAME, 'stride', options.stride, [
      Math.max(1, Math.floor(window[0] / 2)),
      Math.max(1, Math.floor(window[1] / 2)),
    ]);
    const baselineValue = numberOption(NAME, 'baselineValue', options.baselineValue, 0);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 1);
    return {
      explain: (input, call) =>
        explainOcclusion(model, input, call, {
          window,
          stride,
          baselineValue,
          batchSize: options.batchSize,
          preprocess: !!options.preprocess,
        }),
      dispose() {},
    };
  },
};

interface Resolved {
  readonly window: [number, number];
  readonly stride: [number, number];
  readonly baselineValue: number;
  readonly batchSize: number | undefined;
  readonly preprocess: boolean;
}

/** One image's occlusion: the run, the window grid and the unperturbed target score f0. */
interface OcclusionRun extends MaskRun {
  readonly g: OcclusionGeometry;
  /** Windows per row of the grid. */
  readonly cols: number;
  readonly baselineValue: number;
  readonly f0: number;
}

async function explainOcclusion(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: Resolved) {
  const [n, height, width, channels] = input.shape;
  const g: OcclusionGeometry = { height, width, windowH: o.window[0], windowW: o.window[1], strideY: o.stride[0], strideX: o.stride[1] };
  if (g.windowH > height || g.windowW > width) {
    rejectOption(NAME, 'window', `no larger than the image [${height}, ${width}]`, o.window);
  }
  const { total, cols } = occlusionWindowCounts(g);
  const geometry: ImageGeometry = { height, width, channels };
  const batchSize = await fitBatchToModel(NAME, model, { height, width, channels }, o.batchSize);
  const env = { method: NAME, model, geometry, batchSize, path: call.path, signal: call.signal, preprocess: o.preprocess };
  // A black box's input is read once (inputValues): the clean scores and the batches come from it.
  const inputValues = await hostInputValues(env, input, call.inputCheck);
  const { scores, classes, targets } = await originalScoresOf(env, input, inputValues, call.target);
  const maps: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const target = targets[i]!;
    const progress = new ProgressReporter(call.onProgress, [1, height, width]);
    const run: OcclusionRun = {
      env,
      total,
      classes,
      target,
      progress,
      g,
      cols,
      baselineValue: o.baselineValue,
      f0: scores[i * classes + target]!,
    };
    // The GPU path builds its batches from the image's tensor: its values are read only for the host's.
    if (gpuBatches(env)) {
      const image = imageTensorAt(input, i);
      try {
        maps.push(await occludeGpu(run, image));
      } finally {
        image.dispose();
      }
    } else maps.push(await occludeCpu(run, await imageValuesAt(input, i, inputValues)));
  }
  // A black box's batches are host-built, so the whole method ran as CPU references.
  return { attribution: stackMaps(maps, height, width), target: targets, windows: total, path: hostBatches(env) ? 'cpu' : call.path };
}

/** Top-left pixel of window k. */
function windowOrigin(run: OcclusionRun, k: number): readonly [number, number] {
  return [Math.floor(k / run.cols) * run.g.strideY, (k % run.cols) * run.g.strideX];
}

/**
 * The CPU path paints each window into a copy of the image and adds the score drop to the
 * window's pixels: the same numbers as occlusion-masks + perturb-batch + mask-accumulate (their
 * references), in O(window) per sample instead of O(image).
 */
async function occludeCpu(run: OcclusionRun, values: Float32Array): Promise<Float32Array> {
  const { g } = run;
  const { width, channels } = run.env.geometry;
  const pixels = g.height * width;
  const perImage = pixels * channels;
  const acc = new Float64Array(pixels);
  const counts = new Float64Array(pixels);
  const perturber = new CpuPerturber(values, new Float32Array(perImage), undefined, pixels, channels, width);
  const paint: Extract<BatchWriter, { on: 'host' }>['write'] = (out, first, count, layout) => {
    for (let b = 0; b < count; b++) {
      const base = b * perImage;
      perturber.copyImage(out, base, layout);
      const [top, left] = windowOrigin(run, first + b);
      for (let y = top; y < top + g.windowH; y++)
        for (let x = left; x < left + g.windowW; x++)
          for (let c = 0; c < channels; c++)
            out[layout === 'nchw' ? base + c * pixels + y * width + x : base + (y * width + x) * channels + c] = run.baselineValue;
    }
  };
  const addDrops = (first: number, drops: Float64Array) => {
    drops.forEach((d, b) => {
      const [top, left] = windowOrigin(run, first + b);
      for (let y = top; y < top + g.windowH; y++)
        for (let x = left; x < left + g.windowW; x++) {
          acc[y * width + x] = acc[y * width + x]! + d;
          counts[y * width + x] = counts[y * width + x]! + 1;
        }
    });
  };
  const result = () => divide(Float32Array.from(acc), Float32Array.from(counts));
  await accumulateOnHost(run, { write: paint }, (score) => run.f0 - score, addDrops, result);
  return result();
}

/** occlusion-masks -> perturb-batch -> mask-accumulate of the drops (and of ones, for the counts). */
async function occludeGpu(run: OcclusionRun, image: tf.Tensor4D): Promise<Float32Array> {
  const device = tfjsDevice();
  const scope = new GpuScope(device);
  const { env, g, total, progress } = run;
  const pixels = g.height * g.width;
  try {
    const fill = scope.upload(new Float32Array(pixels * env.geometry.channels).fill(run.baselineValue), 'occlusion.fill');
    const batches = new GpuMaskBatches(scope, image, fill, env.batchSize, 'occlusion');
    const ones = scope.upload(new Float32Array(env.batchSize).fill(1), 'occlusion.ones');
    const acc = scope.create(pixels * 4, 'occlusion.acc');
    const counts = scope.create(pixels * 4, 'occlusion.counts');
    const read = async () => divide(await batches.read(acc), await batches.read(counts));
    const writer = batches.recordingWriter((batch, first, count) =>
      batch.dispatch(occlusionMasks, { params: { count, ...g, windowsPerRow: run.cols, firstWindow: first }, masks: batches.masks }),
    );
    await evaluateBatches(env, total, writer, async (first, count, scores) => {
      const drops = sampleWeights(scores, run.classes, count, run.target, (score) => run.f0 - score);
      await batches.accumulate(
        [
          { kind: 'hidden', weights: drops, acc },
          { kind: 'hidden', weights: ones, acc: counts },
        ],
        count,
      );
      if (progress.active) progress.report(first + count, total, await read());
    });
    return await read();
  } finally {
    scope.release();
  }
}

function divide(acc: Float32Array, counts: Float32Array): Float32Array {
  const out = new Float32Array(acc.length);
  for (let p = 0; p < acc.length; p++) out[p] = counts[p]! > 0 ? acc[p]! / counts[p]! : 0;
  return out;
}
