// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';
import type { Target } from '../../api/targets.js';
import { readChecked, type InputCheck } from '../../api/input-check.js';
import type { MetricInputs, ReadingMetricInputs } from '../types.js';

/** An attribution to score: a tensor, or any explain result (its `attribution`, and its `target`). */
export type AttributionInput = tf.Tensor | { readonly attribution: tf.Tensor; readonly target?: readonly number[] };

/** Splits an attribution input into its tensor and the target it explains (results only). */
export function unpackAttribution(what: string, input: AttributionInput): { tensor: tf.Tensor; target: Target | undefined } {
  if (input instanceof tf.Tensor) return { tensor: input, target: undefined };
  if (typeof input === 'object' && input !== null && (input as { attribution?: unknown }).attribution instanceof tf.Tensor) {
    const target = Array.isArray(input.target) ? input.target : undefined;
    return { tensor: input.attribution, target };
  }
  throw new ShapeMismatchError(`${what}: attribution must be a tf.Tensor or an explain result with an attribution tensor`);
}

/**
 * The attribution as [n, h, w, c'] for an input [n, h, w, c] (a new tensor the caller disposes):
 * - [n, h, w, c] or [n, h, w, 1] as is (a 3-D [h, w, c] for a 3-D input gets its batch axis);
 * - a per-pixel map [n, h', w'] (or [h', w'] for one image) becomes [n, h', w', 1];
 * - maps smaller than the input (CAM at a layer's resolution) are resized bilinearly (half-pixel
 *   centres, as tf.image.resizeBilinear) to h x w.
 * @throws {ShapeMismatchError} naming the shape received and the shapes accepted.
 */
export function normaliseAttribution(what: string, attribution: tf.Tensor, inputShape: readonly number[]): tf.Tensor4D {
  if (attribution.isDisposed) throw new ShapeMismatchError(`${what}: the attribution tensor has been disposed`);
  const rank3Input = inputShape.length === 3;
  const [n, h, w, c] = (rank3Input ? [1, ...inputShape] : inputShape) as [number, number, number, number];
  const accepted = `[${n}, ${h}, ${w}, ${c}], [${n}, ${h}, ${w}, 1] or a map [${n}, h', w'] of the same aspect ratio with h' <= ${h}, w' <= ${w}${n === 1 ? ` (or [h', w'])` : ''}`;
  const shape = attribution.shape;
  let four: number[];
  if (attribution.rank === 4) four = shape;
  else if (attribution.rank === 3 && rank3Input && shape.every((d, i) => d === inputShape[i])) four = [1, ...shape];
  else if (attribution.rank === 3) four = [...shape, 1];
  else if (attribution.rank === 2 && n === 1) four = [1, ...shape, 1];
  else throw new ShapeMismatchError(`${what}: attribution has shape [${shape}] but the input [${inputShape}] needs ${accepted}`);
  const [an, ah, aw, ac] = four as [number, number, number, number];
  // A smaller map must keep the input's aspect ratio (within a pixel): [16, 15] for 16x16 is a mistake, 7x7 for 224x224 is CAM.
  const sameAspect = Math.abs(ah * w - aw * h) < Math.max(h, w);
  if (an !== n || ah > h || aw > w || ah < 1 || aw < 1 || !sameAspect || (ac !== c && ac !== 1)) {
    throw new ShapeMismatchError(`${what}: attribution has shape [${shape}] but the input [${inputShape}] needs ${accepted}`);
  }
  return tf.tidy(() => {
    const a = tf.reshape<tf.Rank.R4>(tf.cast(attribution, 'float32'), four as [number, number, number, number]);
    return ah === h && aw === w ? tf.clone(a) : tf.image.resizeBilinear(a, [h, w], false, true);
  });
}

/**
 * Pixel scores per image (the attribution summed over channels, in f32 as tf.sum would), h * w
 * values each, from the attribution's values read back: summed on the host, since a tfjs reduction
 * over a 1- or 3-wide axis runs one workgroup per pixel and costs more than the copy.
 */
export function pixelMapsOf(values: Float32Array, [n, h, w, c]: readonly [number, number, number, number]): Float32Array[] {
  const pixels = h * w;
  const maps = Array.from({ length: n }, () => new Float32Array(pixels));
  for (let i = 0; i < n; i++) {
    const map = maps[i]!;
    for (let p = 0; p < pixels; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s = Math.fround(s + values[(i * pixels + p) * c + k]!);
      if (!Number.isFinite(s)) throw new InvalidInputError(`attribution contains ${s} (pixel ${p} of image ${i})`);
      map[p] = s;
    }
  }
  return maps;
}

/** What {@link readAttribution} brings back in one readback. */
export interface AttributionRead {
  /** The attribution's values ([n, h, w, c'] flattened). */
  readonly values: Float32Array;
  /** Pixel scores per image ({@link pixelMapsOf}). */
  readonly maps: Float32Array[];
  /** The input's NHWC values, when it was read too. */
  readonly input?: Float32Array;
}

/**
 * The attribution's values and pixel maps ({@link pixelMapsOf}), and with `input` the input's NHWC
 * values too, from one readback that also carries the input's pending NaN / Inf `check`: the
 * metrics that write their images on the host need both, and every round trip costs a frame or
 * more in a browser.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function readAttribution(
  attribution: tf.Tensor4D,
  input: tf.Tensor4D | undefined,
  check: InputCheck | undefined,
): Promise<AttributionRead> {
  const both = await readChecked(check, input ? [input, attribution] : attribution);
  const values = input ? both.subarray(input.size) : both;
  return { values, maps: pixelMapsOf(values, attribution.shape), ...(input && { input: both.subarray(0, input.size) }) };
}

/**
 * A `run` metric's inputs from a `runWhileReading` metric's and its landed readback: the attribution's
 * maps and values, and with `hostInput` the input's values (a black box's `hostValues`, else the read).
 */
export function readInputs(inputs: ReadingMetricInputs, read: AttributionRead, hostInput: boolean): MetricInputs {
  const { reading: _, ...base } = inputs;
  const inputValues = hostInput ? (inputs.hostValues ?? read.input) : undefined;
  return { ...base, maps: read.maps, attributionValues: read.values, ...(inputValues && { inputValues }) };
}
