// SPDX-License-Identifier: Apache-2.0
// The plane and band kernels: a forward convolution (direct-conv2d-plane / -band) and its input
// gradient (direct-conv2d-backprop-input-plane / -band) whose WGSL is written out for one geometry
// (plane-source.ts). Each invocation computes, for one channel of one image, its whole result plane
// when that has at most 64 positions (a 7x7 layer at the end of a CNN), else a band of rows of up to
// 64 positions (results up to 32 wide, strides 1: MNIST's 28x28 and 14x14 layers). So every weight
// it loads serves up to 64 positions instead of the 8 columns of the -slide kernels' blocks.
//
// Why: on SwiftShader a load of a per-invocation address is a gather done lane by lane, and the
// weight loads were the bulk of the -slide kernels' time: without them direct-conv2d-slide took
// 1.35 instead of 2.40 ms on MNIST's conv3 (session 20 probe, a diagnostic variant with wrong
// results). Here each step over a source channel loads the source cells the plane (band) reads once
// (the same address in every lane) and each filter tap once.
// Measured (session 20, headless Chromium + SwiftShader, MNIST at batch 1 with bias + relu,
// per-dispatch time of 20 dispatches in one submit minus one, medians of 40 alternating rounds, load
// 3.5-6.8), -slide -> these ms: conv3 forward 2.15 -> 0.80 (batch 2: 4.41 -> 2.10, batch 16: 34.3 ->
// 13.4), input gradient 2.68 -> 0.76; conv2 (bands of 4 rows) forward 1.12 -> 0.78, input gradient
// 1.00 -> 0.75; conv1 (bands of 2 rows) forward 0.44 -> 0.23, input gradient 0.37 -> 0.14. A whole
// 14x14 plane (196 sums) was faster still (conv2 forward 0.40 vs 0.70 ms) but took 1.8 s to compile
// (a 28x28 one 21.7 s): hence 64 positions, 0.7-1.0 s per pipeline (the -slide kernels 0.4-0.6 s).
// Core runs them on SwiftShader only, as the -slide kernels.
//
// Numerics: per result value, the terms of one source channel are summed in (ky, kx) order into a
// partial sum, the partial sums added in source-channel order (the forward kernel adds its bias
// last). Same tolerance as direct-conv2d, abs 1e-5, rel 1e-4 against the f64 reference; not
// bit-identical to the other kernels, whose orders differ.
import { defineKernel } from '../runtime/kernel.js';
import { activationSnippet, convGeometrySnippet } from '../snippets/index.js';
import { directConv2d, DIRECT_CONV_ACTIVATIONS, type DirectConvActivation } from './direct-conv2d.kernel.js';
import { directConv2dBackpropInput } from './direct-conv2d-backprop-input.kernel.js';
import type { DirectConvGeometry } from './direct-conv2d.ref.js';
import { bandKernelSource, planeKernelSource, type BandTerm, type PlaneGeometry, type PlaneTerm } from './plane-source.js';

export type { PlaneGeometry } from './plane-source.js';

/** The largest result plane (height x width) a plane kernel takes: its sums are that many values per invocation. */
export const PLANE_MAX_POSITIONS = 64;

/**
 * Whether a plane kernel takes a convolution of this geometry: a result plane (the output forward,
 * the input for the input gradient) of at most {@link PLANE_MAX_POSITIONS} positions and a filter of
 * at least 3 x 3 (with a 1 x 1 filter it would load one source cell per multiply-add, where the 8 x
 * 8 blocks load fewer).
 */
export function fitsPlaneKernel(g: PlaneGeometry, kind: 'forward' | 'backprop-input' = 'forward'): boolean {
  const positions = kind === 'forward' ? g.outHeight * g.outWidth : g.inHeight * g.inWidth;
  return positions <= PLANE_MAX_POSITIONS && g.filterHeight * g.filterWidth >= 9;
}

/** The result rows a band kernel's invocation computes for a result `width` wide: as many as fit in {@link PLANE_MAX_POSITIONS}. */
export function bandRows(width: number): number {
  return Math.floor(PLANE_MAX_POSITIONS / width);
}

/**
 * Whether a band kernel takes a convolution the plane kernel does not ({@link fitsPlaneKernel}):
 * strides 1, a filter of at least 3 x 3 and a result at most 32 wide (bands of at least 2 rows).
 */
export function fitsBandKernel(g: PlaneGeometry, kind: 'forward' | 'backprop-input' = 'forward'): boolean {
  const width = kind === 'forward' ? g.outWidth : g.inWidth;
  return (
    !fitsPlaneKernel(g, kind) && g.strideHeight === 1 && g.strideWidth === 1 && g.filterHeight * g.filterWidth >= 9 && bandRows(width) >= 2
  );
}

/** The bands of rows (1 for the plane kernels) a result plane `height` x `width` is computed in. */
function bands(g: PlaneGeometry, kind: 'forward' | 'backprop-input'): number {
  if (fitsPlaneKernel(g, kind)) return 1;
  const [height, width] = kind === 'forward' ? [g.outHeight, g.outWidth] : [g.inHeight, g.inWidth];
  return Math.ceil(height / bandRows(width));
}

/** Invocations one dispatch of {@link directConv2dPlaneFor}'s kernel needs: one per (image, band, output channel). */
export function directConv2dPlaneInvocations(g: DirectConvGeometry): number {
  return g.batch * bands(g, 'forward') * g.outChannels;
}

/** Invocations one dispatch of {@link directConv2dBackpropInputPlaneFor}'s kernel needs: one per (image, band, input channel). */
export function directConv2dBackpropInputPlaneInvocations(g: DirectConvGeometry): number {
  return g.batch * bands(g, 'backprop-input') * g.inChannels;
}

/** The geometry as a name: input-filter-output-strides-pads. */
function shapeName(g: PlaneGeometry): string {
  return `${g.inHeight}x${g.inWidth}x${g.inChannels}-${g.filterHeight}x${g.filterWidth}-${g.outHeight}x${g.outWidth}x${g.outChannels}-s${g.strideHeight}x${g.strideWidth}-p${g.padTop}x${g.padLeft}`;
}

/** Output position p's terms: the input cells its window covers (padding left out), in (ky, kx) order. */
function forwardTerms(g: PlaneGeometry, p: number): PlaneTerm[] {
  const [oy, ox] = [Math.floor(p / g.outWidth), p % g.outWidth];
  const terms: PlaneTerm[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const iy = oy * g.strideHeight + ky - g.padTop;
      const ix = ox * g.strideWidth + kx - g.padLeft;
      if (iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth) terms.push({ cell: iy * g.inWidth + ix, tap: ky * g.filterWidth + kx });
    }
  }
  return terms;
}

/** Input position p's terms: the output cells whose windows cover it with tap (ky, kx), in (ky, kx) order. */
function inputGradientTerms(g: PlaneGeometry, p: number): PlaneTerm[] {
  const [iy, ix] = [Math.floor(p / g.inWidth), p % g.inWidth];
  const terms: PlaneTerm[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const [reachY, reachX] = [iy + g.padTop - ky, ix + g.padLeft - kx]; // oy * strideHeight, ox * strideWidth
      const [oy, ox] = [reachY / g.strideHeight, reachX / g.strideWidth];
      if (Number.isInteger(oy) && Number.isInteger(ox) && oy >= 0 && oy < g.outHeight && ox >= 0 && ox < g.outWidth) {
        terms.push({ cell: oy * g.outWidth + ox, tap: ky * g.filterWidth + kx });
      }
    }
  }
  return terms;
}

const UNIFORM = `@group(0) @binding(0) var<uniform> params: ConvGeometry;`;
/** Weights between two neighbouring taps: one per (input channel, output channel). */
const tapStride = (g: PlaneGeometry) => g.inChannels * g.outChannels;

/** Result cell (row in the band, col)'s forward terms (column padding left out; rows outside the input read 0), in (ky, kx) order. */
function forwardBandTerms(g: PlaneGeometry, row: number, col: number): BandTerm[] {
  const terms: BandTerm[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const ix = col + kx - g.padLeft;
      if (ix >= 0 && ix < g.inWidth) terms.push({ row: row + ky, col: ix, tap: ky * g.filterWidth + kx });
    }
  }
  return terms;
}

/** Input cell (row in the band, col)'s gradient terms: dy row first + row + filterHeight - 1 - ky, in (ky, kx) order. */
function inputGradientBandTerms(g: PlaneGeometry, row: number, col: number): BandTerm[] {
  const terms: BandTerm[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const ox = col + g.padLeft - kx;
      if (ox >= 0 && ox < g.outWidth) terms.push({ row: row + g.filterHeight - 1 - ky, col: ox, tap: ky * g.filterWidth + kx });
    }
  }
  return terms;
}

/** The forward kernels' WGSL: the plane kernel's where it fits, else the band kernel's. */
function forwardSource(g: PlaneGeometry): string {
  const common = {
    sourceChannels: g.inChannels,
    laneChannels: g.outChannels,
    // weights[ky, kx, ci = channel, co = lane]
    weightIndex: (t: number) => `${t * tapStride(g)}u + channel * ${g.outChannels}u + lane`,
    bindings: [
      `// The fused activation's code (activation.wgsl) and whether the bias binding is read.`,
      `override ACTIVATION: u32 = 0u;`,
      `override HAS_BIAS: bool = false;`,
      UNIFORM,
      `@group(0) @binding(1) var<storage, read> x: array<f32>;`,
      `@group(0) @binding(2) var<storage, read> weights: array<f32>;`,
      `// Read only when HAS_BIAS (bind any storage buffer otherwise).`,
      `@group(0) @binding(3) var<storage, read> bias: array<f32>;`,
      `@group(0) @binding(4) var<storage, read_write> y: array<f32>;`,
    ],
    source: 'x',
    result: 'y',
    beforeStore: [`  var shift = 0.0;`, `  if (HAS_BIAS) {`, `    shift = bias[lane];`, `  }`],
    stored: (s: string) => `activate(vec4f(${s} + shift), ACTIVATION, 0.0).x`,
  };
  if (fitsPlaneKernel(g)) {
    return planeKernelSource(`direct-conv2d-plane for ${shapeName(g)}`, {
      ...common,
      sourceImage: g.inHeight * g.inWidth * g.inChannels,
      resultPositions: g.outHeight * g.outWidth,
      terms: (p) => forwardTerms(g, p),
    });
  }
  return bandKernelSource(`direct-conv2d-band for ${shapeName(g)}`, {
    ...common,
    sourceHeight: g.inHeight,
    sourceWidth: g.inWidth,
    resultHeight: g.outHeight,
    resultWidth: g.outWidth,
    bandRows: bandRows(g.outWidth),
    firstRowOffset: -g.padTop,
    terms: (row, col) => forwardBandTerms(g, row, col),
  });
}

/** The input-gradient kernels' WGSL: the plane kernel's where it fits, else the band kernel's. */
function inputGradientSource(g: PlaneGeometry): string {
  const common = {
    sourceChannels: g.outChannels,
    laneChannels: g.inChannels,
    // weights[ky, kx, ci = lane, co = channel]
    weightIndex: (t: number) => `${t * tapStride(g)}u + lane * ${g.outChannels}u + channel`,
    bindings: [
      UNIFORM,
      `@group(0) @binding(1) var<storage, read> dy: array<f32>;`,
      `@group(0) @binding(2) var<storage, read> weights: array<f32>;`,
      `@group(0) @binding(3) var<storage, read_write> dx: array<f32>;`,
    ],
    source: 'dy',
    result: 'dx',
    beforeStore: [],
    stored: (s: string) => s,
  };
  if (fitsPlaneKernel(g, 'backprop-input')) {
    return planeKernelSource(`direct-conv2d-backprop-input-plane for ${shapeName(g)}`, {
      ...common,
      sourceImage: g.outHeight * g.outWidth * g.outChannels,
      resultPositions: g.inHeight * g.inWidth,
      terms: (p) => inputGradientTerms(g, p),
    });
  }
  return bandKernelSource(`direct-conv2d-backprop-input-band for ${shapeName(g)}`, {
    ...common,
    sourceHeight: g.outHeight,
    sourceWidth: g.outWidth,
    resultHeight: g.inHeight,
    resultWidth: g.inWidth,
    bandRows: bandRows(g.inWidth),
    firstRowOffset: g.padTop - (g.filterHeight - 1),
    terms: (row, col) => inputGradientBandTerms(g, row, col),
  });
}

const variants = new Map<string, typeof directConv2d | typeof directConv2dBackpropInput>();

/** The cached descriptor `make` gives for `name` and `constants`. The geometry is in the name: the runtime caches pipelines by name and constants. */
function cached<K extends typeof directConv2d | typeof directConv2dBackpropInput>(
  name: string,
  constants: Record<string, number>,
  make: () => K,
): K {
  const key = `${name}:${JSON.stringify(constants)}`;
  let kernel = variants.get(key) as K | undefined;
  if (!kernel) variants.set(key, (kernel = make()));
  return kernel;
}

/**
 * The forward plane kernel for geometry `g` (see {@link fitsPlaneKernel}) fusing `activation` and,
 * if `hasBias`, reading its bias binding: direct-conv2d's bindings, uniform and tolerance; one
 * cached descriptor per geometry and variant. `params.count` is {@link directConv2dPlaneInvocations}.
 */
export function directConv2dPlaneFor(g: PlaneGeometry, activation: DirectConvActivation, hasBias: boolean): typeof directConv2d {
  const constants = { ACTIVATION: DIRECT_CONV_ACTIVATIONS[activation], HAS_BIAS: hasBias ? 1 : 0 };
  const name = `direct-conv2d-${fitsPlaneKernel(g) ? 'plane' : 'band'}-${shapeName(g)}`;
  return cached(name, constants, () =>
    defineKernel({ ...directConv2d, name, source: forwardSource(g), includes: [convGeometrySnippet, activationSnippet], constants }),
  );
}

/**
 * The input gradient's plane kernel for geometry `g` (see {@link fitsPlaneKernel}):
 * direct-conv2d-backprop-input's bindings, uniform and tolerance; one cached descriptor per
 * geometry. `params.count` is {@link directConv2dBackpropInputPlaneInvocations}.
 */
export function directConv2dBackpropInputPlaneFor(g: PlaneGeometry): typeof directConv2dBackpropInput {
  const name = `direct-conv2d-backprop-input-${fitsPlaneKernel(g, 'backprop-input') ? 'plane' : 'band'}-${shapeName(g)}`;
  return cached(name, {}, () =>
    defineKernel({ ...directConv2dBackpropInput, name, source: inputGradientSource(g), includes: [convGeometrySnippet] }),
  );
}

/** MNIST's conv3 (7x7x32, 5x5 'same' -> 64): the example geometry of the exported descriptors. */
const MNIST_CONV3: PlaneGeometry = {
  inHeight: 7,
  inWidth: 7,
  inChannels: 32,
  outHeight: 7,
  outWidth: 7,
  outChannels: 64,
  filterHeight: 5,
  filterWidth: 5,
  strideHeight: 1,
  strideWidth: 1,
  padTop: 2,
  padLeft: 2,
};

/** The plane kernels for MNIST's conv3 (forward linear, bias-free): examples of the written-out source, read by the WGSL / descriptor seam test. */
export const directConv2dPlane = directConv2dPlaneFor(MNIST_CONV3, 'linear', false);
export const directConv2dBackpropInputPlane = directConv2dBackpropInputPlaneFor(MNIST_CONV3);
