// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from '@webxai/shaders';
import { rejectOption, rejectOptionAs } from '../../api/options.js';
import { segmentImage, type Segmentation, type SegmentOptions } from '../../segment/segment.js';

/**
 * A user-given label map replacing the built-in superpixels: int32 [H, W] (every image) or
 * [N, H, W] (one per image), as a tf.Tensor, an Int32Array (row-major), or a {@link Segmentation}.
 * Labels are any non-negative integers; feature j is the j-th smallest label (so labels 0 .. F-1
 * keep their numbers, as Captum's `feature_mask`).
 */
export type SegmentsInput = tf.Tensor | Int32Array | Segmentation;

/** What a hidden superpixel shows. */
export type FillOption = 'mean' | 'zero' | 'blur' | number | { readonly blur: number };

/** The features of one image: a compact label map and its number of features. */
export interface FeatureMap {
  readonly labels: Int32Array;
  readonly count: number;
}

/** Sorted-unique relabelling to 0 .. count - 1 (np.unique's inverse). */
function compactSorted(labels: Int32Array): FeatureMap {
  const unique = Array.from(new Set(labels)).sort((a, b) => a - b);
  const index = new Map(unique.map((l, i) => [l, i]));
  return { labels: Int32Array.from(labels, (l) => index.get(l)!), count: unique.length };
}

/** Checks user segments once per call and returns a getter for image i's map. */
export async function userSegments(
  method: string,
  input: SegmentsInput,
  n: number,
  height: number,
  width: number,
): Promise<(i: number) => FeatureMap> {
  const pixels = height * width;
  let data: Int32Array;
  let maps: number;
  if (input instanceof tf.Tensor) {
    if (input.dtype !== 'int32' || (input.rank !== 2 && input.rank !== 3)) {
      throw new ShapeMismatchError(`${method}: segments must be an int32 tensor [h, w] or [n, h, w], got ${input.dtype} [${input.shape}]`);
    }
    const [h, w] = input.shape.slice(-2);
    if (h !== height || w !== width) throw new ShapeMismatchError(`${method}: segments are ${h}x${w} but the input is ${height}x${width}`);
    data = (await input.data()) as Int32Array;
    maps = input.rank === 3 ? input.shape[0] : 1;
  } else if (input instanceof Int32Array) {
    data = input;
    maps = input.length / pixels;
  } else if (typeof input === 'object' && input !== null && input.labels instanceof Int32Array) {
    if (input.height !== height || input.width !== width) {
      throw new ShapeMismatchError(`${method}: segments are ${input.height}x${input.width} but the input is ${height}x${width}`);
    }
    data = input.labels;
    maps = 1;
  } else {
    throw new ShapeMismatchError(`${method}: segments must be an int32 tf.Tensor, an Int32Array or a Segmentation`);
  }
  if (!Number.isInteger(maps) || (maps !== 1 && maps !== n) || data.length !== maps * pixels) {
    throw new ShapeMismatchError(
      `${method}: segments hold ${data.length} labels; expected ${pixels} ([h, w]) or ${n * pixels} ([n, h, w]) for ${n} images of ${height}x${width}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (data[i]! < 0) rejectOptionAs(method, 'segment labels', '>= 0', `${data[i]} at index ${i}`);
  }
  const cache = new Map<number, FeatureMap>();
  return (i) => {
    const m = maps === 1 ? 0 : i;
    let map = cache.get(m);
    if (!map) cache.set(m, (map = compactSorted(data.subarray(m * pixels, (m + 1) * pixels))));
    return map;
  };
}

/** Superpixels of one image ([1, h, w, c]; its HWC host `values` when known) with the built-in segmentation. */
export async function builtinSegments(
  image: tf.Tensor4D,
  options: SegmentOptions,
  signal: AbortSignal | undefined,
  values?: Float32Array,
): Promise<FeatureMap> {
  const s = await segmentImage(image, signal ? { ...options, signal } : options, values);
  return { labels: s.labels, count: s.count };
}

/** Checks the fill option (at create time). */
export function checkFill(method: string, fill: FillOption | undefined): void {
  if (fill === undefined || fill === 'mean' || fill === 'zero' || fill === 'blur') return;
  if (typeof fill === 'number' && Number.isFinite(fill)) return;
  if (typeof fill === 'object' && fill !== null && Number.isInteger(fill.blur) && fill.blur >= 1) return;
  rejectOption(method, 'fill', "'mean', 'zero', 'blur', a finite number or { blur: kernel size >= 1 }", fill);
}

/**
 * The fill image (HWC) for one image: per-segment mean colour (lime_image's hide_color=None),
 * zeros, a constant, or a box blur (shap's Image masker "blur(k, k)", cv2.blur with
 * BORDER_REFLECT_101; 'blur' = a kernel of min(h, w) / 8 pixels).
 */
export function fillImage(
  fill: FillOption,
  values: Float32Array,
  map: FeatureMap,
  height: number,
  width: number,
  channels: number,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(values.length);
  if (fill === 'zero') return out;
  if (typeof fill === 'number') return out.fill(fill);
  if (fill === 'mean') {
    const sums = new Float64Array(map.count * channels);
    const counts = new Float64Array(map.count);
    for (let p = 0; p < height * width; p++) {
      const s = map.labels[p]!;
      counts[s] = counts[s]! + 1;
      for (let c = 0; c < channels; c++) sums[s * channels + c] = sums[s * channels + c]! + values[p * channels + c]!;
    }
    // Each mean divided once (the same f64 quotient as one division per pixel, rounded to f32 by the store).
    for (let s = 0; s < map.count; s++) for (let c = 0; c < channels; c++) sums[s * channels + c] = sums[s * channels + c]! / counts[s]!;
    for (let p = 0; p < height * width; p++) {
      const at = map.labels[p]! * channels;
      for (let c = 0; c < channels; c++) out[p * channels + c] = sums[at + c]!;
    }
    return out;
  }
  const k = fill === 'blur' ? Math.max(1, Math.round(Math.min(height, width) / 8)) : fill.blur;
  return boxBlur(values, height, width, channels, k);
}

function boxBlur(values: Float32Array, height: number, width: number, channels: number, k: number): Float32Array<ArrayBuffer> {
  const before = Math.floor(k / 2); // cv2's anchor: the kernel centre
  const reflect101 = (i: number, n: number) => {
    if (n === 1) return 0;
    const period = 2 * n - 2;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - j;
    return j;
  };
  // Sliding window sums along each axis: O(1) per value instead of O(k) (k = 28 at 224x224).
  const slide = (src: ArrayLike<number>, dst: Float64Array | Float32Array, length: number, lines: number, step: number, next: number) => {
    const tap = Int32Array.from({ length: length + k }, (_, i) => reflect101(i - before, length));
    for (let line = 0; line < lines; line++) {
      const o = Math.floor(line / step) * step * length + (line % step);
      let s = 0;
      for (let d = 0; d < k; d++) s += src[o + tap[d]! * next]!;
      dst[o] = s / k;
      for (let u = 1; u < length; u++) {
        s += src[o + tap[u + k - 1]! * next]! - src[o + tap[u - 1]! * next]!;
        dst[o + u * next] = s / k;
      }
    }
  };
  const rowLength = width * channels;
  const tmp = new Float64Array(values.length);
  // Along x: lines are (y, c), neighbours `channels` apart.
  slide(values, tmp, width, height * channels, channels, channels);
  const out = new Float32Array(values.length);
  // Along y: lines are (x, c), neighbours a row apart.
  slide(tmp, out, height, rowLength, rowLength, rowLength);
  return out;
}
