// SPDX-License-Identifier: Apache-2.0
import source from './direct-conv2d.wgsl';
import slideSource from './direct-conv2d-slide.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { convBlock8Snippet, convGeometrySnippet, convOutput8Snippet, convWindow8Snippet } from '../snippets/index.js';

/**
 * 16, not 64: an 8 x 8 block leaves few invocations at batch 1 (MNIST conv3: 56, one workgroup of
 * 64) and software adapters run a workgroup on one thread; SwiftShader ran 2 workgroups of conv3 in
 * the time of 1 (batch 2 vs 1: 3.2 vs 3.0 ms), and conv3 / conv2 at batch 1 took 2.8 / 0.80 ms at
 * 16 vs 3.0 / 0.88 ms at 64 (load 4.5). Batch 16 was the same at 8 to 64, on lavapipe too.
 */
const WORKGROUP_SIZE = 16;

/**
 * The uniform fields both direct-conv kernels start with, in WGSL declaration order: the
 * invocation count, then a DirectConvGeometry without its batch.
 */
export const CONV_GEOMETRY_UNIFORM = {
  count: 'u32',
  inHeight: 'u32',
  inWidth: 'u32',
  inChannels: 'u32',
  outHeight: 'u32',
  outWidth: 'u32',
  outChannels: 'u32',
  filterHeight: 'u32',
  filterWidth: 'u32',
  strideHeight: 'u32',
  strideWidth: 'u32',
  padTop: 'u32',
  padLeft: 'u32',
} as const;

/** Activations {@link directConv2d} fuses, by their code (the shader's `ACTIVATION` constant). */
export const DIRECT_CONV_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;

/** An activation {@link directConv2d} can fuse. */
export type DirectConvActivation = keyof typeof DIRECT_CONV_ACTIVATIONS;

/**
 * Invocations one dispatch of {@link directConv2d} needs (its `params.count`): one per output row,
 * tile of 8 output columns and group of 8 output channels.
 */
export function directConv2dInvocations(g: { batch: number; outHeight: number; outWidth: number; outChannels: number }): number {
  return g.batch * g.outHeight * Math.ceil(g.outWidth / 8) * Math.ceil(g.outChannels / 8);
}

/**
 * GPU kernel: 2-D convolution, NHWC input and HWIO weights (tfjs's layouts), dilation 1, with an
 * optional bias and a fused linear / relu / relu6 activation; each invocation computes 8 output
 * columns x 8 output channels without workgroup memory or barriers (fast on software adapters).
 * See direct-conv2d.wgsl; CPU reference: directConv2dRef. `params.count` is
 * {@link directConv2dInvocations} of the output shape. This descriptor is the linear, bias-free
 * variant; {@link directConv2dFor} gives the others.
 */
export const directConv2d = defineKernel({
  name: 'direct-conv2d',
  source,
  includes: [convGeometrySnippet, convBlock8Snippet, convOutput8Snippet],
  workgroupSize: WORKGROUP_SIZE,
  bindings: {
    params: {
      uniform: CONV_GEOMETRY_UNIFORM,
    },
    x: { storage: 'read' },
    weights: { storage: 'read' },
    bias: { storage: 'read' },
    y: { storage: 'read_write' },
  },
  // f32 sums of up to filterHeight * filterWidth * inChannels products (a few thousand here).
  tolerance: { abs: 1e-5, rel: 1e-4 },
  threads: ({ params }) => params.count,
});

/**
 * {@link directConv2d} for a column stride of 1 and a filter up to {@link SLIDE_MAX_FILTER_WIDTH}
 * columns wide: the same blocks, bindings, invocation count and tolerance, but each input cell is
 * loaded once per (ky, ci) for all the filter's columns (a sliding window along the row; see
 * direct-conv2d-slide.wgsl), summed in (ky, ci, kx) order. The filter's width is the shader's
 * FILTER_WIDTH override constant; this descriptor is the 3-wide, linear, bias-free variant and
 * {@link directConv2dFor} gives the others.
 */
export const directConv2dSlide = defineKernel({
  ...directConv2d,
  name: 'direct-conv2d-slide',
  source: slideSource,
  includes: [convGeometrySnippet, convWindow8Snippet, convOutput8Snippet],
  constants: { FILTER_WIDTH: 3 },
});

/** The widest filter {@link directConv2dSlide} (and the input gradient's slide kernel) takes: the window's 12 cells. */
export const SLIDE_MAX_FILTER_WIDTH = 5;

/** Whether the -slide kernels take a convolution of this geometry: column stride 1, filter 1 to 5 columns. */
export function fitsSlideKernel(g: { strideWidth: number; filterWidth: number }): boolean {
  return g.strideWidth === 1 && g.filterWidth >= 1 && g.filterWidth <= SLIDE_MAX_FILTER_WIDTH;
}

/**
 * The forward kernel for geometry `g` fusing `activation` and, if `hasBias`, reading its bias
 * binding. With `slide` (the caller's choice by adapter: faster on SwiftShader, slower on
 * lavapipe), {@link directConv2dSlide} wherever it applies ({@link fitsSlideKernel}), else
 * {@link directConv2d}. The descriptor is the kernel with the shader's ACTIVATION, HAS_BIAS (and the
 * slide kernel's FILTER_WIDTH) override constants set, one pipeline per variant; it is cached so
 * each variant is one object. Why constants and not uniforms: see direct-conv2d.wgsl.
 */
export function directConv2dFor(
  g: { strideWidth: number; filterWidth: number },
  activation: DirectConvActivation,
  hasBias: boolean,
  options: { slide: boolean },
): typeof directConv2d {
  const width = options.slide && fitsSlideKernel(g) ? g.filterWidth : 0;
  const [mode, bias] = [DIRECT_CONV_ACTIVATIONS[activation], hasBias ? 1 : 0];
  // Literal objects, not a spread: V8 builds a spread copy and walks it slowly (~0.7 us a call, per dispatch).
  return width
    ? kernelVariant(directConv2dSlide, { ACTIVATION: mode, HAS_BIAS: bias, FILTER_WIDTH: width })
    : kernelVariant(directConv2d, { ACTIVATION: mode, HAS_BIAS: bias });
}
