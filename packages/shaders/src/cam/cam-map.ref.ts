// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';
import type { CamWeighting } from './cam-map.kernel.js';

/** Shape of a cam-map call: `images` NHWC activations of `height x width x channels`, output `outHeight x outWidth`. */
export interface CamMapShape {
  readonly images: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/**
 * Source indices and weight of output index `i` for a half-pixel-centre bilinear resize from
 * `inSize` to `outSize` (cv2.resize INTER_LINEAR, tf.image.resizeBilinear with halfPixelCenters).
 */
export function halfPixelSource(i: number, outSize: number, inSize: number): [number, number, number] {
  const s = ((i + 0.5) * inSize) / outSize - 0.5;
  const c = Math.min(Math.max(s, 0), inSize - 1);
  const i0 = Math.floor(c);
  return [i0, Math.min(i0 + 1, inSize - 1), c - i0];
}

/** Half-pixel-centre bilinear resize of one row-major `h x w` plane to `outH x outW` (f64). */
export function resizeBilinearRef(plane: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float64Array {
  const out = new Float64Array(outH * outW);
  resizeBilinearInto(plane, h, w, outH, outW, out);
  return out;
}

/**
 * {@link resizeBilinearRef} written into `out`, output pixel p at out[p * stride + offset] (one
 * channel of an interleaved image: stride = channels, offset = the channel). Each output row's and
 * column's sources and weight are looked up once; the columns' are kept in typed arrays (reading
 * them as [x0, x1, tx] tuples in the inner loop made XRAI's 28 -> 224 resize 5x slower).
 */
export function resizeBilinearInto(
  plane: ArrayLike<number>,
  h: number,
  w: number,
  outH: number,
  outW: number,
  out: Float64Array,
  stride = 1,
  offset = 0,
): void {
  const [left, right, tx] = [new Int32Array(outW), new Int32Array(outW), new Float64Array(outW)];
  for (let x = 0; x < outW; x++) [left[x], right[x], tx[x]] = halfPixelSource(x, outW, w);
  for (let y = 0; y < outH; y++) {
    const [y0, y1, ty] = halfPixelSource(y, outH, h);
    const upper = y0 * w;
    const lower = y1 * w;
    for (let x = 0, o = y * outW * stride + offset; x < outW; x++, o += stride) {
      const x0 = left[x]!;
      const x1 = right[x]!;
      const t = tx[x]!;
      const a = plane[upper + x0]!;
      const b = plane[upper + x1]!;
      const c = plane[lower + x0]!;
      const d = plane[lower + x1]!;
      const top = a + (b - a) * t;
      const bottom = c + (d - c) * t;
      out[o] = top + (bottom - top) * ty;
    }
  }
}

/** pytorch-grad-cam's scale_cam_image without resize: (x - min) / (1e-7 + max(x - min)), in place. */
export function minMaxNormaliseRef(values: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (let i = 0; i < values.length; i++) values[i] = (values[i]! - lo) / (1e-7 + (hi - lo));
  return values;
}

/**
 * CPU reference for cam-map.wgsl (f64 inside): returns the ReLU'd map `[n, h*w]` and the upsampled,
 * min-max normalised output `[n, outH*outW]` (normalised again after the resize when
 * `finalNormalise`, as pytorch-grad-cam does for one layer), and each map's peak (NaN when any
 * position's sum is NaN or Inf). `weights` is `[n, channels]` for 'channel' weighting,
 * `[n, h, w, channels]` otherwise. Also the explicit CPU path.
 */
export function camMapRef(
  act: ArrayLike<number>,
  weights: ArrayLike<number>,
  shape: CamMapShape,
  weighting: CamWeighting,
  finalNormalise = true,
): { map: Float32Array<ArrayBuffer>; output: Float32Array<ArrayBuffer>; peaks: Float32Array<ArrayBuffer> } {
  const { images, height, width, channels: K, outHeight, outWidth } = shape;
  const positions = height * width;
  const weightCount = weighting === 'channel' ? images * K : images * positions * K;
  if (act.length < images * positions * K || weights.length < weightCount) {
    throw new ShapeMismatchError(
      `camMapRef: act has ${act.length} values (need ${images * positions * K}), weights ${weights.length} (need ${weightCount})`,
    );
  }
  const map = new Float32Array(images * positions);
  const output = new Float32Array(images * outHeight * outWidth);
  const peaks = new Float32Array(images);
  for (let n = 0; n < images; n++) {
    const plane = new Float64Array(positions);
    let finite = true;
    for (let p = 0; p < positions; p++) {
      const base = (n * positions + p) * K;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const raw = weighting === 'channel' ? weights[n * K + k]! : weights[base + k]!;
        s += (weighting === 'elementwise-relu' ? Math.max(raw, 0) : raw) * act[base + k]!;
      }
      // As the kernel: the f32 sum (|s| beyond f32's range is Inf there).
      finite &&= Number.isFinite(Math.fround(s));
      plane[p] = Math.max(s, 0);
    }
    map.set(plane, n * positions);
    // A NaN or Inf sum anywhere makes the peak NaN (the kernel's fault marker; see cam-map.wgsl).
    peaks[n] = finite ? Math.max(...map.subarray(n * positions, (n + 1) * positions)) : Number.NaN;
    // As scale_cam_image: normalise at the layer's resolution, then resize.
    const resized = resizeBilinearRef(minMaxNormaliseRef(plane.slice()), height, width, outHeight, outWidth);
    // ... and, for one layer, again after it (aggregate_multi_layers).
    output.set(finalNormalise ? minMaxNormaliseRef(resized) : resized, n * outHeight * outWidth);
  }
  return { map, output, peaks };
}
