// SPDX-License-Identifier: Apache-2.0

/**
 * Shape of a 3-D max pooling: NDHWC input, window, strides and the padding before slice 0 / row 0 /
 * column 0. 2-D pooling (NHWC) is depth 1 with a window and stride of 1 along depth.
 */
export interface MaxPoolGeometry {
  readonly batch: number;
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outDepth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterDepth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideDepth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padFront: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * Position ((slice * height + row) * width + col) of the first maximal element of one pooling window
 * in row-major window order, skipping padding and NaN; -1 when nothing in the window qualifies.
 */
export function firstArgmaxRef(
  input: ArrayLike<number>,
  g: MaxPoolGeometry,
  b: number,
  ch: number,
  oz: number,
  oy: number,
  ox: number,
): number {
  let best = -Infinity;
  let bestAt = -1;
  for (let wd = 0; wd < g.filterDepth; wd++) {
    for (let wr = 0; wr < g.filterHeight; wr++) {
      for (let wc = 0; wc < g.filterWidth; wc++) {
        const d = oz * g.strideDepth - g.padFront + wd;
        const r = oy * g.strideHeight - g.padTop + wr;
        const c = ox * g.strideWidth - g.padLeft + wc;
        if (d < 0 || d >= g.depth || r < 0 || r >= g.height || c < 0 || c >= g.width) continue;
        const at = (d * g.height + r) * g.width + c;
        const v = input[(b * g.depth * g.height * g.width + at) * g.channels + ch]!;
        if (Number.isNaN(v)) continue;
        if (bestAt < 0 || v > best) {
          best = v;
          bestAt = at;
        }
      }
    }
  }
  return bestAt;
}

/**
 * CPU reference for max-pool-grad.wgsl, written as a scatter (the shader gathers): every window
 * sends dy to its first maximal element. f64 sums, rounded once. Also the explicit CPU path (the
 * cpu backend's MaxPool3DGrad when webxai's first-max kernels are installed).
 */
export function maxPoolGradRef(input: ArrayLike<number>, dy: ArrayLike<number>, g: MaxPoolGeometry): Float32Array<ArrayBuffer> {
  const volume = g.depth * g.height * g.width;
  const dx = new Float64Array(g.batch * volume * g.channels);
  let o = 0; // dy offset, NDHWC order
  for (let b = 0; b < g.batch; b++) {
    for (let oz = 0; oz < g.outDepth; oz++) {
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) {
          for (let ch = 0; ch < g.channels; ch++, o++) {
            const at = firstArgmaxRef(input, g, b, ch, oz, oy, ox);
            if (at >= 0) dx[(b * volume + at) * g.channels + ch]! += dy[o]!;
          }
        }
      }
    }
  }
  return Float32Array.from(dx);
}

/** Output size and padding before index 0 along one axis, as TensorFlow defines them. */
function poolAxis(size: number, filter: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.ceil((size - filter + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max(0, (out - 1) * stride + filter - size) / 2) };
}

/**
 * Output size and padding of 3-D max pooling (NDHWC) as TensorFlow defines them ('valid': no
 * padding; 'same': ceil(size / stride) outputs, padding split with the extra cell at the end).
 */
export function maxPool3dGeometry(
  shape: readonly [number, number, number, number, number],
  filter: readonly [number, number, number],
  strides: readonly [number, number, number],
  padding: 'same' | 'valid',
): MaxPoolGeometry {
  const [batch, depth, height, width, channels] = shape;
  const [filterDepth, filterHeight, filterWidth] = filter;
  const [strideDepth, strideHeight, strideWidth] = strides;
  const slices = poolAxis(depth, filterDepth, strideDepth, padding);
  const rows = poolAxis(height, filterHeight, strideHeight, padding);
  const cols = poolAxis(width, filterWidth, strideWidth, padding);
  return {
    batch,
    depth,
    height,
    width,
    channels,
    filterDepth,
    filterHeight,
    filterWidth,
    strideDepth,
    strideHeight,
    strideWidth,
    outDepth: slices.out,
    outHeight: rows.out,
    outWidth: cols.out,
    padFront: slices.before,
    padTop: rows.before,
    padLeft: cols.before,
  };
}

/** 2-D max pooling (NHWC) as depth-1 3-D pooling: see {@link maxPool3dGeometry}. */
export function maxPoolGeometry(
  shape: readonly [number, number, number, number],
  filter: readonly [number, number],
  strides: readonly [number, number],
  padding: 'same' | 'valid',
): MaxPoolGeometry {
  const [batch, height, width, channels] = shape;
  return maxPool3dGeometry([batch, 1, height, width, channels], [1, ...filter], [1, ...strides], padding);
}
