// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import {
  createBuffer,
  InvalidInputError,
  quickshiftDensity,
  quickshiftParent,
  readUint32,
  releaseBuffer,
  runKernel,
  ShapeMismatchError,
  slicFeaturesRef,
  slicLabels,
  slicPlan,
  type SlicPlan,
  slicRef,
  throwIfAborted,
  uploadBuffer,
} from '@webxai/shaders';
import { normalFill } from '../random/normal-fill.js';
import { currentPath } from '../api/explainer.js';
import { rejectOption } from '../api/options.js';
import { checkSegmentOptions } from './options.js';
import type { ExecutionPath } from '../api/types.js';
import { gpuBufferOf, tfjsDevice } from '../interop/tfjs-webgpu.js';
import { enforceConnectivity } from './connectivity.js';
import { felzenszwalb, type FelzenszwalbOptions } from './felzenszwalb.js';
import { slicRunsOn } from './slic-placement.js';
import { quickshift, quickshiftFeatures, quickshiftRoots, type QuickshiftOptions } from './quickshift.js';

/** Maps the image's values to [0, 1]: [low, high], or 'auto' ([0, 1] or [0, 255] when the data fit, else min..max). */
export type ValueRange = readonly [low: number, high: number] | 'auto';

interface Common {
  /** Value range of the image (default 'auto'). */
  readonly valueRange?: ValueRange;
  readonly signal?: AbortSignal;
}

/** SLIC options (skimage.segmentation.slic's names and defaults). */
export interface SlicOptions extends Common {
  readonly method: 'slic';
  /** Approximate number of superpixels. Default 100. */
  readonly segments?: number;
  /** Colour vs space: higher gives squarer superpixels. Default 10 (in (0, 100]). */
  readonly compactness?: number;
  /** Assign/update rounds. Default 10. */
  readonly iterations?: number;
  /** Merge components smaller than minSizeFactor * (pixels / segments) into a neighbour. Default true. */
  readonly enforceConnectivity?: boolean;
  /** Default 0.5. */
  readonly minSizeFactor?: number;
  /**
   * Where the labels are computed when tfjs's backend is webgpu: 'gpu' (the SLIC kernels), 'host'
   * (the CPU reference: the CPU path's labels) or 'auto' (default): on the host for images of at
   * most SLIC_HOST_MAX_PIXELS (32x32) pixels, where the GPU's fixed cost (22 dispatches and a
   * labels readback) exceeds the whole CPU run. On other backends SLIC always runs on the CPU.
   * `Segmentation.path` says where it ran. The two give the same labels except at rare pixels whose
   * colour lies within ~1e-4 of a Lab quantization step (f32 features on the GPU, f64 on the host).
   */
  readonly placement?: SlicPlacement;
}

/** Where SLIC's labels are computed on the GPU path: see {@link SlicOptions.placement}. */
export type SlicPlacement = 'auto' | 'gpu' | 'host';

/** Options of {@link segment}: one of SLIC (GPU), Felzenszwalb or Quick Shift (CPU). */
export type SegmentOptions =
  | SlicOptions
  | (Common & FelzenszwalbOptions & { readonly method: 'felzenszwalb' })
  | (Common & QuickshiftOptions & { readonly method: 'quickshift' });

/** A superpixel segmentation. */
export interface Segmentation {
  /** Label per pixel, row-major [height, width], values 0 .. count - 1. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /**
   * Where it ran: SLIC (unless placed on the host, {@link SlicOptions.placement}) and Quick Shift on
   * the GPU when tfjs's backend is webgpu; Felzenszwalb always on the CPU.
   */
  readonly path: ExecutionPath;
}

/** Checks an image tensor ([h, w, c] or [1, h, w, c], float32) and returns its sizes. */
function imageShape(image: tf.Tensor): [number, number, number] {
  if (!(image instanceof tf.Tensor) || image.isDisposed)
    throw new ShapeMismatchError('segment: image must be a live tf.Tensor [h, w, c] or [1, h, w, c]');
  const shape = image.rank === 4 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  if (shape.length !== 3 || image.dtype !== 'float32') {
    throw new ShapeMismatchError(`segment: image must be float32 [h, w, c] or [1, h, w, c], got ${image.dtype} [${image.shape}]`);
  }
  return shape as [number, number, number];
}

/**
 * Resolves the value range to (low, scale) with unit = (v - low) * scale. From the image's host
 * `values` when the caller has them (exactly the same min, max and finiteness), else one readback.
 */
async function unitMap(image: tf.Tensor, range: ValueRange | undefined, values: Float32Array | undefined): Promise<[number, number]> {
  let [low, high] = range === undefined || range === 'auto' ? [Number.NaN, Number.NaN] : range;
  if (range !== undefined && range !== 'auto' && !(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    rejectOption('segment', 'valueRange', "'auto' or [low, high] of finite numbers with low < high", range);
  }
  const [min, max, finite] = values ? hostStats(values) : await gpuStats(image);
  if (!finite) throw new InvalidInputError('segment: image contains NaN or Inf values');
  if (Number.isNaN(low)) {
    [low, high] = min >= 0 && max <= 1 ? [0, 1] : min >= 0 && max <= 255 ? [0, 255] : [min, max > min ? max : min + 1];
  }
  return [low, 1 / (high - low)];
}

/** Min, max and whether every value is finite (NaN would poison every distance): one readback. */
async function gpuStats(image: tf.Tensor): Promise<[number, number, boolean]> {
  const stats = tf.tidy(() => tf.stack([tf.min(image), tf.max(image), tf.cast(tf.all(tf.isFinite(image)), 'float32')]));
  const [min, max, finite] = Array.from(await stats.data());
  stats.dispose();
  return [min!, max!, finite === 1];
}

/** {@link gpuStats} of host values. */
function hostStats(values: Float32Array): [number, number, boolean] {
  let [min, max] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) return [Number.NaN, Number.NaN, false];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max, true];
}

/**
 * Superpixels of an image: SLIC (Achanta et al. 2012) on the GPU with connectivity enforcement
 * (a CPU pass over the labels), Quick Shift with its window passes on the GPU, or Felzenszwalb on
 * the CPU (a sort and a union-find: sequential, not worth a GPU version). Same labels on the GPU
 * and CPU paths for SLIC (exact integer kernels after its Lab features, which the GPU computes in
 * f32 within one quantization unit: rare pixels near a step can differ); for Quick Shift up to
 * near-ties of f32 densities. SLIC's `placement` puts small images (<= 32x32 by default) on the
 * host, where its run is cheaper than the GPU's fixed cost; `path` reports where the labels were computed.
 *
 * @example
 * const s = await segment(image, { method: 'slic', segments: 100, compactness: 10 });
 * s.count; // ~100; s.labels: Int32Array [h * w]
 */
export async function segment(image: tf.Tensor, options: SegmentOptions): Promise<Segmentation> {
  return segmentImage(image, options);
}

/**
 * {@link segment}, given the image's HWC host `values` when the caller has them (a black box's
 * explanation reads its input once): the value range and the CPU methods' input then need no
 * readback. Same labels.
 */
export async function segmentImage(image: tf.Tensor, options: SegmentOptions, values?: Float32Array): Promise<Segmentation> {
  const [height, width, channels] = imageShape(image);
  checkSegmentOptions(options);
  throwIfAborted(options.signal, 'segment');
  if (values && values.length !== height * width * channels) {
    throw new ShapeMismatchError(`segment: ${values.length} host values for a ${height}x${width}x${channels} image`);
  }
  const path = currentPath();
  const slicPath = options.method === 'slic' ? slicRunsOn(options.placement, height * width, path) : undefined;
  // Everything but SLIC's kernels reads the image: once, and the value range comes from those
  // values (no readback of its own).
  const raw = values ?? (slicPath === 'gpu' ? undefined : ((await image.data()) as Float32Array));
  const [low, scale] = await unitMap(image, options.valueRange, raw);
  if (options.method === 'slic') return slic(image, raw, [height, width, channels], [low, scale], options, slicPath!);
  const unit = new Float32Array(raw!.length);
  for (let i = 0; i < raw!.length; i++) unit[i] = Math.min(1, Math.max(0, (raw![i]! - low) * scale));
  if (options.method === 'quickshift' && path === 'gpu') {
    return { ...(await quickshiftGpu(unit, height, width, channels, options)), height, width, path: 'gpu' };
  }
  const result =
    options.method === 'felzenszwalb'
      ? felzenszwalb(unit, height, width, channels, options)
      : quickshift(unit, height, width, channels, options);
  return { ...result, height, width, path: 'cpu' };
}

/**
 * Quick Shift with the density and link passes on the GPU (quickshift-density, quickshift-parent:
 * 2 x (2W + 1)^2 window operations per pixel, embarrassingly parallel) and the features and root
 * following on the CPU. Same algorithm as the CPU path; links can differ only at near-ties of the
 * f32 densities.
 */
async function quickshiftGpu(
  unit: Float32Array,
  height: number,
  width: number,
  channels: number,
  o: QuickshiftOptions,
): Promise<{ labels: Int32Array; count: number }> {
  const { ratio = 1, kernelSize = 5, maxDist = 10, sigma = 0, seed = 42 } = o;
  const device = tfjsDevice();
  const pixels = height * width;
  const window = Math.ceil(3 * kernelSize);
  const buffers = [
    uploadBuffer(device, Float32Array.from(quickshiftFeatures(unit, height, width, channels, ratio, sigma)), 'quickshift.features'),
    uploadBuffer(device, normalFill(seed, 0, pixels), 'quickshift.noise'),
    createBuffer(device, pixels * 4, 'quickshift.density'),
    createBuffer(device, pixels * 4, 'quickshift.parent'),
  ] as const;
  try {
    const [features, noise, density, parent] = buffers;
    await runKernel(device, quickshiftDensity, {
      params: { height, width, window, inv: -0.5 / (kernelSize * kernelSize) },
      features,
      noise,
      density,
    });
    await runKernel(device, quickshiftParent, {
      params: { height, width, window, maxDist2: maxDist * maxDist },
      features,
      density,
      parent,
    });
    return quickshiftRoots(await readUint32(device, parent, pixels));
  } finally {
    buffers.forEach((b) => releaseBuffer(device, b));
  }
}

/** SLIC's labels on `path` (`values`: the image's HWC host values, given on the CPU path), then connectivity on the host. */
async function slic(
  image: tf.Tensor,
  values: Float32Array | undefined,
  [height, width, channels]: readonly [number, number, number],
  [low, scale]: readonly [number, number],
  o: SlicOptions,
  path: ExecutionPath,
): Promise<Segmentation> {
  const plan = slicPlan(height, width, o.segments ?? 100, o.compactness ?? 10);
  const iterations = o.iterations ?? 10;
  const raw =
    path === 'gpu'
      ? await slicOnGpu(image, plan, [height, width, channels], [low, scale], iterations, o.signal)
      : slicRef(plan, slicFeaturesRef(values!, height * width, channels, low, scale), iterations);
  if (o.enforceConnectivity === false) {
    return { labels: Int32Array.from(raw), count: plan.gridH * plan.gridW, height, width, path };
  }
  const minSize = Math.floor((o.minSizeFactor ?? 0.5) * ((height * width) / (plan.gridH * plan.gridW)));
  return { ...enforceConnectivity(raw, height, width, minSize), height, width, path };
}

/** SLIC's kernels on tfjs's device, reading the labels back. */
async function slicOnGpu(
  image: tf.Tensor,
  plan: SlicPlan,
  [height, width, channels]: readonly [number, number, number],
  [low, scale]: readonly [number, number],
  iterations: number,
  signal: AbortSignal | undefined,
): Promise<Uint32Array> {
  const device = tfjsDevice();
  const flat = image.rank === 4 ? image : tf.reshape(image, [1, height, width, channels]);
  try {
    const labels = await slicLabels(device, {
      plan,
      image: gpuBufferOf(flat),
      channels,
      low,
      scale,
      iterations,
      ...(signal ? { signal } : {}),
    });
    try {
      return await readUint32(device, labels, height * width);
    } finally {
      releaseBuffer(device, labels);
    }
  } finally {
    if (flat !== image) flat.dispose();
  }
}
