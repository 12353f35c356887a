// SPDX-License-Identifier: Apache-2.0
import { convGeometry, directConv2dBackpropInputRef, directConv2dRef, type DirectConvGeometry } from '../direct-conv/direct-conv2d.ref.js';

/**
 * The geometry of a depthwise convolution (channel multiplier 1) of an NHWC `input` with a filter
 * [filterHeight, filterWidth, channels, 1] under TensorFlow's padding rules: that of the regular
 * convolution with as many output channels as input channels (see convGeometry).
 */
export function depthwiseGeometry(
  input: readonly [number, number, number, number],
  filter: readonly [number, number, number, 1],
  strides: readonly [number, number],
  padding: 'same' | 'valid' | readonly [number, number, number, number],
): DirectConvGeometry {
  const channels = input[3];
  return convGeometry(input, [filter[0], filter[1], channels, channels], strides, padding);
}

/**
 * The regular HWIO filter [fh, fw, c, c] a depthwise filter [fh, fw, c, 1] acts as: channel c's
 * window on the diagonal, 0 elsewhere (each output channel reads only its own input channel).
 */
function diagonalFilter(weights: ArrayLike<number>, g: DirectConvGeometry): Float64Array {
  const c = g.inChannels;
  const full = new Float64Array(g.filterHeight * g.filterWidth * c * c);
  for (let tap = 0; tap < g.filterHeight * g.filterWidth; tap++) {
    for (let ch = 0; ch < c; ch++) full[(tap * c + ch) * c + ch] = weights[tap * c + ch]!;
  }
  return full;
}

/**
 * y = depthwiseConv2d(x, weights) with channel multiplier 1, in f64, as the regular convolution
 * with the diagonal filter (directConv2dRef). Returns the NHWC output [batch, outHeight, outWidth,
 * channels].
 */
export function directDepthwiseConv2dRef(x: ArrayLike<number>, weights: ArrayLike<number>, g: DirectConvGeometry): Float64Array {
  return directConv2dRef(x, diagonalFilter(weights, g), g);
}

/**
 * The gradient of sum(depthwiseConv2d(x, weights) * dy) with respect to x, in f64 (the regular
 * convolution's, directConv2dBackpropInputRef, with the diagonal filter). Returns the NHWC
 * input-shaped gradient.
 */
export function directDepthwiseConv2dBackpropInputRef(
  dy: ArrayLike<number>,
  weights: ArrayLike<number>,
  g: DirectConvGeometry,
): Float64Array {
  return directConv2dBackpropInputRef(dy, diagonalFilter(weights, g), g);
}
