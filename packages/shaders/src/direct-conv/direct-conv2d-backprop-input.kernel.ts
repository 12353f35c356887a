// SPDX-License-Identifier: Apache-2.0
import source from './direct-conv2d-backprop-input.wgsl';
import narrowSource from './direct-conv2d-backprop-input-narrow.wgsl';
import slideSource from './direct-conv2d-backprop-input-slide.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { convBlock8Snippet, convBlockSnippet, convGeometrySnippet, convWindow8Snippet } from '../snippets/index.js';
import { CONV_GEOMETRY_UNIFORM, fitsSlideKernel } from './direct-conv2d.kernel.js';

/** The 8 x 8 kernel's workgroup: small, as direct-conv2d's (see there). */
const WORKGROUP_SIZE = 16;

/**
 * GPU kernel: gradient of a 2-D convolution (NHWC, HWIO weights, dilation 1) with respect to its
 * input, given the output gradient `dy` and the forward convolution's strides and pads (tfjs's
 * Conv2DBackpropInput); each invocation gathers 8 input columns x 8 input channels without
 * workgroup memory or barriers. See direct-conv2d-backprop-input.wgsl; CPU reference:
 * directConv2dBackpropInputRef. `params.count` is {@link directConv2dBackpropInputInvocations}.
 */
export const directConv2dBackpropInput = defineKernel({
  name: 'direct-conv2d-backprop-input',
  source,
  includes: [convGeometrySnippet, convBlock8Snippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: {
      uniform: CONV_GEOMETRY_UNIFORM,
    },
    dy: { storage: 'read' },
    weights: { storage: 'read' },
    dx: { storage: 'read_write' },
  },
  // f32 sums of up to filterHeight * filterWidth * outChannels products.
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.count,
});

/**
 * {@link directConv2dBackpropInput} for up to 4 input channels (an image's gradient): 4 input
 * columns x 4 input channels per invocation, where the 8 x 8 block would compute 4 clamped copies.
 * Same bindings, results and tolerance; {@link directConv2dBackpropInputFor} picks it.
 */
export const directConv2dBackpropInputNarrow = defineKernel({
  ...directConv2dBackpropInput,
  name: 'direct-conv2d-backprop-input-narrow',
  source: narrowSource,
  // Four times the 8 x 8 kernel's invocations: the width it had before that kernel existed.
  workgroupSize: 64,
  includes: [convGeometrySnippet, convBlockSnippet],
});

/**
 * {@link directConv2dBackpropInput} for a column stride of 1 and a filter up to 5 columns wide: the
 * same 8 x 8 blocks, bindings, invocation count and tolerance, but each dy cell is loaded once per
 * (ky, co) for all the filter's columns (a sliding window; see
 * direct-conv2d-backprop-input-slide.wgsl). The filter's width is the shader's FILTER_WIDTH
 * override constant; this descriptor is the 3-wide variant, {@link directConv2dBackpropInputFor}
 * gives the others.
 */
export const directConv2dBackpropInputSlide = defineKernel({
  ...directConv2dBackpropInput,
  name: 'direct-conv2d-backprop-input-slide',
  source: slideSource,
  includes: [convGeometrySnippet, convWindow8Snippet],
  constants: { FILTER_WIDTH: 3 },
});

/**
 * The input-gradient kernel for geometry `g`. With `slide` (the caller's choice by adapter: faster
 * on SwiftShader, slower on lavapipe), the slide kernel wherever it applies (column stride 1,
 * filters up to 5 wide), computing only the lower 4 channels of its blocks for up to 4 input
 * channels. Otherwise the narrow kernel up to 4 input channels, else the 8 x 8 one.
 */
export function directConv2dBackpropInputFor(
  g: { inChannels: number; strideWidth: number; filterWidth: number },
  options: { slide: boolean },
): typeof directConv2dBackpropInput {
  if (options.slide && fitsSlideKernel(g)) {
    return directConv2dBackpropInputSlideFor(g.filterWidth, g.inChannels > 4, g.inChannels === 1);
  }
  return g.inChannels <= 4 ? directConv2dBackpropInputNarrow : directConv2dBackpropInput;
}

/**
 * {@link directConv2dBackpropInputSlide} for a filter `filterWidth` (1 to 5) columns wide, computing
 * its blocks' upper 4 channels only if `upperChannels` (false serves up to 4 input channels), and
 * only channel 0 if `singleChannel` (one input channel, a grayscale image: one weight load per tap
 * instead of four; the same sums): one cached descriptor per variant.
 */
export function directConv2dBackpropInputSlideFor(
  filterWidth: number,
  upperChannels: boolean,
  singleChannel = false,
): typeof directConv2dBackpropInput {
  const upper = upperChannels ? 1 : 0;
  // Literal objects, not a spread: V8 builds a spread copy and walks it slowly (~0.7 us a call, per dispatch).
  return kernelVariant(
    directConv2dBackpropInputSlide,
    singleChannel
      ? { FILTER_WIDTH: filterWidth, UPPER_CHANNELS: upper, SINGLE_CHANNEL: 1 }
      : { FILTER_WIDTH: filterWidth, UPPER_CHANNELS: upper },
  );
}

/**
 * Invocations one dispatch of `kernel` (any of the input-gradient kernels) needs (its
 * `params.count`): one per input row, tile of input columns and group of input channels, 8 x 8 or,
 * for the narrow kernel, 4 x 4. (No default kernel: a count for the other one would be wrong.)
 */
export function directConv2dBackpropInputInvocations(
  g: { batch: number; inHeight: number; inWidth: number; inChannels: number },
  kernel: typeof directConv2dBackpropInput,
): number {
  const block = kernel === directConv2dBackpropInputNarrow ? 4 : 8;
  return g.batch * g.inHeight * Math.ceil(g.inWidth / block) * Math.ceil(g.inChannels / block);
}
