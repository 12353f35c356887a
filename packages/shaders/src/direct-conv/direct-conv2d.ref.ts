// SPDX-License-Identifier: Apache-2.0

/**
 * Shape of a 2-D convolution with dilation 1: NHWC input [batch, inHeight, inWidth, inChannels],
 * HWIO weights [filterHeight, filterWidth, inChannels, outChannels], NHWC output [batch, outHeight,
 * outWidth, outChannels], and the padding before row 0 / column 0 (TensorFlow's 'same' / 'valid'
 * or explicit pads; see {@link convGeometry}).
 */
export interface DirectConvGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * The geometry of a convolution of an NHWC `input` with HWIO `filter` under TensorFlow's padding
 * rules: 'valid' (no padding), 'same' (output ceil(in / stride), the odd pad at the bottom/right),
 * or explicit [top, bottom, left, right] pads.
 */
export function convGeometry(
  input: readonly [number, number, number, number],
  filter: readonly [number, number, number, number],
  strides: readonly [number, number],
  padding: 'same' | 'valid' | readonly [number, number, number, number],
): DirectConvGeometry {
  const [batch, inHeight, inWidth, inChannels] = input;
  const [filterHeight, filterWidth, , outChannels] = filter;
  const [strideHeight, strideWidth] = strides;
  const axis = (size: number, window: number, stride: number, pads?: readonly [number, number]) => {
    if (pads) return { out: Math.floor((size + pads[0] + pads[1] - window) / stride) + 1, before: pads[0] };
    if (padding === 'valid') return { out: Math.ceil((size - window + 1) / stride), before: 0 };
    const out = Math.ceil(size / stride);
    return { out, before: Math.floor(Math.max(0, (out - 1) * stride + window - size) / 2) };
  };
  const explicit = typeof padding === 'string' ? undefined : padding;
  const rows = axis(inHeight, filterHeight, strideHeight, explicit && [explicit[0], explicit[1]]);
  const cols = axis(inWidth, filterWidth, strideWidth, explicit && [explicit[2], explicit[3]]);
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    outHeight: rows.out,
    outWidth: cols.out,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    padTop: rows.before,
    padLeft: cols.before,
  };
}

/** Activations the direct convolution fuses (the kernel's `params.activation` codes 0, 1, 2). */
export function activateRef(v: number, activation: 'linear' | 'relu' | 'relu6'): number {
  if (activation === 'relu') return Math.max(v, 0);
  if (activation === 'relu6') return Math.min(Math.max(v, 0), 6);
  return v;
}

/**
 * y = act(conv2d(x, weights) + bias), summed in f64. Input cells outside the image count as 0.
 * Returns the NHWC output [batch, outHeight, outWidth, outChannels].
 */
export function directConv2dRef(
  x: ArrayLike<number>,
  weights: ArrayLike<number>,
  g: DirectConvGeometry,
  bias?: ArrayLike<number>,
  activation: 'linear' | 'relu' | 'relu6' = 'linear',
): Float64Array {
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let co = 0; co < g.outChannels; co++) {
          let sum = bias ? bias[co]! : 0;
          for (let ky = 0; ky < g.filterHeight; ky++) {
            for (let kx = 0; kx < g.filterWidth; kx++) {
              const iy = oy * g.strideHeight - g.padTop + ky;
              const ix = ox * g.strideWidth - g.padLeft + kx;
              if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
              for (let ci = 0; ci < g.inChannels; ci++) {
                const xv = x[((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ci]!;
                sum += xv * weights[((ky * g.filterWidth + kx) * g.inChannels + ci) * g.outChannels + co]!;
              }
            }
          }
          y[((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + co] = activateRef(sum, activation);
        }
      }
    }
  }
  return y;
}

/**
 * The gradient of sum(conv2d(x, weights) * dy) with respect to x, in f64: every output's gradient
 * is scattered back onto the input cells its window read (cells in the padding are dropped).
 * Returns the NHWC input-shaped gradient [batch, inHeight, inWidth, inChannels].
 */
export function directConv2dBackpropInputRef(dy: ArrayLike<number>, weights: ArrayLike<number>, g: DirectConvGeometry): Float64Array {
  const dx = new Float64Array(g.batch * g.inHeight * g.inWidth * g.inChannels);
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ky = 0; ky < g.filterHeight; ky++) {
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const iy = oy * g.strideHeight - g.padTop + ky;
            const ix = ox * g.strideWidth - g.padLeft + kx;
            if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++) {
              const at = ((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ci;
              for (let co = 0; co < g.outChannels; co++) {
                const grad = dy[((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + co]!;
                dx[at] = dx[at]! + grad * weights[((ky * g.filterWidth + kx) * g.inChannels + ci) * g.outChannels + co]!;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}
