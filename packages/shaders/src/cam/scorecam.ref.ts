// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** Activations `[images, height, width, channels]` and the input size they are upsampled to. */
export interface ScorecamShape {
  readonly images: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** align_corners = True source indices and weight of output index i (torch UpsamplingBilinear2d). */
export function alignCornersSource(i: number, outSize: number, inSize: number): [number, number, number] {
  const s = outSize > 1 ? (i * (inSize - 1)) / (outSize - 1) : 0;
  const i0 = Math.min(Math.floor(s), inSize - 1);
  return [i0, Math.min(i0 + 1, inSize - 1), s - i0];
}

function upsampledChannel(act: ArrayLike<number>, shape: ScorecamShape, n: number, k: number): Float64Array {
  const { height: h, width: w, channels: K, outHeight, outWidth } = shape;
  const out = new Float64Array(outHeight * outWidth);
  const at = (y: number, x: number) => act[((n * h + y) * w + x) * K + k]!;
  for (let y = 0; y < outHeight; y++) {
    const [y0, y1, ty] = alignCornersSource(y, outHeight, h);
    for (let x = 0; x < outWidth; x++) {
      const [x0, x1, tx] = alignCornersSource(x, outWidth, w);
      const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * tx;
      const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * tx;
      out[y * outWidth + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}

function check(act: ArrayLike<number>, shape: ScorecamShape, what: string): void {
  const need = shape.images * shape.height * shape.width * shape.channels;
  if (act.length < need) throw new ShapeMismatchError(`${what}: act has ${act.length} values, need ${need}`);
}

/** CPU reference for scorecam-range.wgsl: `[images, channels, 2]` (min, max) of each upsampled channel. */
export function scorecamRangesRef(act: ArrayLike<number>, shape: ScorecamShape): Float32Array<ArrayBuffer> {
  check(act, shape, 'scorecamRangesRef');
  const out = new Float32Array(shape.images * shape.channels * 2);
  for (let n = 0; n < shape.images; n++) {
    for (let k = 0; k < shape.channels; k++) {
      const up = upsampledChannel(act, shape, n, k);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of up) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      out[(n * shape.channels + k) * 2] = lo;
      out[(n * shape.channels + k) * 2 + 1] = hi;
    }
  }
  return out;
}

/**
 * CPU reference for scorecam-masks.wgsl: `[count, outHeight, outWidth, imageChannels]`, the image n
 * times each normalised upsampled channel k0 .. k0 + count - 1. Also the explicit CPU path.
 */
export function scorecamMasksRef(
  images: ArrayLike<number>,
  act: ArrayLike<number>,
  ranges: ArrayLike<number>,
  shape: ScorecamShape & { readonly imageChannels: number },
  image: number,
  channelStart: number,
  count: number,
): Float32Array<ArrayBuffer> {
  check(act, shape, 'scorecamMasksRef');
  const { outHeight, outWidth, imageChannels: C, channels: K } = shape;
  const pixels = outHeight * outWidth;
  if (images.length < shape.images * pixels * C) throw new ShapeMismatchError(`scorecamMasksRef: images has ${images.length} values, need ${shape.images * pixels * C}`);
  const out = new Float32Array(count * pixels * C);
  for (let b = 0; b < count; b++) {
    const k = channelStart + b;
    const up = upsampledChannel(act, shape, image, k);
    const lo = ranges[(image * K + k) * 2]!;
    const hi = ranges[(image * K + k) * 2 + 1]!;
    for (let q = 0; q < pixels; q++) {
      const mask = (up[q]! - lo) / (hi - lo + 1e-8);
      for (let c = 0; c < C; c++) out[(b * pixels + q) * C + c] = images[(image * pixels + q) * C + c]! * mask;
    }
  }
  return out;
}
