// SPDX-License-Identifier: Apache-2.0
import source from './direct-depthwise-conv2d-backprop-input.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { convBlockSnippet, convGeometrySnippet } from '../snippets/index.js';
import { CONV_GEOMETRY_UNIFORM } from '../direct-conv/direct-conv2d.kernel.js';

const WORKGROUP_SIZE = 64;

/**
 * Invocations one dispatch of {@link directDepthwiseConv2dBackpropInput} needs (its
 * `params.count`): one per input row, tile of 4 input columns and group of 4 channels.
 */
export function directDepthwiseConv2dBackpropInputInvocations(g: {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
}): number {
  return g.batch * g.inHeight * Math.ceil(g.inWidth / 4) * Math.ceil(g.inChannels / 4);
}

/**
 * GPU kernel: gradient of a depthwise 2-D convolution (channel multiplier 1, NHWC, dilation 1)
 * with respect to its input, given the output gradient `dy` and the forward convolution's strides
 * and pads (tfjs's DepthwiseConv2dNativeBackpropInput); each invocation gathers 4 input columns x
 * 4 channels without workgroup memory or barriers. See
 * direct-depthwise-conv2d-backprop-input.wgsl; CPU reference:
 * directDepthwiseConv2dBackpropInputRef. `params.count` is
 * {@link directDepthwiseConv2dBackpropInputInvocations}.
 */
export const directDepthwiseConv2dBackpropInput = defineKernel({
  name: 'direct-depthwise-conv2d-backprop-input',
  source,
  includes: [convGeometrySnippet, convBlockSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: CONV_GEOMETRY_UNIFORM },
    dy: { storage: 'read' },
    weights: { storage: 'read' },
    dx: { storage: 'read_write' },
  },
  // f32 sums of filterHeight * filterWidth products.
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.count,
});
