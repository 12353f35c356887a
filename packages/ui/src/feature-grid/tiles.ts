// SPDX-License-Identifier: Apache-2.0
// Inputs of <xai-feature-grid> as RGBA tiles: visualisations [k, h, w, c] (c = 1 or 3, values in
// [0, 1]) as they are, layer activations [h, w, k] / [1, h, w, k] one grey tile per channel,
// min-max normalised on its own (a constant channel is black).
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';
import type { ShapedArray, TensorLike } from '../shared/inputs.js';

/** One tile: its pixels and what it shows. */
export interface FeatureTile {
  readonly image: ImageData;
  /** The channel (or class) index shown. */
  readonly channel: number;
  /** The value reported on hover (e.g. mean activation or objective), if given. */
  readonly value: number | undefined;
}

async function read(x: TensorLike | ShapedArray, what: string): Promise<{ data: ArrayLike<number>; shape: readonly number[] }> {
  if (typeof (x as TensorLike).data === 'function') {
    try {
      return { data: await (x as TensorLike).data(), shape: (x as TensorLike).shape };
    } catch (cause) {
      throw new InvalidInputError(`${what}: reading the tensor failed (was it disposed?): ${String(cause)}`, { cause });
    }
  }
  return x as ShapedArray;
}

function checkFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!)) throw new InvalidInputError(`${what} has a non-finite value (${data[i]}) at index ${i}`);
}

function toByte(v: number): number {
  return Math.round(Math.min(Math.max(v, 0), 1) * 255);
}

/** Tiles of visualisations `[k, h, w, c]` (c = 1 or 3), values clamped to [0, 1]. */
export async function imageTiles(
  input: TensorLike | ShapedArray,
  channels: readonly number[] | undefined,
  values: readonly number[] | undefined,
): Promise<FeatureTile[]> {
  const { data, shape } = await read(input, 'images');
  const [k, h, w, c] = shape;
  if (shape.length !== 4 || !(c === 1 || c === 3) || data.length !== k! * h! * w! * c) {
    throw new ShapeMismatchError(
      `images must have shape [count, height, width, 1 | 3], got [${shape.join(', ')}] with ${data.length} values`,
    );
  }
  checkFinite(data, 'images');
  return Array.from({ length: k! }, (_, n) => {
    const image = new ImageData(w!, h!);
    for (let p = 0; p < h! * w!; p++) {
      const base = (n * h! * w! + p) * c;
      const rgb = c === 3 ? [data[base]!, data[base + 1]!, data[base + 2]!] : [data[base]!, data[base]!, data[base]!];
      image.data.set([...rgb.map(toByte), 255], 4 * p);
    }
    return { image, channel: channels?.[n] ?? n, value: values?.[n] };
  });
}

/** One grey tile per channel of an activation `[h, w, k]` or `[1, h, w, k]`, each min-max normalised; `order` picks and orders channels. */
export async function activationTiles(
  input: TensorLike | ShapedArray,
  order: readonly number[] | undefined,
  values: readonly number[] | undefined,
): Promise<FeatureTile[]> {
  const { data, shape } = await read(input, 'activations');
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  const [h, w, k] = dims;
  if (dims.length !== 3 || data.length !== h! * w! * k!) {
    throw new ShapeMismatchError(
      `activations must have shape [height, width, channels] or [1, height, width, channels], got [${shape.join(', ')}]`,
    );
  }
  checkFinite(data, 'activations');
  const channels = order ?? Array.from({ length: k! }, (_, i) => i);
  for (const ch of channels) {
    if (!Number.isInteger(ch) || ch < 0 || ch >= k!)
      throw new InvalidInputError(`order lists channel ${ch}, but the activation has channels 0..${k! - 1}`);
  }
  return channels.map((channel, slot) => {
    let [lo, hi] = [Infinity, -Infinity];
    for (let p = 0; p < h! * w!; p++) {
      lo = Math.min(lo, data[p * k! + channel]!);
      hi = Math.max(hi, data[p * k! + channel]!);
    }
    const image = new ImageData(w!, h!);
    for (let p = 0; p < h! * w!; p++) {
      const g = hi > lo ? toByte((data[p * k! + channel]! - lo) / (hi - lo)) : 0;
      image.data.set([g, g, g, 255], 4 * p);
    }
    return { image, channel, value: values?.[slot] ?? meanOf(data, channel, k!, h! * w!) };
  });
}

function meanOf(data: ArrayLike<number>, channel: number, k: number, positions: number): number {
  let s = 0;
  for (let p = 0; p < positions; p++) s += data[p * k + channel]!;
  return s / positions;
}
