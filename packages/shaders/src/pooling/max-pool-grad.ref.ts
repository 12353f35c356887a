// SPDX-License-Identifier: Apache-2.0

/** Shape of a 2-D max pooling: NHWC input, window, strides and the padding before row 0 / column 0. */
export interface MaxPoolGeometry {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * Position (row * width + col) of the first maximal element of one pooling window in row-major
 * window order, skipping padding and NaN; -1 when nothing in the window qualifies.
 */
export function firstArgmaxRef(input: ArrayLike<number>, g: MaxPoolGeometry, b: number, ch: number, oy: number, ox: number): number {
  let best = -Infinity;
  let bestAt = -1;
  for (let wr = 0; wr < g.filterHeight; wr++) {
    for (let wc = 0; wc < g.filterWidth; wc++) {
      const r = oy * g.strideHeight - g.padTop + wr;
      const c = ox * g.strideWidth - g.padLeft + wc;
      if (r < 0 || r >= g.height || c < 0 || c >= g.width) continue;
      const v = input[((b * g.height + r) * g.width + c) * g.channels + ch]!;
      if (Number.isNaN(v)) continue;
      if (bestAt < 0 || v > best) {
        best = v;
        bestAt = r * g.width + c;
      }
    }
  }
  return bestAt;
}

/**
 * CPU reference for max-pool-grad.wgsl, written as a scatter (the shader gathers): every window
 * sends dy to its first maximal element. f64 sums, rounded once. Also the explicit CPU path.
 */
export function maxPoolGradRef(input: ArrayLike<number>, dy: ArrayLike<number>, g: MaxPoolGeometry): Float32Array<ArrayBuffer> {
  const dx = new Float64Array(g.batch * g.height * g.width * g.channels);
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ch = 0; ch < g.channels; ch++) {
          const at = firstArgmaxRef(input, g, b, ch, oy, ox);
          if (at < 0) continue;
          dx[(b * g.height * g.width + at) * g.channels + ch]! += dy[((b * g.outHeight + oy) * g.outWidth + ox) * g.channels + ch]!;
        }
      }
    }
  }
  return Float32Array.from(dx);
}

/**
 * Output size and padding of 2-D max pooling as TensorFlow defines them ('valid': no padding;
 * 'same': ceil(size / stride) outputs, padding split with the extra cell at the bottom/right).
 */
export function maxPoolGeometry(
  shape: readonly [number, number, number, number],
  filter: readonly [number, number],
  strides: readonly [number, number],
  padding: 'same' | 'valid',
): MaxPoolGeometry {
  const [batch, height, width, channels] = shape;
  const [filterHeight, filterWidth] = filter;
  const [strideHeight, strideWidth] = strides;
  const along = (size: number, f: number, s: number) => {
    if (padding === 'valid') return { out: Math.ceil((size - f + 1) / s), before: 0 };
    const out = Math.ceil(size / s);
    return { out, before: Math.floor(Math.max(0, (out - 1) * s + f - size) / 2) };
  };
  const rows = along(height, filterHeight, strideHeight);
  const cols = along(width, filterWidth, strideWidth);
  return {
    batch, height, width, channels, filterHeight, filterWidth, strideHeight, strideWidth,
    outHeight: rows.out, outWidth: cols.out, padTop: rows.before, padLeft: cols.before,
  };
}
