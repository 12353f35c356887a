// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, ShapeMismatchError } from '../runtime/errors.js';
import { affineSampleRef, type AffineSampleShape } from './affine-sample.ref.js';

/** Floats per pixel of the padded layout (fft-plan.ts's ImageLayout 'padded'). */
const PADDED = 4;

/** Pixels of `channels` (<= 4) values each, packed -> padded to 4 floats (the rest `pad`). */
export function padPixels(packed: ArrayLike<number>, channels: number, pad = 0): Float32Array<ArrayBuffer> {
  checkChannels(channels, packed.length);
  const pixels = packed.length / channels;
  const out = new Float32Array(pixels * PADDED).fill(pad);
  for (let p = 0; p < pixels; p++) for (let ch = 0; ch < channels; ch++) out[p * PADDED + ch] = packed[p * channels + ch]!;
  return out;
}

/** The inverse of {@link padPixels}: the first `channels` floats of each 4. */
export function unpadPixels(padded: ArrayLike<number>, channels: number): Float32Array<ArrayBuffer> {
  checkChannels(channels, padded.length, PADDED);
  const pixels = padded.length / PADDED;
  const out = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) for (let ch = 0; ch < channels; ch++) out[p * channels + ch] = padded[p * PADDED + ch]!;
  return out;
}

function checkChannels(channels: number, length: number, stride = channels): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > PADDED)
    throw new InvalidOptionError(`padded pixels: ${channels} channels; the padded layout holds 1 to ${PADDED}`);
  if (length % stride !== 0) throw new ShapeMismatchError(`padded pixels: ${length} values are not whole pixels of ${stride} floats`);
}

/** CPU reference for affine-sample-padded.wgsl: affineSampleRef on the unpadded source `src` [n, srcHeight, srcWidth, 4]. */
export function affineSamplePaddedRef(
  src: ArrayLike<number>,
  transforms: ArrayLike<number>,
  shape: AffineSampleShape,
  fill: number,
): Float32Array<ArrayBuffer> {
  return affineSampleRef(unpadPixels(src, shape.channels), transforms, shape, fill);
}
