// SPDX-License-Identifier: Apache-2.0
import source from './direct-conv2d-backprop-input.wgsl';
import narrowSource from './direct-conv2d-backprop-input-narrow.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { convBlock8Snippet, convBlockSnippet, convGeometrySnippet } from '../snippets/index.js';
import { CONV_GEOMETRY_UNIFORM } from './direct-conv2d.kernel.js';

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

/** The input-gradient kernel for `g`'s input channels: the narrow one up to 4, else the 8 x 8 one. */
export function directConv2dBackpropInputFor(g: { inChannels: number }): typeof directConv2dBackpropInput {
  return g.inChannels <= 4 ? directConv2dBackpropInputNarrow : directConv2dBackpropInput;
}

/**
 * Invocations one dispatch of `kernel` ({@link directConv2dBackpropInput} or the narrow one) needs
 * (its `params.count`): one per input row, tile of input columns and group of input channels, 8 x 8
 * or, for the narrow kernel, 4 x 4. (No default kernel: a count for the other one would be wrong.)
 */
export function directConv2dBackpropInputInvocations(
  g: { batch: number; inHeight: number; inWidth: number; inChannels: number },
  kernel: typeof directConv2dBackpropInput,
): number {
  const block = kernel === directConv2dBackpropInputNarrow ? 4 : 8;
  return g.batch * g.inHeight * Math.ceil(g.inWidth / block) * Math.ceil(g.inChannels / block);
}
