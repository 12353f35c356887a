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

/** Channel k of image n, upsampled with align_corners (f64). */
export function upsampledChannel(act: ArrayLike<number>, shape: ScorecamShape, n: number, k: number): Float64Array {
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

/** Throws unless `act` holds the whole shape. */
export function checkScorecamAct(act: ArrayLike<number>, shape: ScorecamShape, what: string): void {
  const need = shape.images * shape.height * shape.width * shape.channels;
  if (act.length < need) throw new ShapeMismatchError(`${what}: act has ${act.length} values, need ${need}`);
}

/** CPU reference for scorecam-range.wgsl: `[images, channels, 2]` (min, max) of each upsampled channel. */
export function scorecamRangesRef(act: ArrayLike<number>, shape: ScorecamShape): Float32Array<ArrayBuffer> {
  checkScorecamAct(act, shape, 'scorecamRangesRef');
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
