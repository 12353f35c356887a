// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { resizeBilinearInto } from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import {
  igSettings,
  integratedGradientsOf,
  INTEGRATED_GRADIENTS_OPTION_NAMES,
  type IntegratedGradientsOptions,
} from '../../gradient/integrated-gradients/integrated-gradients.js';
import type { ModelAdapter } from '../../model/types.js';
import { felzenszwalbGraph, felzenszwalbMerge } from '../../segment/felzenszwalb.js';
import { ScratchArrays, ScratchLease } from '../../segment/scratch-arrays.js';
import { imageAt } from '../shared/evaluate.js';
import { integerOption, numberOption, rejectOption } from '../../api/options.js';
import { stackMaps } from '../shared/stack.js';
import { dilate, unpackMasks, xraiRegions } from './xrai-regions.js';
import { readRuns, startXrai, type XraiStart } from './xrai-class-check.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { checkpoint, yieldToEventLoop } from '../../api/abort.js';
import { flushTfjs, isWebGPUBackend } from '../../interop/tfjs-webgpu.js';

/** Options of `'xrai'` (PAIR saliency's XRAI; same defaults). */
export interface XraiOptions {
  /** Passed to integrated gradients (default steps 100, as XRAI); the baselines are XRAI's black and white. */
  readonly integratedGradients?: Omit<IntegratedGradientsOptions, 'baseline'>;
  /** Stop once this fraction of the image is covered (PAIR area_threshold). Default 1. */
  readonly areaThreshold?: number;
  /** Regions adding fewer pixels are dropped (PAIR min_pixel_diff). Default 50. */
  readonly minPixelDiff?: number;
  /** Felzenszwalb scales (PAIR: 50, 100, 150, 250, 500, 1200), sigma 0.8, min size 150, on the image resized to 224. */
  readonly scales?: readonly number[];
  /** Dilation radius of every region, pixels. Default 5. */
  readonly dilation?: number;
}

/** Option names of xrai (checked against XraiOptions by the compiler; other names are rejected). */
export const XRAI_OPTION_NAMES: OptionNames<XraiOptions> = {
  integratedGradients: true,
  areaThreshold: true,
  minPixelDiff: true,
  scales: true,
  dilation: true,
};

/** Result of `'xrai'`. */
export interface XraiResult extends ExplainResultBase {
  /** [n, h, w]: per pixel, the attribution density of the region that covered it. */
  readonly attribution: tf.Tensor3D;
  /** int32 [n, h, w]: region rank per pixel, 1 = most salient (PAIR's flattened xrai segments). */
  readonly ranks: tf.Tensor3D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    xrai: { options: XraiOptions; result: XraiResult };
  }
}

const NAME = 'xrai';
const SCALES = [50, 100, 150, 250, 500, 1200];
const RESIZE = 224;

/**
 * PAIR's candidate regions: Felzenszwalb at several scales on the image min-max scaled to [-1, 1]
 * and resized to 224x224, labels resized back (nearest), each region dilated. The scaling and the
 * resize run on the host in f64 from the image's exact values, not with tfjs ops: the f32 resize of
 * the webgpu and cpu backends differs by ~2e-6, and on flat regions (edge weights exactly 0 on one
 * backend, ~1e-6 on the other) that reorders Felzenszwalb's merges, so the regions, and the XRAI map,
 * differed completely between backends (issue 12).
 */
export async function xraiCandidates(
  image: tf.Tensor3D,
  scales: readonly number[],
  dilation: number,
  signal?: AbortSignal,
  onScale?: () => void,
): Promise<Int32Array[]> {
  const [height, width, channels] = image.shape;
  return candidatesOf(await image.data(), height, width, channels, { scales, dilation }, candidateMemory(), signal, onScale);
}

/** New {@link CandidateMemory}. */
export function candidateMemory(): CandidateMemory {
  return { scratch: new ScratchArrays(), kept: new ScratchLease() };
}

/**
 * Where candidatesOf's arrays live, kept from one image (and call) to the next: temporaries used
 * within one synchronous step (`scratch`), and the graph and label maps it keeps across its awaits
 * (lent from `kept` for the call).
 */
export interface CandidateMemory {
  readonly scratch: ScratchArrays;
  readonly kept: ScratchLease;
}

/** {@link xraiCandidates} of an HWC image's host values, its arrays in `memory`. */
export async function candidatesOf(
  raw: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  { scales, dilation }: { readonly scales: readonly number[]; readonly dilation: number },
  { scratch, kept: lease }: CandidateMemory,
  signal?: AbortSignal,
  onScale?: () => void,
): Promise<Int32Array[]> {
  const kept = lease.take();
  try {
    const values = segmentationInput(raw, height, width, channels, scratch);
    // One Felzenszwalb segmentation per scale (the long CPU part): the scales share the smoothed
    // image's sorted edges (built once), and the signal is checked between them.
    const graph = felzenszwalbGraph(values, RESIZE, RESIZE, channels, 0.8, scratch, kept);
    const maps: { labels: Int32Array; count: number }[] = [];
    for (const [i, scale] of scales.entries()) {
      await checkpoint(signal, NAME);
      const labels = segmentLabels(scratch, kept, i, height, width);
      maps.push(
        resizeLabels(felzenszwalbMerge(graph, scale, 150, scratch, labels), height, width, kept.int32(`xraiMap${i}`, height * width)),
      );
      onScale?.();
    }
    await checkpoint(signal, NAME);
    return unpackMasks(maps).map((m) => dilate(m, height, width, dilation));
  } finally {
    lease.give(kept);
  }
}

/**
 * HWC image min-max scaled to [-1, 1] and resized (half-pixel-centre bilinear, as skimage's resize
 * that PAIR uses, with order 1) to RESIZE x RESIZE, in f64: the same numbers whatever tfjs backend
 * produced `raw`. The resize is resizeBilinearRef's, written straight into the output's channel
 * (resizeBilinearInto); with `scratch`, the output and its temporary are views into it (valid until
 * its next user).
 */
export function segmentationInput(
  raw: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  scratch?: ScratchArrays,
): Float64Array {
  const [min, max] = valueRange(raw);
  const range = Math.max(max - min, 1e-12);
  const float64 = (slot: string, length: number) => (scratch ? scratch.float64(slot, length) : new Float64Array(length));
  const out = float64('xraiInput', RESIZE * RESIZE * channels);
  const scaled = (i: number) => ((raw[i]! - min) / range) * 2 - 1;
  if (height === RESIZE && width === RESIZE) {
    for (let i = 0; i < out.length; i++) out[i] = scaled(i);
    return out;
  }
  const plane = float64('xraiPlane', height * width);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < height * width; p++) plane[p] = scaled(p * channels + c);
    resizeBilinearInto(plane, height, width, RESIZE, RESIZE, out, channels, c);
  }
  return out;
}

/** The smallest and largest of `raw` (XRAI's black and white baselines, and its segmentation's scaling). */
function valueRange(raw: ArrayLike<number>): [min: number, max: number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < raw.length; i++) {
    min = Math.min(min, raw[i]!);
    max = Math.max(max, raw[i]!);
  }
  return [min, max];
}

/**
 * Where the segmentation at scale `i` of RESIZE writes its labels: the kept label map of that scale
 * when they are the image's own, else scratch memory that {@link resizeLabels} reads once.
 */
function segmentLabels(scratch: ScratchArrays, kept: ScratchArrays, i: number, height: number, width: number): Int32Array {
  return height === RESIZE && width === RESIZE ? kept.int32(`xraiMap${i}`, RESIZE * RESIZE) : scratch.int32('xraiLabels', RESIZE * RESIZE);
}

/** Nearest-neighbour labels of a RESIZE x RESIZE segmentation at height x width, into `labels` (unless the sizes match). */
function resizeLabels(
  seg: { labels: Int32Array; count: number },
  height: number,
  width: number,
  labels: Int32Array,
): { labels: Int32Array; count: number } {
  if (height === RESIZE && width === RESIZE) return seg;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(RESIZE - 1, Math.floor(((y + 0.5) * RESIZE) / height));
    for (let x = 0; x < width; x++)
      labels[y * width + x] = seg.labels[sy * RESIZE + Math.min(RESIZE - 1, Math.floor(((x + 0.5) * RESIZE) / width))]!;
  }
  return { labels, count: seg.count };
}

/**
 * One monotone progress over the whole run: per image, the two IG runs (their points), one unit per
 * segmentation scale and one for the region selection.
 */
function xraiProgress(call: CallContext, images: number, steps: number, scales: number) {
  const perImage = 2 * steps + scales + 1;
  const total = images * perImage;
  let done = 0;
  const report = () => call.onProgress?.({ done: Math.min(total, Math.round(done)), total });
  return {
    /** IG's onProgress for baseline run `run` (0 or 1) of `image`, mapped into the whole run. */
    ig(image: number, run: number) {
      const base = image * perImage + run * steps;
      return (p: { done: number; total: number }) => {
        done = Math.max(done, base + (p.done / p.total) * steps);
        report();
      };
    },
    /** One more unit (a segmentation scale, the region selection). */
    step: () => {
      done += 1;
      report();
    },
  };
}

/**
 * XRAI (Kapishnikov, Bolukbasi, Viégas, Terry, ICCV 2019) as PAIR-code/saliency: integrated
 * gradients from a black and a white baseline (averaged), Felzenszwalb regions at six scales, and
 * a greedy selection of regions by attribution gain. The IG runs on the GPU path (webxai's IG);
 * segmentation (on a host-resized image: identical on every backend) and selection on the CPU.
 * Differs from PAIR: bilinear (not bicubic) resize to 224.
 *
 * @example
 * const r = await explain(model, image, { method: 'xrai', integratedGradients: { steps: 50 } });
 * r.ranks; // 1 = most salient region
 */
export const xrai: MethodDefinition<'xrai'> = {
  name: NAME,
  requires: 'gradients',
  optionNames: XRAI_OPTION_NAMES,
  // The input's values are read back anyway (baselines, segmentation): the check runs over them on
  // the host before they are used, instead of a check kernel and a round trip before the call.
  defersInputCheck: true,
  create(model, options) {
    const areaThreshold = numberOption(NAME, 'areaThreshold', options.areaThreshold, 1, 0, 1);
    const minPixelDiff = integerOption(NAME, 'minPixelDiff', options.minPixelDiff, 50, 0);
    const dilation = integerOption(NAME, 'dilation', options.dilation, 5, 0, 64);
    const scales = options.scales ?? SCALES;
    if (!Array.isArray(scales) || !scales.length || !scales.every((s) => Number.isFinite(s) && s > 0)) {
      rejectOption(NAME, 'scales', 'a non-empty array of positive numbers', options.scales);
    }
    const ig = options.integratedGradients ?? {};
    checkOptionNames('xrai integratedGradients', ig, INTEGRATED_GRADIENTS_OPTION_NAMES);
    igSettings({ steps: 100, ...ig }); // validate now
    // The segmentations' arrays, kept from one image (and call) to the next: see ScratchArrays.
    let memory = candidateMemory();
    return {
      explain: (input, call) => explainXrai(model, input, call, { areaThreshold, minPixelDiff, dilation, scales, ig, memory }),
      dispose() {
        memory = candidateMemory();
      },
    };
  },
};

/**
 * The IG runs of one image from XRAI's black and white baselines (`range`), queued one after the
 * other with nothing read back (on the GPU path); the caller disposes the attributions.
 */
async function baselineAttributions(
  model: ModelAdapter,
  image: tf.Tensor4D,
  target: number,
  range: readonly [number, number],
  ig: Omit<IntegratedGradientsOptions, 'baseline'>,
  call: CallContext,
  progress: ReturnType<typeof xraiProgress>,
  index: number,
): Promise<tf.Tensor4D[]> {
  const runs: tf.Tensor4D[] = [];
  try {
    for (const [run, baseline] of range.entries()) {
      const igCall = { ...call, onProgress: progress.ig(index, run) };
      runs.push(await integratedGradientsOf(model, image, [target], igSettings({ steps: 100, ...ig, baseline }), igCall));
    }
    return runs;
  } catch (error) {
    tf.dispose(runs);
    throw error;
  }
}

/**
 * Per pixel, the channel mean of each run's attribution (the runs' host values), averaged over the
 * runs (in f64, run by run, as PAIR).
 */
function meanAttribution(runs: readonly Float32Array[], pixels: number, channels: number): Float64Array {
  const attr = new Float64Array(pixels);
  for (const run of runs) {
    for (let p = 0; p < pixels; p++) {
      let s = 0;
      for (let c = 0; c < channels; c++) s += run[p * channels + c]!;
      attr[p] = attr[p]! + s / channels / runs.length;
    }
  }
  return attr;
}

/** XRAI's settings, resolved by create(). */
interface XraiSettings {
  readonly areaThreshold: number;
  readonly minPixelDiff: number;
  readonly dilation: number;
  readonly scales: readonly number[];
  readonly ig: Omit<IntegratedGradientsOptions, 'baseline'>;
  readonly memory: CandidateMemory;
}

async function explainXrai(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: XraiSettings) {
  const start = await startXrai(model, input, call);
  try {
    return await explainImages(model, input, call, o, start);
  } finally {
    tf.dispose(start.unreadScores);
  }
}

/** XRAI of every image of `input`, one after the other (IG on the GPU, regions on the host). */
async function explainImages(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, o: XraiSettings, start: XraiStart) {
  const [n, height, width, channels] = input.shape;
  const { targets, values } = start;
  const steps = igSettings({ steps: 100, ...o.ig }).steps;
  const progress = xraiProgress(call, n, steps, o.scales.length);
  const maps: Float32Array[] = [];
  const rankMaps: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const { tensor: image, values: imageValues } = await imageAt(input, i, values);
    try {
      const runs = await baselineAttributions(model, image, targets[i]!, valueRange(imageValues), o.ig, call, progress, i);
      // The regions depend on the image alone: they are computed on the host while the GPU runs the
      // IG passes just queued, and the attributions are read back only then (with the class check's
      // scores when they were not read before IG).
      const masks = await startQueuedGpuWork()
        .then(() => candidatesOf(imageValues, height, width, channels, o, o.memory, call.signal, progress.step))
        .catch((error: unknown) => (tf.dispose(runs), Promise.reject(error)));
      const runValues = await readRuns(runs, i === 0 ? start.unreadScores : undefined, model.kind);
      const { attribution, ranks } = xraiRegions(
        meanAttribution(runValues, height * width, channels),
        masks,
        o.areaThreshold,
        o.minPixelDiff,
      );
      progress.step();
      await checkpoint(call.signal, NAME);
      maps.push(attribution);
      rankMaps.push(ranks);
    } finally {
      image.dispose();
    }
  }
  const ranksOut = new Int32Array(n * height * width);
  rankMaps.forEach((r, i) => ranksOut.set(r, i * height * width));
  return { attribution: stackMaps(maps, height, width), ranks: tf.tensor3d(ranksOut, [n, height, width], 'int32'), target: targets };
}

/**
 * Sends the GPU work queued so far on its way before a long host computation: tfjs records its ops
 * lazily (submitted here), and Chromium passes submits to its GPU process from a microtask, which
 * runs at this yield and not while the host computes.
 */
async function startQueuedGpuWork(): Promise<void> {
  if (isWebGPUBackend()) flushTfjs();
  await yieldToEventLoop();
}
