// SPDX-License-Identifier: Apache-2.0
import source from './direct-depthwise-conv2d.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { convBlockSnippet, convGeometrySnippet } from '../snippets/index.js';
import { CONV_GEOMETRY_UNIFORM } from '../direct-conv/direct-conv2d.kernel.js';

const WORKGROUP_SIZE = 64;

/**
 * Invocations one dispatch of {@link directDepthwiseConv2d} needs (its `params.count`): one per
 * output row, tile of 4 output columns and group of 4 channels.
 */
export function directDepthwiseConv2dInvocations(g: { batch: number; outHeight: number; outWidth: number; inChannels: number }): number {
  return g.batch * g.outHeight * Math.ceil(g.outWidth / 4) * Math.ceil(g.inChannels / 4);
}

/**
 * GPU kernel: depthwise 2-D convolution with channel multiplier 1, NHWC input and a [fh, fw,
 * channels, 1] filter (tfjs's layouts), dilation 1; each invocation computes 4 output columns x 4
 * channels without workgroup memory or barriers (fast on software adapters). See
 * direct-depthwise-conv2d.wgsl; CPU reference: directDepthwiseConv2dRef. `params` is a
 * DirectConvGeometry without its batch (outChannels == inChannels) and `count`
 * ({@link directDepthwiseConv2dInvocations}).
 */
export const directDepthwiseConv2d = defineKernel({
  name: 'direct-depthwise-conv2d',
  source,
  includes: [convGeometrySnippet, convBlockSnippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: { uniform: CONV_GEOMETRY_UNIFORM },
    x: { storage: 'read' },
    weights: { storage: 'read' },
    y: { storage: 'read_write' },
  },
  // f32 sums of filterHeight * filterWidth products.
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.count,
});
